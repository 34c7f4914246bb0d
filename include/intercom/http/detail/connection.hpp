// One pooled HTTP/1.1 connection (plain TCP or TLS) and its bookkeeping.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstddef>
#include <optional>

namespace intercom::http::detail {

using steady_clock = std::chrono::steady_clock;

/// Beast's tcp_stream runs its timeout handler on the stream's executor, so every operation on one
/// connection must be serialized with it. With `io_threading::any_thread` the executor is the
/// connection's own strand and attempts run on it; with `one_thread` it is the executor of the
/// coroutine that opened the connection (one thread serializes everything). Only one request uses
/// a connection at a time.
struct connection {
    explicit connection(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}
    ~connection() { close(); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    boost::asio::any_io_executor executor;  ///< the executor of the streams below
    std::optional<boost::beast::tcp_stream> plain;                          ///< set for http://
    std::optional<boost::asio::ssl::stream<boost::beast::tcp_stream>> tls;  ///< set for https://
    boost::beast::flat_buffer buffer;  ///< bytes read past the last response stay here
    steady_clock::time_point created_at{};
    steady_clock::time_point last_used{};
    std::size_t requests_served = 0;
    bool established = false;  ///< connected (and handshaken); false for a fresh, empty connection

    /// The TCP layer, whichever stream is in use. Precondition: `plain` or `tls` is set.
    boost::beast::tcp_stream& tcp() noexcept { return plain ? *plain : tls->next_layer(); }

    /// A cheap check before reuse: unread bytes in `buffer`, for TLS bytes already inside OpenSSL
    /// or the BIO Asio feeds it, then a non-blocking MSG_PEEK. EOF, an error or any unexpected
    /// byte (a keep-alive connection must be silent between responses: a stray response would be
    /// read as the answer to the next request) mean the peer is gone or confused. Connections
    /// without a socket (unit tests) are considered alive.
    bool looks_alive() const noexcept;

    /// Closes the socket without a TLS close_notify (we are discarding, not negotiating).
    void close() noexcept;
};

} // namespace intercom::http::detail
