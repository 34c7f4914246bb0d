// Pure decisions of the HTTPS transport (error mapping, retry rule), testable without sockets.
#pragma once

#include <intercom/diagnostics.hpp>
#include <intercom/error.hpp>

#include <boost/system/error_code.hpp>

namespace intercom::http::detail {

/// Where in the life of a request a low-level error happened.
enum class io_phase { resolve, connect, handshake, exchange };

/// Maps an Asio/Beast/OpenSSL error to the library's code. Certificate verification failures are
/// detected separately (they need the SSL object), see https_transport.cpp.
errc classify_io_error(const boost::system::error_code& ec, io_phase phase) noexcept;

/// The one transparent retry: allowed only after a *reused* keep-alive connection failed because
/// the peer closed it before any response byte arrived. Idempotent requests are always resent;
/// others only if they were not completely written (stage not_sent or partially_sent), because a
/// fully written request may have been executed by the server.
bool may_retry_on_fresh_connection(bool reused, errc code, request_stage stage, bool idempotent) noexcept;

} // namespace intercom::http::detail
