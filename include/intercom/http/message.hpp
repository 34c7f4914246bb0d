// The HTTP request and response values that travel between the pipeline and the transport.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace intercom::http {

namespace beast_http = boost::beast::http;

/// One HTTP request, ready to send. The transport adds `Host`, `Content-Length`,
/// `Accept-Encoding` and `Connection` itself; everything else comes from the pipeline.
struct request {
    beast_http::verb method = beast_http::verb::get;
    std::string target = "/";     ///< origin-form, already percent-encoded: "/contacts?per_page=50"
    beast_http::fields headers;   ///< e.g. Authorization, Accept, Intercom-Version, Content-Type
    std::string body;             ///< sent when non-empty (DELETE bodies are allowed)

    /// Whether the pool may resend this request on a fresh connection after a reused keep-alive
    /// connection failed before any response byte arrived. Non-idempotent requests are resent
    /// only if they were not completely written.
    bool idempotent = true;
};

/// One complete HTTP response. `body` is already decompressed (gzip/deflate).
struct response {
    unsigned status = 0;
    beast_http::fields headers;
    std::string body;

    bool reused_connection = false;          ///< sent over a kept-alive connection
    std::chrono::nanoseconds elapsed{};      ///< from pool acquisition to the last body byte

    std::string_view header(std::string_view name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string_view{} : std::string_view{it->value()};
    }
};

/// Receives a streamed response body chunk by chunk (used for file downloads). Returning an error
/// aborts the transfer and discards the connection.
using body_sink = std::function<boost::system::error_code(std::string_view chunk)>;

/// Per-attempt settings the transport honours.
struct send_options {
    /// Budget for writing the request and reading the whole response, once a connection is held.
    std::chrono::milliseconds attempt_timeout{std::chrono::seconds(30)};

    /// If set, a 2xx body is streamed here instead of being collected in `response::body`
    /// (and the body size limit does not apply). Non-2xx bodies are still collected.
    body_sink sink;

    /// Open a new connection for this send instead of reusing an idle one. The pipeline sets it
    /// when it resends a request whose kept-alive connection turned out to be closed.
    bool fresh_connection = false;

    /// Let the transport itself resend once on a fresh connection when a *reused* connection was
    /// closed by the peer before answering (see `https_transport`). The pipeline turns this off
    /// and makes that decision in its retry machine, so the resend is paced by the rate limiter.
    bool resend_on_fresh_connection = true;
};

} // namespace intercom::http
