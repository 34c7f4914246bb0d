// 1_quickstart: the smallest useful program. Who am I, and what do the first contacts look like?
//
// Read-only: GET /me and one page of GET /contacts.
//
// Target, from the environment (every example reads the same three variables):
//   INTERCOM_TOKEN     access token of your Intercom app (required)
//   INTERCOM_BASE_URL  optional; default https://api.intercom.io (US region). Use
//                      https://api.eu.intercom.io or https://api.au.intercom.io for the other regions,
//                      or the URL of a test server such as intercom-fake-server
//   INTERCOM_CA_FILE   optional extra CA bundle (PEM) to trust, e.g. a corporate proxy or a test server
//
//   INTERCOM_TOKEN=... ./1_quickstart
#include <intercom.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace asio = boost::asio;

// Builds client options from the three environment variables above.
std::optional<intercom::client_options> options_from_env() {
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

// Every call is a coroutine: `co_await` it. The plain names (`identify`, `list`) throw
// `intercom::api_error` on failure; see 4_error_handling for the non-throwing `try_` forms.
asio::awaitable<void> run(intercom::client client) {
    intercom::models::admin_with_app me = co_await client.admins().identify();
    std::printf("authenticated as %s <%s>", me.name.value_or("?").c_str(), me.email.value_or("?").c_str());
    if (me.app) std::printf(" in workspace \"%s\"", me.app->name.value_or("?").c_str());
    std::printf("\n");

    // One page of contacts. Query parameters are a plain struct; unset fields are not sent.
    intercom::models::contacts_list_query query;
    query.per_page = 5;
    intercom::models::contact_list page = co_await client.contacts().list(query);

    // Models mirror the API's JSON: optional fields are std::optional, nullable ones
    // intercom::nullable (absent, null or a value). Unknown fields are kept in `extra`.
    const auto& contacts = page.data ? *page.data : std::vector<intercom::models::contact>{};
    for (const auto& c : contacts) {
        std::printf("  %-26s %-6s %s\n", c.id ? c.id->str().c_str() : "?", c.role.value_or("?").c_str(),
                    c.email.value_or("").c_str());
    }
    std::printf("quickstart: %zu contacts on the first page, %lld in the workspace\n", contacts.size(),
                static_cast<long long>(page.total_count.value_or(-1)));
}

int main() {
    auto opts = options_from_env();
    if (!opts) return 2;

    asio::io_context ioc;
    // A client is cheap to copy (copies share one connection pool, rate limiter and options).
    intercom::client client(ioc.get_executor(), *opts);

    // Run the coroutine; the future hands its exception (if any) back to main().
    auto done = asio::co_spawn(ioc, run(client), asio::use_future);
    ioc.run();
    try {
        done.get();
    } catch (const intercom::api_error& e) {
        // what() includes the HTTP status, Intercom's error codes and the request id.
        std::fprintf(stderr, "request failed: %s\n", e.what());
        return 1;
    }
    return 0;
}
