// Error codes of intercom-cpp: one category for everything the library reports.
#pragma once

#include <boost/system/error_code.hpp>

#include <iosfwd>
#include <string_view>
#include <type_traits>

namespace intercom {

/// Every failure the library reports, as a `boost::system::error_code` in `intercom::error_category()`.
///
/// The underlying cause (an errno, an OpenSSL error, a Beast parser error) is kept separately in
/// `diagnostics::cause`, so callers can branch on these stable values and still log the details.
enum class errc : int {
    // --- HTTP status families (the server answered) ---
    bad_request = 1,          ///< 400
    unauthorized,             ///< 401: missing, invalid or revoked token
    payment_required,         ///< 402
    forbidden,                ///< 403, including `api_plan_restricted`
    not_found,                ///< 404
    method_not_allowed,       ///< 405
    not_acceptable,           ///< 406
    request_timeout,          ///< 408 from the server
    conflict,                 ///< 409
    unsupported_media_type,   ///< 415
    unprocessable_entity,     ///< 422
    rate_limited,             ///< 429
    client_error,             ///< any other 4xx
    internal_server_error,    ///< 500
    bad_gateway,              ///< 502
    service_unavailable,      ///< 503
    gateway_timeout,          ///< 504
    server_error,             ///< any other 5xx
    unexpected_status,        ///< 1xx or 3xx where a final 2xx was expected

    // --- transport ---
    resolve_failed = 100,     ///< DNS lookup failed
    connect_failed,           ///< TCP connect refused or unreachable
    connect_timeout,          ///< TCP connect did not finish in time
    tls_handshake_failed,     ///< TLS handshake failed for a reason other than verification
    tls_verification_failed,  ///< the peer certificate is untrusted, expired or for another host
    tls_handshake_timeout,    ///< TLS handshake did not finish in time
    attempt_timeout,          ///< one attempt (write + read) exceeded its time budget
    deadline_exceeded,        ///< the overall deadline of a call (all attempts) passed
    pool_wait_timeout,        ///< no pooled connection became free in time
    pool_closed,              ///< the connection pool was shut down
    connection_closed,        ///< the peer closed or reset the connection before a complete response
    body_too_large,           ///< the response body exceeded the configured limit
    header_too_large,         ///< the response header exceeded the configured limit
    malformed_response,       ///< the bytes received are not valid HTTP/1.1
    decompression_failed,     ///< a gzip/deflate body could not be decoded

    // --- payload and caller ---
    decode_error = 200,       ///< the body is not the JSON (or shape) the operation expects
    invalid_argument,         ///< the caller passed something the library cannot send
    invalid_url,              ///< base URL or target cannot be parsed
    insecure_url_refused,     ///< plain http:// to a non-loopback host without explicit permission
    cancelled,                ///< the caller cancelled the operation
    invalid_query,            ///< a search query failed validation before being sent
    pagination_stuck,         ///< a paginated listing repeated a cursor or stopped advancing
    scroll_expired,           ///< a companies scroll parameter is no longer valid
    callback_failed,          ///< user code (middleware, event hook, logger, body sink) threw; see diag.message

    // --- webhooks (intercom/webhooks) ---
    signature_malformed = 300, ///< the X-Hub-Signature header is missing, lacks `sha1=` or is not 40 hex digits
    signature_mismatch,        ///< the signature is well formed but is not the HMAC of the body with the secret
};

/// The category of `intercom::errc`. Its name is "intercom".
const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// Prints the code's name and message, e.g. `intercom:12 (rate limited (HTTP 429))`.
std::ostream& operator<<(std::ostream& os, errc e);

/// The error code for a non-2xx HTTP status (the single place where statuses map to errors).
/// Returns an empty code for 2xx.
boost::system::error_code error_from_http_status(unsigned status) noexcept;

/// True for errors where the server answered with a status (as opposed to transport failures).
bool is_http_error(const boost::system::error_code& ec) noexcept;

/// True for failures that may succeed when tried again later, independent of the request's
/// idempotency: 408, 429, 5xx and transport failures (connect, reset, timeouts).
/// Whether a *specific* request may be resent is decided by the retry policy, not here.
bool is_transient(const boost::system::error_code& ec) noexcept;

} // namespace intercom

namespace boost::system {
template <>
struct is_error_code_enum<intercom::errc> : std::true_type {};
} // namespace boost::system
