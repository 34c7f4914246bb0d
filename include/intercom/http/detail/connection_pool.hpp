// The bounded connection pool of one origin.
#pragma once

#include <intercom/http/detail/connection.hpp>
#include <intercom/http/pool_options.hpp>
#include <intercom/result.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace intercom::http::detail {

class connection_pool;

/// The right to use one slot of a pool: either an established connection taken from the idle
/// list, or a permit to open a new one (`get() == nullptr` until `adopt()`).
/// Destroying an unreleased lease discards its connection, so an exception or a cancelled
/// coroutine can never leak a slot.
class pool_lease {
public:
    pool_lease() = default;
    pool_lease(pool_lease&& o) noexcept;
    pool_lease& operator=(pool_lease&& o) noexcept;
    ~pool_lease();

    connection* get() const noexcept { return conn_.get(); }
    /// True if the connection already served a request before this lease.
    bool reused() const noexcept { return reused_; }
    explicit operator bool() const noexcept { return pool_ != nullptr; }

    /// Installs the connection opened with this permit.
    void adopt(std::unique_ptr<connection> c) noexcept { conn_ = std::move(c); }

    /// Tells the pool that the connection was established (counts `created`).
    void mark_created();

    /// Gives the slot back: the connection returns to the idle list (or to the first waiter) if
    /// `reusable` and still within its limits, otherwise it is closed.
    void release(bool reusable);

private:
    friend class connection_pool;
    pool_lease(std::shared_ptr<connection_pool> p, std::unique_ptr<connection> c, bool reused) noexcept
        : pool_(std::move(p)), conn_(std::move(c)), reused_(reused) {}

    std::shared_ptr<connection_pool> pool_;
    std::unique_ptr<connection> conn_;
    bool reused_ = false;
};

/// Bounded pool of connections to one origin.
///
/// Locking: one std::mutex guards all state; it is never held across a suspension point and
/// no Asio object method is called under it except `looks_alive()` (a raw recv on the fd).
/// Waiters: FIFO queue of per-waiter `concurrent_channel`s. A releasing coroutine hands its
/// connection (or, if the connection is discarded, the freed slot as a permit) straight to the
/// first waiter under the lock and then wakes it with `try_send`, which is thread-safe. A waiter
/// that times out or is cancelled removes itself under the same lock; if it was already served,
/// it gives what it received back, so no slot is ever lost.
/// Acquiring is O(1): only the connection handed out is checked (limits, idle age, a non-blocking
/// peek). All idle connections are pruned every `prune_interval` by a process-wide background thread
/// (no Asio timer), so an idle pool never keeps an io_context from returning.
class connection_pool : public std::enable_shared_from_this<connection_pool> {
public:
    using clock_function = std::function<steady_clock::time_point()>;

    /// `now` lets tests inject time; the default is `steady_clock::now`.
    connection_pool(pool_options opts, clock_function now = {});
    ~connection_pool();

    /// Takes an idle connection (LIFO, so surplus connections age out) after pruning expired and
    /// dead ones, or a permit to open a new one while fewer than `max_connections` are open, or
    /// waits FIFO for one up to `max_wait` (default: `wait_timeout`). With `fresh_only`, never returns an idle
    /// connection (used for the one retry after a reused connection failed): if the pool is full
    /// it closes an idle connection to make room.
    /// Fails with `pool_wait_timeout`, `pool_closed` or `cancelled` (terminal cancellation).
    static boost::asio::awaitable<result<pool_lease>> acquire(std::shared_ptr<connection_pool> self,
                                                              bool fresh_only);
    static boost::asio::awaitable<result<pool_lease>> acquire(std::shared_ptr<connection_pool> self, bool fresh_only,
                                                              std::chrono::milliseconds max_wait);

    /// Closes idle connections that are past `idle_timeout` or their limits, or that the peer closed
    /// or wrote to; returns how many stay idle. Called by the background pruner; safe from any thread.
    std::size_t prune_idle();

    /// For the background pruner: true (and the pool counts as no longer watched) when nothing is idle.
    bool unwatch_if_idle_empty();

    pool_stats stats() const;
    const pool_options& options() const noexcept { return opts_; }
    steady_clock::time_point now() const { return now_(); }

    /// Fails every waiter with `pool_closed`, closes idle connections; connections in use are
    /// closed when released. Idempotent.
    void close();

private:
    friend class pool_lease;
    struct waiter;

    void release(std::unique_ptr<connection> c, bool reusable);
    void note_created();
    bool expired_locked(const connection& c, steady_clock::time_point now) const;
    bool usable_locked(const connection& c, steady_clock::time_point now) const;
    void prune_locked(steady_clock::time_point now, std::vector<std::unique_ptr<connection>>& out);
    void expire_waiter(const std::shared_ptr<waiter>& w);
    static void dispose(std::unique_ptr<connection> c);

    pool_options opts_;
    clock_function now_;

    mutable std::mutex mtx_;
    bool closed_ = false;
    bool watched_ = false;  // registered with the background pruner
    std::deque<std::unique_ptr<connection>> idle_;  // oldest first
    std::deque<std::shared_ptr<waiter>> waiters_;
    std::size_t open_ = 0;    // idle + in use (including permits still connecting)
    std::size_t in_use_ = 0;  // leases outstanding
    std::size_t created_ = 0;
    std::size_t reused_ = 0;
    std::size_t discarded_ = 0;
};

} // namespace intercom::http::detail
