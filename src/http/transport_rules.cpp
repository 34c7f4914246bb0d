#include <intercom/http/detail/transport_rules.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/experimental/channel_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace intercom::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

errc classify_io_error(const boost::system::error_code& ec, io_phase phase) noexcept {
    if (ec == asio::error::operation_aborted || ec == asio::experimental::error::channel_cancelled)
        return errc::cancelled;
    if (ec == beast::error::timeout || ec == asio::error::timed_out) {
        switch (phase) {
        case io_phase::resolve:
            return errc::resolve_failed;
        case io_phase::connect:
            return errc::connect_timeout;
        case io_phase::handshake:
            return errc::tls_handshake_timeout;
        case io_phase::exchange:
            return errc::attempt_timeout;
        }
    }
    switch (phase) {
    case io_phase::resolve:
        return errc::resolve_failed;
    case io_phase::connect:
        return errc::connect_failed;
    case io_phase::handshake:
        return errc::tls_handshake_failed;
    case io_phase::exchange:
        break;
    }
    namespace bh = beast::http;
    if (ec == bh::error::header_limit || ec == bh::error::buffer_overflow) return errc::header_too_large;
    if (ec == bh::error::body_limit) return errc::body_too_large;
    if (ec == bh::error::end_of_stream || ec == bh::error::partial_message || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::error::connection_aborted || ec == asio::error::not_connected ||
        ec == asio::error::bad_descriptor || ec == asio::ssl::error::stream_truncated)
        return errc::connection_closed;
    if (ec.category() == bh::make_error_code(bh::error::bad_version).category()) return errc::malformed_response;
    return errc::connection_closed;
}

bool may_retry_on_fresh_connection(bool reused, errc code, request_stage stage, bool idempotent) noexcept {
    if (!reused || code != errc::connection_closed) return false;
    switch (stage) {
    case request_stage::not_sent:
    case request_stage::partially_sent:
        return true;
    case request_stage::sent:
        return idempotent;
    case request_stage::response_started:
    case request_stage::completed:
        return false;
    }
    return false;
}

} // namespace intercom::http::detail
