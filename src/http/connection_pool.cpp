#include <intercom/http/detail/connection_pool.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <condition_variable>
#include <thread>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <cerrno>

namespace intercom::http::detail {

namespace asio = boost::asio;

// ---------------------------------------------------------------- connection

bool connection::looks_alive() const noexcept {
    const boost::beast::tcp_stream* s = plain ? &*plain : tls ? &tls->next_layer() : nullptr;
    if (!s) return true;
    if (!s->socket().is_open()) return false;
    if (buffer.size() != 0) return false;  // unread bytes after a complete response
    if (tls) {
        // Bytes that arrived with the last response may already sit in OpenSSL (decrypted or not)
        // or in the BIO pair Asio feeds it, where a peek at the socket cannot see them.
        SSL* ssl = const_cast<boost::asio::ssl::stream<boost::beast::tcp_stream>&>(*tls).native_handle();
        if (SSL_has_pending(ssl) == 1) return false;
        if (BIO* rbio = SSL_get_rbio(ssl); rbio && BIO_ctrl_pending(rbio) > 0) return false;
    }
    char byte;
    auto fd = const_cast<boost::beast::tcp_stream*>(s)->socket().native_handle();
    ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;                                            // orderly shutdown by the peer
    if (n > 0) return false;                                             // unexpected bytes
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;   // nothing to read: healthy
}

void connection::close() noexcept {
    boost::system::error_code ec;
    if (plain) plain->socket().close(ec);
    if (tls) tls->next_layer().socket().close(ec);
}

// ---------------------------------------------------------------- lease

pool_lease::pool_lease(pool_lease&& o) noexcept
    : pool_(std::move(o.pool_)), conn_(std::move(o.conn_)), reused_(o.reused_) {}

pool_lease& pool_lease::operator=(pool_lease&& o) noexcept {
    if (this != &o) {
        release(false);
        pool_ = std::move(o.pool_);
        conn_ = std::move(o.conn_);
        reused_ = o.reused_;
    }
    return *this;
}

pool_lease::~pool_lease() { release(false); }

void pool_lease::mark_created() {
    if (pool_) pool_->note_created();
}

void pool_lease::release(bool reusable) {
    if (!pool_) return;
    auto p = std::move(pool_);
    pool_.reset();
    p->release(std::move(conn_), reusable);
}

// ---------------------------------------------------------------- idle reaper

namespace {

/// One process-wide thread that prunes the idle connections of every pool at each pool's
/// `prune_interval`, so a quiet service does not keep expired or peer-closed sockets open. A thread
/// rather than an Asio timer: a pending timer is outstanding work and would keep `io_context::run()`
/// from returning in programs that are done. It sleeps on a condition variable while no pool has idle
/// connections. Closing a socket is still posted to the connection's executor (see `dispose`).
class idle_reaper {
public:
    /// Never destroyed: a pool may still release a connection while statics are torn down at exit.
    static idle_reaper& instance() {
        static idle_reaper* r = new idle_reaper;
        return *r;
    }

    /// A pool got an idle connection and is not watched yet (its `watched_` flag keeps this off
    /// the per-request path): make sure it is looked at within its interval.
    void watch(const std::shared_ptr<connection_pool>& p) {
        {
            std::lock_guard lk(mtx_);
            pools_.push_back(p);
            if (!started_) {
                started_ = true;
                std::thread([this] { run(); }).detach();
            }
        }
        cv_.notify_one();
    }

private:
    void run() {
        std::unique_lock lk(mtx_);
        for (;;) {
            // Forget pools that are gone or have nothing idle (a later release registers them again).
            // Lock order reaper -> pool is safe: pools never call `watch` while holding their mutex.
            auto interval = std::chrono::milliseconds::max();
            for (auto it = pools_.begin(); it != pools_.end();) {
                auto p = it->lock();
                if (!p || p->unwatch_if_idle_empty()) {
                    it = pools_.erase(it);
                } else {
                    interval = std::min(interval, p->options().prune_interval);
                    ++it;
                }
            }
            if (pools_.empty()) {
                cv_.wait(lk);
                continue;
            }
            cv_.wait_for(lk, interval);
            auto watched = pools_;  // weak: sleeping here never keeps a pool alive
            lk.unlock();
            for (auto& w : watched)
                if (auto p = w.lock()) p->prune_idle();
            lk.lock();
        }
    }

    std::mutex mtx_;
    std::condition_variable cv_;
    std::vector<std::weak_ptr<connection_pool>> pools_;
    bool started_ = false;
};

} // namespace

// ---------------------------------------------------------------- pool

struct connection_pool::waiter {
    explicit waiter(const asio::any_io_executor& ex) : ch(ex, 1), timer(ex) {}
    asio::experimental::concurrent_channel<void(boost::system::error_code)> ch;
    asio::steady_timer timer;
    // Guarded by the pool mutex.
    bool done = false;
    errc outcome{};                     // errc{} = served
    std::unique_ptr<connection> conn;   // handed over; null with a permit
};

connection_pool::connection_pool(pool_options opts, clock_function now)
    : opts_(opts), now_(now ? std::move(now) : clock_function([] { return steady_clock::now(); })) {
    if (opts_.max_connections == 0) opts_.max_connections = 1;
}

connection_pool::~connection_pool() { close(); }

void connection_pool::dispose(std::unique_ptr<connection> c) {
    if (!c) return;
    if (!c->plain && !c->tls) return;  // no socket: nothing to serialize
    // Close on the connection's executor so it never races Beast's timeout handler.
    auto ex = c->executor;
    asio::post(ex, [p = std::shared_ptr<connection>(std::move(c))] { p->close(); });
}

bool connection_pool::expired_locked(const connection& c, steady_clock::time_point now) const {
    if (now - c.created_at >= opts_.max_lifetime) return true;
    if (opts_.max_requests_per_connection != 0 && c.requests_served >= opts_.max_requests_per_connection) return true;
    return false;
}

void connection_pool::prune_locked(steady_clock::time_point now, std::vector<std::unique_ptr<connection>>& out) {
    for (auto it = idle_.begin(); it != idle_.end();) {
        connection& c = **it;
        if (now - c.last_used >= opts_.idle_timeout || expired_locked(c, now) || !c.looks_alive()) {
            out.push_back(std::move(*it));
            it = idle_.erase(it);
            --open_;
            ++discarded_;
        } else {
            ++it;
        }
    }
}

std::size_t connection_pool::prune_idle() {
    std::vector<std::unique_ptr<connection>> to_close;
    std::size_t left;
    {
        std::lock_guard lk(mtx_);
        if (closed_) return 0;
        prune_locked(now_(), to_close);
        left = idle_.size();
    }
    for (auto& c : to_close) dispose(std::move(c));
    return left;
}

bool connection_pool::usable_locked(const connection& c, steady_clock::time_point now) const {
    return now - c.last_used < opts_.idle_timeout && !expired_locked(c, now) && c.looks_alive();
}

asio::awaitable<result<pool_lease>> connection_pool::acquire(std::shared_ptr<connection_pool> self, bool fresh_only) {
    auto max_wait = self->opts_.wait_timeout;
    return acquire(std::move(self), fresh_only, max_wait);  // not a coroutine: no extra frame
}

asio::awaitable<result<pool_lease>> connection_pool::acquire(std::shared_ptr<connection_pool> self, bool fresh_only,
                                                             std::chrono::milliseconds max_wait) {
    auto ex = co_await asio::this_coro::executor;
    std::shared_ptr<waiter> w;
    std::vector<std::unique_ptr<connection>> to_close;
    result<pool_lease> out = error_info{errc::pool_closed};
    {
        std::lock_guard lk(self->mtx_);
        if (self->closed_) {
            out = error_info{errc::pool_closed};
        } else {
            // O(1): only the connection about to be handed out is checked (the most recently used,
            // LIFO); the rest are pruned in the background (`prune_interval`).
            std::unique_ptr<connection> reuse;
            const auto now = self->now_();
            while (!fresh_only && !reuse && !self->idle_.empty()) {
                auto c = std::move(self->idle_.back());
                self->idle_.pop_back();
                if (self->usable_locked(*c, now)) {
                    reuse = std::move(c);
                } else {
                    to_close.push_back(std::move(c));
                    --self->open_;
                    ++self->discarded_;
                }
            }
            if (reuse) {
                ++self->in_use_;
                ++self->reused_;
                out = pool_lease(self, std::move(reuse), true);
            } else if (self->open_ < self->opts_.max_connections) {
                ++self->open_;
                ++self->in_use_;
                out = pool_lease(self, nullptr, false);
            } else if (fresh_only && !self->idle_.empty()) {
                // Make room for the fresh connection: its slot is taken over by the permit.
                to_close.push_back(std::move(self->idle_.front()));
                self->idle_.pop_front();
                ++self->discarded_;
                ++self->in_use_;
                out = pool_lease(self, nullptr, false);
            } else {
                w = std::make_shared<waiter>(ex);
                self->waiters_.push_back(w);
            }
        }
    }
    for (auto& c : to_close) dispose(std::move(c));
    if (!w) {
        if (!out) out.error().diag.message = "the connection pool is closed";
        co_return out;
    }

    w->timer.expires_after(max_wait);
    w->timer.async_wait([w, weak = std::weak_ptr<connection_pool>(self)](boost::system::error_code ec) {
        if (ec) return;
        if (auto p = weak.lock()) p->expire_waiter(w);
    });
    // Cancellation of the awaiting coroutine reaches this receive; it then completes with an error.
    co_await w->ch.async_receive(asio::as_tuple(asio::use_awaitable));

    bool cancelled = false;
    {
        std::lock_guard lk(self->mtx_);
        if (!w->done) {
            self->waiters_.erase(std::remove(self->waiters_.begin(), self->waiters_.end(), w), self->waiters_.end());
            w->done = true;
            w->outcome = errc::cancelled;
        }
        if (w->outcome == errc{} && w->conn && !fresh_only) ++self->reused_;
    }
    w->timer.cancel();

    if (w->outcome != errc{}) {
        error_info e{w->outcome};
        e.diag.message = w->outcome == errc::pool_wait_timeout ? "no pooled connection became free in time"
                         : w->outcome == errc::pool_closed    ? "the connection pool is closed"
                                                               : "cancelled while waiting for a connection";
        co_return e;
    }
    // Served: the waiter already counts as in use.
    pool_lease lease(self, nullptr, false);
    if (w->conn) {
        if (fresh_only) {
            // The retry must not use a kept-alive connection: close it and keep its slot.
            {
                std::lock_guard lk(self->mtx_);
                ++self->discarded_;
            }
            dispose(std::move(w->conn));
        } else {
            lease.conn_ = std::move(w->conn);
            lease.reused_ = true;
        }
    }
    // A terminal cancellation that raced with the hand-over: give the slot back and report it.
    auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
        lease.release(lease.get() != nullptr);
        co_return error_info{errc::cancelled};
    }
    co_return std::move(lease);
}

void connection_pool::expire_waiter(const std::shared_ptr<waiter>& w) {
    {
        std::lock_guard lk(mtx_);
        if (w->done) return;
        waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), w), waiters_.end());
        w->done = true;
        w->outcome = errc::pool_wait_timeout;
    }
    w->ch.try_send(boost::system::error_code{});
}

bool connection_pool::unwatch_if_idle_empty() {
    std::lock_guard lk(mtx_);
    if (!idle_.empty() && !closed_) return false;
    watched_ = false;  // the next release that parks a connection registers the pool again
    return true;
}

void connection_pool::note_created() {
    std::lock_guard lk(mtx_);
    ++created_;
}

void connection_pool::release(std::unique_ptr<connection> c, bool reusable) {
    std::unique_ptr<connection> closing;
    std::shared_ptr<waiter> w;
    bool watch = false;
    {
        std::lock_guard lk(mtx_);
        --in_use_;
        auto now = now_();
        bool keep = c && c->established && reusable && !closed_ && !expired_locked(*c, now);
        if (!keep) {
            if (c && c->established) ++discarded_;
            closing = std::move(c);
            --open_;
        }
        if (!closed_ && !waiters_.empty() && (keep || open_ < opts_.max_connections)) {
            w = std::move(waiters_.front());
            waiters_.pop_front();
            w->done = true;
            if (keep) {
                w->conn = std::move(c);
            } else {
                ++open_;  // the waiter opens a new connection in the freed slot
            }
            ++in_use_;
        } else if (keep) {
            c->last_used = now;
            idle_.push_back(std::move(c));
            watch = !watched_ && opts_.prune_interval > std::chrono::milliseconds::zero();
            watched_ = watched_ || watch;
        }
    }
    dispose(std::move(closing));
    if (watch) {
        if (auto self = weak_from_this().lock()) idle_reaper::instance().watch(self);
    }
    if (w) w->ch.try_send(boost::system::error_code{});
}

void connection_pool::close() {
    std::deque<std::shared_ptr<waiter>> waiters;
    std::deque<std::unique_ptr<connection>> idle;
    {
        std::lock_guard lk(mtx_);
        if (closed_) return;
        closed_ = true;
        waiters.swap(waiters_);
        idle.swap(idle_);
        open_ -= idle.size();
        discarded_ += idle.size();
        for (auto& w : waiters) {
            w->done = true;
            w->outcome = errc::pool_closed;
        }
    }
    for (auto& c : idle) dispose(std::move(c));
    for (auto& w : waiters) w->ch.try_send(boost::system::error_code{});
}

pool_stats connection_pool::stats() const {
    std::lock_guard lk(mtx_);
    pool_stats s;
    s.open = open_;
    s.idle = idle_.size();
    s.in_use = in_use_;
    s.waiters = waiters_.size();
    s.created = created_;
    s.reused = reused_;
    s.discarded = discarded_;
    return s;
}

} // namespace intercom::http::detail
