// intercom::client: one workspace token, its options, and the path every call takes.
#pragma once

#include <intercom/client_options.hpp>
#include <intercom/http/message.hpp>
#include <intercom/http/transport.hpp>
#include <intercom/operation.hpp>
#include <intercom/request_options.hpp>
#include <intercom/resources/generated/accessors.hpp>
#include <intercom/result.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace intercom {

/// Query parameters, not yet percent-encoded; order is kept.
using query_params = std::vector<std::pair<std::string, std::string>>;

/// How deeply a response's JSON may nest. Boost.JSON's default (32) rejects real contacts whose
/// custom attributes hold nested objects; 128 leaves room for those while still bounding the
/// recursion of everything that walks a parsed value. Deeper bodies fail with `errc::decode_error`.
inline constexpr std::size_t json_max_depth = 128;

/// A successful (2xx) answer of the API, before typed decoding.
struct api_response {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;
    std::optional<rate_limit_snapshot> rate_limit;
    std::string request_id;   ///< `X-Request-Id`
    unsigned attempts = 1;    ///< 1 when no retry happened

    /// The body as JSON; an empty body is `null`. Fails with `errc::decode_error`.
    result<boost::json::value> json() const;

    /// The same, with the DOM allocated from `storage`. The typed layer passes a shared
    /// `boost::json::monotonic_resource` sized from the body: a handful of allocations per
    /// answer instead of one per key, string, array and object.
    result<boost::json::value> json(boost::json::storage_ptr storage) const;

    /// A monotonic resource for parsing this body, owned by the values parsed into it.
    boost::json::storage_ptr arena() const;
};

/// What the typed layer hands to the client for one call.
struct api_request {
    const operation_info* operation = nullptr; ///< null for generic requests
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string path;                  ///< percent-encoded path, e.g. "/contacts/a%2Fb"
    query_params query;                ///< encoded by the client
    std::optional<std::string> body;   ///< JSON text; sent with `Content-Type: application/json`
    std::string accept = "application/json";
    request_options options;
    http::body_sink sink;              ///< stream a 2xx body here instead of buffering it
};

namespace detail {
struct client_impl;
}


/// A client for one Intercom workspace token. Cheap to copy (copies share state).
///
/// Many clients may share one transport (one connection pool per origin) and one io_context;
/// the token belongs to the client and its requests, never to a connection.
///
/// Resource groups: `client.contacts()`, `client.conversations()`, ... (one accessor per group, from
/// the generated base `detail::resource_accessors`; include the group's header where you call it).
///
/// Thread safety: all member functions may be called concurrently.
class client : public detail::resource_accessors<client> {
public:
    /// A client with its own HTTPS transport built from `opts.transport`.
    client(boost::asio::any_io_executor ex, client_options opts);

    /// A client sending through a shared transport (multi-tenant use).
    client(std::shared_ptr<http::transport> transport, client_options opts);

    /// Sends one call through the pipeline (retries, rate limiting, middleware: see
    /// intercom/pipeline/pipeline.hpp); non-2xx answers and transport failures come back as
    /// errors with diagnostics (`attempts`, last `rate_limit`). Never throws.
    ///
    /// Per-operation cancellation: a terminal cancellation of the awaiting coroutine ends the call
    /// promptly with `errc::cancelled`, also during a backoff or rate-limiter wait.
    boost::asio::awaitable<result<api_response>> execute(api_request req) const;

    /// Escape hatch for anything not modelled: `path` is taken as already percent-encoded.
    boost::asio::awaitable<result<api_response>> request(boost::beast::http::verb method, std::string path,
                                                         query_params query = {},
                                                         std::optional<boost::json::value> body = std::nullopt,
                                                         request_options options = {}) const;

    const client_options& options() const noexcept;
    const std::shared_ptr<http::transport>& transport() const noexcept;
    boost::asio::any_io_executor get_executor() const;


private:
    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace intercom
