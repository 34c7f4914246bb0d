// The default transport: HTTP/1.1 over TLS (or plain TCP for local http:// URLs) with Beast,
// one bounded keep-alive connection pool per origin.
#pragma once

#include <intercom/http/pool_options.hpp>
#include <intercom/http/transport.hpp>

#include <memory>

namespace intercom::http {

/// Sends requests over pooled Beast connections. Share one instance between clients to share
/// connections (one pool per origin); each client still sends its own token.
///
/// Thread safety: safe to use from coroutines running on several threads of one io_context.
/// Object lifetime: in-flight operations keep the internals alive; `close()` (or destruction)
/// fails waiters with `errc::pool_closed` and closes idle connections without blocking.
/// Destroy the transport before the io_context whose executor it was given.
///
/// Pool model (see detail/connection_pool.hpp): one bounded pool per origin, FIFO waiters,
/// LIFO idle reuse after a liveness check, and one transparent retry on a fresh connection when a
/// *reused* connection is closed by the peer before any response byte (idempotent requests
/// always; others only if not completely written), unless `send_options::resend_on_fresh_connection`
/// is off (the pipeline turns it off and decides the resend itself, see pipeline/retry_machine.hpp).
///
/// Threads: see `transport_options::threading`. With the default `any_thread`, each connection
/// has its own strand and every attempt runs there; with `one_thread` attempts run inline in the
/// calling coroutine.
class https_transport final : public transport {
public:
    explicit https_transport(boost::asio::any_io_executor ex, transport_options opts = {});
    ~https_transport() override;

    https_transport(const https_transport&) = delete;
    https_transport& operator=(const https_transport&) = delete;

    boost::asio::awaitable<result<response>> send(origin to, request req, send_options opts) override;
    boost::asio::any_io_executor get_executor() override;

    /// True: the whole send (connection wait, resolve, connect, TLS handshake, write and read) is
    /// bounded by `send_options::attempt_timeout`, the exchange itself by the stream's expiry.
    bool enforces_attempt_timeout() const noexcept override;

    /// Counters of the pool for `to` (all zero if no request went there yet).
    pool_stats stats(const origin& to) const;

    /// Stops accepting requests, fails waiters and closes idle connections. Idempotent.
    void close();

    const transport_options& options() const noexcept;

    struct impl;  ///< opaque; public only so the implementation's free functions can name it

private:
    std::shared_ptr<impl> impl_;
};

} // namespace intercom::http
