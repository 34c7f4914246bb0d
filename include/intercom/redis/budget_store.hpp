// A rate-limit budget shared by many processes and machines through Redis.
//
// Intercom's budget belongs to an app (and a workspace), not to a process: N workers with
// in-process limiters each believe they own the whole window and together cause 429s. This store
// keeps the window in Redis, where a Lua script applies the `pipeline::budget_store` contract
// atomically for every process that uses the same key.
//
// Failure policy:
// - Every Redis command has a deadline (`command_timeout`, default 50 ms); connecting has its own
//   (`connect_timeout`). A request never waits on Redis longer than that.
// - Redis unreachable, slow, or answering errors: the store switches to `mode::fallback`, an
//   in-process `local_budget_store` that grants a conservative share of the last known budget
//   (`fallback_limit`, or `fallback_share` of the learned limit). It logs the switch once, drops
//   the connection, and reconnects in the background with exponential backoff. When a connection
//   is back (and the script loaded), accounting is shared again and the recovery is logged once.
// - Until the first connection attempt completes, requests wait for it (at most
//   `connect_timeout`), then use the fallback.
// - All hiredis calls of a store run on one strand of the executor given at construction, so the
//   io_context may be multi-threaded; callers may await the store from any executor. That
//   io_context must keep running while the store is used, and outlive the store.
// - Cold start: until some process has seen an X-RateLimit-* header (and without
//   `initial_limit`), requests are admitted unpaced, bounded by each limiter's `max_in_flight`;
//   the first snapshot then subtracts every process' blind admissions. Depending on which answer
//   arrives first, part of that first window may stay unused: set `initial_limit` to avoid it.
#pragma once

#include <intercom/pipeline/rate_limiter.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace intercom::redis {

/// Settings of a Redis `budget_store`. Defaults suit one Redis next to the workers.
struct budget_store_options {
    /// `redis://[[user]:password@]host[:port][/db]`. Host: an IP address or a name (resolved
    /// synchronously by hiredis when connecting). Port 6379 and db 0 by default.
    std::string url = "redis://127.0.0.1:6379/0";
    /// Prefix of the Redis keys; the store uses `<key_prefix>{<name>}:w` (current window, expires
    /// shortly after the window ends) and `<key_prefix>{<name>}:m` (learned limit and window
    /// length, expires after `meta_ttl`). The braces keep both keys in one Redis Cluster slot.
    std::string key_prefix = "intercom:budget:";
    /// Which budget: e.g. the Intercom app id or workspace id. Processes that use the same token
    /// must use the same name; different apps must not.
    std::string name = "default";
    /// Deadline of one Redis command (including a script reload). Past it, the store falls back.
    std::chrono::milliseconds command_timeout{50};
    /// Deadline of connecting (TCP connect plus AUTH/SELECT/SCRIPT LOAD).
    std::chrono::milliseconds connect_timeout{250};
    /// First wait between reconnection attempts; doubles up to `reconnect_backoff_max`.
    std::chrono::milliseconds reconnect_backoff{100};
    std::chrono::milliseconds reconnect_backoff_max{std::chrono::seconds(5)};
    /// Fallback budget per window while Redis is away: this share of the last known limit (at
    /// least 1). 0.25 suits up to about four processes sharing the budget; set it to 1/N for N.
    double fallback_share = 0.25;
    /// Fallback budget per window, overriding `fallback_share` when set.
    std::optional<std::int64_t> fallback_limit;
    /// Window length until the server's resets show a shorter one (Intercom: 10 s).
    std::chrono::milliseconds window{std::chrono::seconds(10)};
    /// Budget per window assumed before any process has seen an X-RateLimit-* header. Unset:
    /// admit until headers arrive (as `local_budget_options::initial_limit`).
    std::optional<std::int64_t> initial_limit;
    /// Wait after a window's reset before spending the next window (as in `local_budget_options`).
    std::chrono::milliseconds reset_margin{200};
    /// Lifetime of the learned limit and window length in Redis after the last update.
    std::chrono::milliseconds meta_ttl{std::chrono::hours(1)};
    /// Receives one line per mode change (fallback entered, shared accounting resumed), called on
    /// the store's strand; never contains the password. Optional.
    std::function<void(std::string_view)> log;
};

/// Where the store's answers currently come from.
enum class store_mode {
    connecting, ///< first connection attempt under way
    shared,     ///< Redis
    fallback,   ///< in-process share of the budget; reconnecting in the background
};

/// "connecting", "shared" or "fallback".
constexpr const char* to_string(store_mode m) noexcept {
    switch (m) {
    case store_mode::connecting:
        return "connecting";
    case store_mode::shared:
        return "shared";
    case store_mode::fallback:
        break;
    }
    return "fallback";
}

/// Counters for tests and metrics.
struct store_stats {
    std::uint64_t redis_acquires = 0;    ///< try_acquire answered by Redis
    std::uint64_t fallback_acquires = 0; ///< try_acquire answered by the fallback
    std::uint64_t redis_updates = 0;
    std::uint64_t fallbacks = 0;  ///< times the store switched to the fallback
    std::uint64_t reconnects = 0; ///< times shared accounting resumed after a fallback
    std::uint64_t script_loads = 0;
};

/// A `pipeline::budget_store` kept in Redis. Thread-safe. Give it to `rate_limiter_options::store`.
class budget_store final : public pipeline::budget_store {
public:
    /// Starts connecting at once on a strand of `ex`. Throws `std::invalid_argument` on a bad URL.
    budget_store(boost::asio::any_io_executor ex, budget_store_options opts);
    /// Closes the connection (asynchronously, on the strand; keep the io_context running a little
    /// if a clean QUIT matters: an unclean close is harmless to Redis).
    ~budget_store() override;
    budget_store(const budget_store&) = delete;
    budget_store& operator=(const budget_store&) = delete;

    boost::asio::awaitable<pipeline::budget_grant> try_acquire(pipeline::budget_query q) override;
    boost::asio::awaitable<void> update(rate_limit_snapshot s, pipeline::budget_query q) override;
    /// The last view of the budget: Redis' after a shared call, the fallback's in fallback mode.
    std::optional<rate_limit_snapshot> snapshot() const override;

    store_mode mode() const noexcept;
    store_stats stats() const;
    /// The Redis key of the current window (the other key ends in `:m` instead of `:w`).
    std::string window_key() const;
    std::string meta_key() const;
    const budget_store_options& options() const noexcept;

    struct impl; ///< internal

private:
    std::shared_ptr<impl> impl_;
};

} // namespace intercom::redis
