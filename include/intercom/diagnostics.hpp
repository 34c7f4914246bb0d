// Everything known about a failed call, beyond its error code.
#pragma once

#include <intercom/rate_limit.hpp>

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intercom {

/// One entry of Intercom's `error.list` body: `{"code": ..., "message": ..., "field": ...}`.
/// `code` is an open set of strings (`not_found`, `parameter_invalid`, `rate_limit_exceeded`, ...).
struct api_error_entry {
    std::string code;
    std::optional<std::string> message;
    std::optional<std::string> field;

    friend bool operator==(const api_error_entry&, const api_error_entry&) = default;
};

/// How far a request got before it failed. The retry policy uses this to decide whether a
/// non-idempotent request can be sent again (only if it provably never reached the server).
enum class request_stage : unsigned char {
    not_sent,          ///< failed before any byte was written (pool wait, resolve, connect, TLS)
    partially_sent,    ///< failed while writing the request
    sent,              ///< fully written, no response byte received
    response_started,  ///< some of the response was received
    completed,         ///< a complete response was received (HTTP errors end here)
};

/// The maximum number of body bytes kept in `diagnostics::body_excerpt`.
inline constexpr std::size_t body_excerpt_limit = 2048;

/// Details of a failure. Never contains the bearer token.
struct diagnostics {
    unsigned http_status = 0;                   ///< 0 when no response was received
    std::string request_id;                     ///< `request_id` of the body, else `X-Request-Id`
    std::vector<api_error_entry> errors;        ///< every entry of an `error.list` body
    std::string body_excerpt;                   ///< first `body_excerpt_limit` bytes of the body
    std::optional<rate_limit_snapshot> rate_limit; ///< the last X-RateLimit-* seen for this call
    boost::system::error_code cause;            ///< underlying system/TLS/parser error, if any
    std::string message;                        ///< a human-readable summary
    std::string method;                         ///< HTTP method of the failing request
    std::string target;                         ///< path and query of the failing request
    unsigned attempts = 0;                      ///< how many attempts were made (1 = no retry)
    request_stage stage = request_stage::not_sent;
    bool reused_connection = false;             ///< the failed attempt used a kept-alive connection

    /// The first `error.list` code, or an empty view.
    std::string_view first_error_code() const noexcept {
        return errors.empty() ? std::string_view{} : std::string_view{errors.front().code};
    }

    /// Parses an Intercom error body into `errors` and `request_id` (also tolerates the
    /// `{"error_key": ..., "message": ...}` shape some endpoints use). Unparsable bodies are
    /// left alone; this never throws.
    void parse_error_body(std::string_view body);

    /// Stores at most `body_excerpt_limit` bytes of `body`.
    void set_body_excerpt(std::string_view body);
};

} // namespace intercom
