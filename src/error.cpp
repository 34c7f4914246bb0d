#include <intercom/error.hpp>

#include <ostream>
#include <string>

namespace intercom {
namespace {

class category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "intercom"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::bad_request: return "bad request (HTTP 400)";
        case errc::unauthorized: return "unauthorized (HTTP 401): the access token is missing or invalid";
        case errc::payment_required: return "payment required (HTTP 402)";
        case errc::forbidden: return "forbidden (HTTP 403)";
        case errc::not_found: return "not found (HTTP 404)";
        case errc::method_not_allowed: return "method not allowed (HTTP 405)";
        case errc::not_acceptable: return "not acceptable (HTTP 406)";
        case errc::request_timeout: return "request timeout (HTTP 408)";
        case errc::conflict: return "conflict (HTTP 409)";
        case errc::unsupported_media_type: return "unsupported media type (HTTP 415)";
        case errc::unprocessable_entity: return "unprocessable entity (HTTP 422)";
        case errc::rate_limited: return "rate limited (HTTP 429)";
        case errc::client_error: return "client error (HTTP 4xx)";
        case errc::internal_server_error: return "internal server error (HTTP 500)";
        case errc::bad_gateway: return "bad gateway (HTTP 502)";
        case errc::service_unavailable: return "service unavailable (HTTP 503)";
        case errc::gateway_timeout: return "gateway timeout (HTTP 504)";
        case errc::server_error: return "server error (HTTP 5xx)";
        case errc::unexpected_status: return "unexpected HTTP status";
        case errc::resolve_failed: return "host name resolution failed";
        case errc::connect_failed: return "TCP connect failed";
        case errc::connect_timeout: return "TCP connect timed out";
        case errc::tls_handshake_failed: return "TLS handshake failed";
        case errc::tls_verification_failed: return "TLS certificate verification failed";
        case errc::tls_handshake_timeout: return "TLS handshake timed out";
        case errc::attempt_timeout: return "request attempt timed out";
        case errc::deadline_exceeded: return "call deadline exceeded";
        case errc::pool_wait_timeout: return "timed out waiting for a pooled connection";
        case errc::pool_closed: return "connection pool is closed";
        case errc::connection_closed: return "connection closed before a complete response";
        case errc::body_too_large: return "response body exceeds the configured limit";
        case errc::header_too_large: return "response header exceeds the configured limit";
        case errc::malformed_response: return "malformed HTTP response";
        case errc::decompression_failed: return "response body could not be decompressed";
        case errc::decode_error: return "response could not be decoded";
        case errc::invalid_argument: return "invalid argument";
        case errc::invalid_url: return "invalid URL";
        case errc::insecure_url_refused: return "plain http:// to a non-loopback host is refused";
        case errc::cancelled: return "operation cancelled";
        case errc::invalid_query: return "invalid search query";
        case errc::pagination_stuck: return "pagination did not advance";
        case errc::scroll_expired: return "scroll parameter expired";
        case errc::callback_failed: return "a user callback threw an exception";
        case errc::signature_malformed: return "webhook signature header missing or malformed";
        case errc::signature_mismatch: return "webhook signature does not match the body";
        }
        return "unknown intercom error " + std::to_string(ev);
    }
};

} // namespace

const boost::system::error_category& error_category() noexcept {
    static const category_impl instance;
    return instance;
}

std::ostream& operator<<(std::ostream& os, errc e) {
    return os << "intercom:" << static_cast<int>(e) << " (" << error_category().message(static_cast<int>(e)) << ')';
}

boost::system::error_code error_from_http_status(unsigned status) noexcept {
    if (status >= 200 && status < 300) return {};
    switch (status) {
    case 400: return errc::bad_request;
    case 401: return errc::unauthorized;
    case 402: return errc::payment_required;
    case 403: return errc::forbidden;
    case 404: return errc::not_found;
    case 405: return errc::method_not_allowed;
    case 406: return errc::not_acceptable;
    case 408: return errc::request_timeout;
    case 409: return errc::conflict;
    case 415: return errc::unsupported_media_type;
    case 422: return errc::unprocessable_entity;
    case 429: return errc::rate_limited;
    case 500: return errc::internal_server_error;
    case 502: return errc::bad_gateway;
    case 503: return errc::service_unavailable;
    case 504: return errc::gateway_timeout;
    default: break;
    }
    if (status >= 400 && status < 500) return errc::client_error;
    if (status >= 500 && status < 600) return errc::server_error;
    return errc::unexpected_status;
}

bool is_http_error(const boost::system::error_code& ec) noexcept {
    return ec.category() == error_category() && ec.value() >= static_cast<int>(errc::bad_request) &&
           ec.value() <= static_cast<int>(errc::unexpected_status);
}

bool is_transient(const boost::system::error_code& ec) noexcept {
    if (ec.category() != error_category()) return false;
    switch (static_cast<errc>(ec.value())) {
    case errc::request_timeout:
    case errc::rate_limited:
    case errc::internal_server_error:
    case errc::bad_gateway:
    case errc::service_unavailable:
    case errc::gateway_timeout:
    case errc::connect_failed:
    case errc::connect_timeout:
    case errc::tls_handshake_timeout:
    case errc::attempt_timeout:
    case errc::connection_closed:
    case errc::resolve_failed:
    case errc::pool_wait_timeout:
        return true;
    default:
        return false;
    }
}

} // namespace intercom
