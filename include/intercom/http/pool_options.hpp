// Options of the per-origin connection pool and of the HTTPS transport.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace intercom::http {

/// Bounds and lifetimes of the connections to one origin.
struct pool_options {
    /// Most connections open at once to one origin. 16 covers Intercom's default budget
    /// (10,000 calls/min = ~167/s) at RTTs up to ~95 ms without queueing, while staying far
    /// below what a server treats as abusive. Raise it for high-latency links or bigger budgets.
    std::size_t max_connections = 16;

    /// How long a request may wait for a free connection before failing with `pool_wait_timeout`.
    std::chrono::milliseconds wait_timeout{std::chrono::seconds(30)};

    /// Idle connections older than this are closed (load balancers commonly drop at 60 s).
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};

    /// How often idle connections are checked in the background and closed when past
    /// `idle_timeout` or their limits, or when the peer closed them (or sent stray bytes). Acquiring a
    /// connection checks only the one it hands out. 0 disables the background check.
    std::chrono::milliseconds prune_interval{std::chrono::seconds(1)};

    /// A connection is retired after this long, even if busy, so DNS changes are picked up.
    std::chrono::milliseconds max_lifetime{std::chrono::minutes(10)};

    /// A connection is retired after serving this many requests; 0 means no limit.
    std::size_t max_requests_per_connection = 10'000;
};

/// Peer verification. There is deliberately no boolean: turning it off must be spelled out.
enum class peer_verification {
    enabled,                          ///< verify chain and host name (default)
    insecure_disabled_for_testing,    ///< accept any certificate; never use against real servers
};

/// How TLS peers are trusted.
struct tls_options {
    peer_verification verification = peer_verification::enabled;
    bool use_system_trust_store = true;  ///< load the OS default CA paths
    std::string ca_file;                 ///< extra CA bundle file (PEM), e.g. for a private proxy
    std::string ca_pem;                  ///< extra CA certificate(s) as PEM text, e.g. a test CA
};

/// Size limits that protect memory against a broken or hostile server.
///
/// A buffered body (every answer that is not streamed to a `body_sink`) may hold at most
/// `max_body_bytes` after decompression; a larger declared `Content-Length` fails with
/// `errc::body_too_large` before any of the body is read, a longer chunked or close-delimited body
/// as soon as the limit is passed. A body streamed to a sink (data export downloads) is not held in
/// memory, so it has no cap unless `max_streamed_body_bytes` sets one.
struct response_limits {
    std::size_t max_header_bytes = 64 * 1024;           ///< status line + headers
    std::size_t max_body_bytes = 64 * 1024 * 1024;      ///< buffered bodies, after decompression
    std::size_t max_streamed_body_bytes = 0;            ///< streamed (sink) bodies; 0 = no cap
};

/// Where an attempt's socket I/O runs.
enum class io_threading {
    /// Each connection has its own strand and every attempt runs on it, so coroutines on any
    /// number of threads of one io_context may share the transport. The default.
    any_thread,
    /// Attempts run inline in the calling coroutine, with no strand and no hop: the fastest mode
    /// (see benchmarks/README.md). Only for an io_context run by a single thread, or when every
    /// coroutine that calls the transport runs on the same strand.
    one_thread,
};

/// Everything the HTTPS transport needs; shared by all clients that share the transport.
struct transport_options {
    pool_options pool;
    tls_options tls;
    response_limits limits;
    std::chrono::milliseconds resolve_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds(10)};
    bool request_gzip = true;  ///< send `Accept-Encoding: gzip` and decode gzip bodies

    /// `one_thread` removes the per-attempt strand hop; use it when one thread runs the io_context.
    io_threading threading = io_threading::any_thread;

    /// Plain `http://` is refused for hosts other than loopback unless this is set.
    bool allow_plain_http_to_remote_hosts = false;
};

/// A snapshot of one pool's counters.
struct pool_stats {
    std::size_t open = 0;      ///< connections currently open (idle + in use + connecting)
    std::size_t idle = 0;      ///< open and available
    std::size_t in_use = 0;    ///< leased to a request
    std::size_t waiters = 0;   ///< requests waiting for a connection
    std::size_t created = 0;   ///< connections opened since start
    std::size_t reused = 0;    ///< requests served by an already-used connection
    std::size_t discarded = 0; ///< connections closed because broken, expired or idle too long
};

} // namespace intercom::http
