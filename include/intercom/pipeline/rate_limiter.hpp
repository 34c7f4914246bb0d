// Client-side pacing: a window budget learned from X-RateLimit-* headers, plus a cap on requests
// in flight. Shared by every call of a client and shareable by several clients.
#pragma once

#include <intercom/pipeline/clock.hpp>
#include <intercom/rate_limit.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace intercom::pipeline {

/// What a budget store is told with each query.
struct budget_query {
    std::chrono::system_clock::time_point now;  ///< wall time of the query
    /// Requests this process admitted that have no answer yet (for `update`: not counting the one
    /// whose answer is being reported). The server may count them in a later window than we did.
    std::size_t unanswered = 0;
};

/// Answer of `budget_store::try_acquire`.
struct budget_grant {
    bool admitted = false;
    /// When not admitted: the earliest wall time worth asking again (the window reset).
    std::chrono::system_clock::time_point retry_at{};
};

/// The bookkeeping of one rate-limit budget (one Intercom app or workspace).
///
/// Contract (what an implementation, e.g. a Redis-backed one shared by several processes, must do):
/// - Time is wall time (`system_clock`), because the server reports the window end
///   (`X-RateLimit-Reset`) as Unix seconds; all processes sharing a store compare against it.
/// - `try_acquire(q)` atomically takes one request from the current window's remaining budget
///   and returns `admitted = true`, or returns `admitted = false` with `retry_at` = end of the
///   current window. When the window known to the store has ended at `q.now`, the store starts the
///   next one (same length) with `limit - q.unanswered` remaining (requests still on the way may
///   be counted by the server in the new window) before deciding. When no limit has been learned
///   yet, it applies its initial policy (the in-process store admits, or uses a configured guess).
/// - `update(s, q)` merges a server snapshot: a snapshot for the current window lowers the
///   remaining budget to `min(local, s.remaining)` (never raises it: requests admitted but not yet
///   seen by the server must stay counted); a snapshot for a later window (or the first one ever)
///   replaces the window (end = `s.reset`, remaining = `s.remaining - q.unanswered`); a snapshot
///   for an earlier window only updates the learned limit, unless that window is still running
///   at `q.now` (the store rolled over too early): then the store follows the server's window.
///   Windows whose ends differ by less than 500 ms are the same window. A missing reset (epoch)
///   means "ends `window` after now". The in-process store also learns the window length from
///   the gap between consecutive resets (never longer than `window`), and starts each new window
///   with `min(limit, largest remaining + 1 ever reported)`, in case `X-RateLimit-Limit` states a
///   per-minute figure while the server enforces per-window budgets.
/// - Both are called concurrently from many coroutines (and threads); they must be atomic with
///   respect to each other. They must not block for long: a remote store should be given its own
///   timeouts and fail open (admit) rather than stall every request.
/// - `snapshot()` returns the store's current view (limit, remaining, reset) or nullopt if unknown.
class budget_store {
public:
    virtual ~budget_store() = default;
    virtual boost::asio::awaitable<budget_grant> try_acquire(budget_query q) = 0;
    virtual boost::asio::awaitable<void> update(rate_limit_snapshot s, budget_query q) = 0;
    virtual std::optional<rate_limit_snapshot> snapshot() const = 0;
};

/// Settings of the in-process `local_budget_store`.
struct local_budget_options {
    /// Length of a rate-limit window until two server resets show a shorter one (Intercom: 10 s).
    std::chrono::milliseconds window{std::chrono::seconds(10)};
    /// Budget per window assumed before the first X-RateLimit-* header. Unset (default): admit
    /// everything until headers arrive. Limits differ per app and plan (from ~167 to ~1,667 per
    /// window), so any fixed guess would either throttle large apps or not protect small ones;
    /// meanwhile `max_in_flight` bounds what goes out before the first response teaches the budget.
    std::optional<std::int64_t> initial_limit;
    /// Extra wait after a window's reset before spending the new window's budget. Absorbs clock
    /// skew and second-granularity resets (a request sent just before the server's reset would
    /// be counted in the old, exhausted window). Costs ~2% of a 10 s window.
    std::chrono::milliseconds reset_margin{200};
};

/// A mutex-protected in-process budget store.
class local_budget_store final : public budget_store {
public:
    explicit local_budget_store(local_budget_options o = {});
    ~local_budget_store() override;
    boost::asio::awaitable<budget_grant> try_acquire(budget_query q) override;
    boost::asio::awaitable<void> update(rate_limit_snapshot s, budget_query q) override;
    std::optional<rate_limit_snapshot> snapshot() const override;

    /// The synchronous core of `try_acquire` / `update` (also used by tests).
    budget_grant acquire_now(const budget_query& q);
    void update_now(const rate_limit_snapshot& s, const budget_query& q);

private:
    struct state;
    std::unique_ptr<state> st_;
};

/// Settings of a `rate_limiter`.
struct rate_limiter_options {
    /// Requests sent concurrently at most, across all clients sharing the limiter. Waiting
    /// requests hold no connection. 16 matches the default connection pool size, so requests wait
    /// here (cheaply, in order) instead of in the pool.
    std::size_t max_in_flight = 16;
    /// Budget bookkeeping. Null: a `local_budget_store` with default options.
    std::shared_ptr<budget_store> store;
    /// Time seam. Null: the real clock and sleeper.
    std::shared_ptr<pipeline::clock> clock;
    std::shared_ptr<pipeline::sleeper> sleeper;
};

/// An admission: holds one in-flight slot until destroyed (or `release()`d).
class rate_limit_permit {
public:
    rate_limit_permit() = default;
    rate_limit_permit(rate_limit_permit&& o) noexcept;
    rate_limit_permit& operator=(rate_limit_permit&& o) noexcept;
    rate_limit_permit(const rate_limit_permit&) = delete;
    rate_limit_permit& operator=(const rate_limit_permit&) = delete;
    ~rate_limit_permit();
    void release() noexcept;
    bool valid() const noexcept { return owner_ != nullptr; }

private:
    friend class rate_limiter;
    struct owner;
    explicit rate_limit_permit(std::shared_ptr<owner> o) : owner_(std::move(o)) {}
    std::shared_ptr<owner> owner_;
};

/// Result of `rate_limiter::acquire`.
struct admission {
    /// Empty when admitted. `cancelled`; `deadline_exceeded` (no in-flight slot became free in
    /// time); `rate_limited` (the window budget is spent and the window ends after the deadline, so
    /// waiting could not help: `budget_wait` says how long it would have been).
    boost::system::error_code error;
    rate_limit_permit permit;
    std::chrono::nanoseconds waited_for_budget{}; ///< time slept because the window was exhausted
    std::chrono::nanoseconds budget_wait{};       ///< with `rate_limited`: the wait that did not fit
};

/// Paces requests. `acquire` first takes an in-flight slot (FIFO), then a unit of window budget,
/// sleeping until the window resets when the budget is exhausted. `observe` feeds it every
/// response's X-RateLimit-* headers (including 429s).
class rate_limiter {
public:
    explicit rate_limiter(rate_limiter_options o = {});
    ~rate_limiter();
    rate_limiter(const rate_limiter&) = delete;
    rate_limiter& operator=(const rate_limiter&) = delete;

    /// Waits for admission, at most until `deadline` (of the limiter's clock). Completes with
    /// `errc::cancelled` on terminal cancellation, `errc::deadline_exceeded` when no in-flight slot
    /// frees up in time, `errc::rate_limited` at once when the window budget is spent and the
    /// window ends after the deadline.
    boost::asio::awaitable<admission> acquire(std::chrono::steady_clock::time_point deadline);

    /// Learns from a response (any status).
    boost::asio::awaitable<void> observe(rate_limit_snapshot s);

    std::optional<rate_limit_snapshot> snapshot() const;
    std::size_t in_flight() const;
    std::size_t waiting() const;
    const rate_limiter_options& options() const noexcept;

private:
    friend class rate_limit_permit;
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace intercom::pipeline
