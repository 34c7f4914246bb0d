// example_env.hpp: the two pieces every numbered example shares, kept here so that each example
// shows only what it is about.
//
//   example::options_from_env()  the client options, from three environment variables:
//       INTERCOM_TOKEN     access token of your Intercom app (required)
//       INTERCOM_BASE_URL  optional; default https://api.intercom.io (US region). Use
//                          https://api.eu.intercom.io or https://api.au.intercom.io for the other
//                          regions, or the URL of a test server such as intercom-fake-server
//       INTERCOM_CA_FILE   optional extra CA bundle (PEM) to trust, e.g. a corporate proxy or a
//                          test server
//   example::run_main(...)       main()'s usual body: an io_context, a client, one coroutine run to
//                                completion, and the failure report.
//
// Not part of the library: copy what you need into your own program.
#pragma once

#include <intercom.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace example {

/// Client options from INTERCOM_TOKEN, INTERCOM_BASE_URL and INTERCOM_CA_FILE (see above). Without a
/// token it says so on stderr and returns nullopt (the examples then exit with status 2).
inline std::optional<intercom::client_options> options_from_env() {
    const char* token = std::getenv("INTERCOM_TOKEN");
    if (!token || !*token) {
        std::fprintf(stderr, "INTERCOM_TOKEN is not set\n");
        return std::nullopt;
    }
    intercom::client_options opts;
    opts.token = token; // never logged by the library
    if (const char* url = std::getenv("INTERCOM_BASE_URL"); url && *url) opts.base_url = url;
    if (const char* ca = std::getenv("INTERCOM_CA_FILE"); ca && *ca) opts.transport.tls.ca_file = ca;
    return opts;
}

/// Builds a client from `opts` on a single-threaded io_context, runs the coroutine
/// `body(client, args...)` until it ends, and returns main()'s exit status: 0 when it returns
/// normally (or returns `true`, if it returns a bool), 1 when it returns `false` or throws.
/// A throw is reported as "<name> failed: <what()>" on stderr; for an `intercom::api_error`,
/// what() carries the HTTP status, Intercom's error codes and the request id (never the token).
///
/// `body` is a plain function returning `boost::asio::awaitable<void>` or `awaitable<bool>`,
/// taking the client and `args` by value (g++ 12: coroutine parameters by value, no lambdas).
template <class Body, class... Args>
int run_main(std::string_view name, const intercom::client_options& opts, Body body, Args... args) {
    boost::asio::io_context ioc;
    // A client is cheap to copy: copies share one connection pool, rate limiter and options.
    intercom::client client(ioc.get_executor(), opts);
    // The future hands the coroutine's value or exception back to this thread.
    auto done = boost::asio::co_spawn(ioc, body(client, std::move(args)...), boost::asio::use_future);
    ioc.run();
    try {
        if constexpr (std::is_same_v<decltype(done.get()), bool>) {
            return done.get() ? 0 : 1;
        } else {
            done.get();
            return 0;
        }
    } catch (const std::exception& e) { // intercom::api_error, or e.g. a file that cannot be written
        std::fprintf(stderr, "%.*s failed: %s\n", static_cast<int>(name.size()), name.data(), e.what());
        return 1;
    }
}

} // namespace example
