#include "detail.hpp"

#include <intercom/pipeline/rate_limiter.hpp>

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <deque>
#include <mutex>

namespace intercom::pipeline {

namespace asio = boost::asio;
using std::chrono::system_clock;

// ---------------------------------------------------------------------------------------------
// local_budget_store

struct local_budget_store::state {
    local_budget_options opts;
    mutable std::mutex mtx;
    bool known = false;                // a limit is known (learned or configured)
    std::int64_t limit = 0;
    std::int64_t remaining = 0;
    system_clock::time_point window_end{};  // server's reset of the current window
    system_clock::duration window_len{};    // learned: smallest gap between two server resets
    // Largest `remaining + 1` ever reported: a lower bound of the real per-window budget. Guards
    // against an `X-RateLimit-Limit` that states the per-minute figure (older Intercom docs).
    std::int64_t capacity = 0;

    std::int64_t window_budget() const { return capacity > 0 ? std::min(limit, capacity) : limit; }
};

local_budget_store::local_budget_store(local_budget_options o) : st_(std::make_unique<state>()) {
    st_->opts = o;
    st_->window_len = std::chrono::duration_cast<system_clock::duration>(o.window);
}

local_budget_store::~local_budget_store() = default;

budget_grant local_budget_store::acquire_now(const budget_query& q) {
    auto& s = *st_;
    std::lock_guard lk(s.mtx);
    if (!s.known) {
        if (!s.opts.initial_limit) return {true, {}};
        s.known = true;
        s.limit = *s.opts.initial_limit;
        s.remaining = s.limit;
        s.window_end = q.now + s.opts.window;
    }
    if (q.now >= s.window_end + s.opts.reset_margin) {
        // The window is over: start the next one, aligned to the server's window boundaries.
        auto late = q.now - s.window_end;
        auto windows = late / s.window_len + 1;
        s.window_end += windows * s.window_len;
        s.remaining = std::max<std::int64_t>(0, s.window_budget() - static_cast<std::int64_t>(q.unanswered));
    }
    if (s.remaining > 0) {
        --s.remaining;
        return {true, {}};
    }
    return {false, s.window_end + s.opts.reset_margin};
}

void local_budget_store::update_now(const rate_limit_snapshot& snap, const budget_query& q) {
    auto& s = *st_;
    std::lock_guard lk(s.mtx);
    auto end = snap.reset == system_clock::time_point{} ? q.now + s.opts.window : snap.reset;
    auto unanswered = static_cast<std::int64_t>(q.unanswered);
    constexpr auto same = std::chrono::milliseconds(500);
    s.capacity = std::max(s.capacity, snap.remaining + 1);
    if (!s.known || end > s.window_end + same) {
        // Learn the window length from two server resets (Intercom: 10 s; test servers: shorter).
        if (s.known && snap.reset != system_clock::time_point{}) {
            auto gap = end - s.window_end;
            if (gap >= std::chrono::seconds(1) && gap < s.window_len) s.window_len = gap;
        }
        s.known = true;
        s.limit = snap.limit;
        s.window_end = end;
        s.remaining = std::max<std::int64_t>(0, snap.remaining - unanswered);
        return;
    }
    s.limit = snap.limit;
    if (end >= s.window_end - same) {
        s.remaining = std::min(s.remaining, snap.remaining);
    } else if (end > q.now) {
        // The server's live window ends before the one we rolled into locally: our rollover was a
        // guess (e.g. after a capped hostile reset), so the server's count is the truth.
        s.window_end = end;
        s.remaining = std::max<std::int64_t>(0, snap.remaining - unanswered);
    }
}

boost::asio::awaitable<budget_grant> local_budget_store::try_acquire(budget_query q) { co_return acquire_now(q); }

boost::asio::awaitable<void> local_budget_store::update(rate_limit_snapshot s, budget_query q) {
    update_now(s, q);
    co_return;
}

std::optional<rate_limit_snapshot> local_budget_store::snapshot() const {
    std::lock_guard lk(st_->mtx);
    if (!st_->known) return std::nullopt;
    return rate_limit_snapshot{st_->limit, st_->remaining, st_->window_end};
}

// ---------------------------------------------------------------------------------------------
// rate_limiter: FIFO in-flight semaphore + budget

struct rate_limit_permit::owner {
    std::shared_ptr<rate_limiter::impl> limiter;
    bool budget_taken = false;
    ~owner();
};

struct rate_limiter::impl {
    rate_limiter_options opts;
    mutable std::mutex mtx;
    std::size_t in_use = 0;
    std::size_t unanswered = 0;
    std::deque<std::shared_ptr<detail::async_signal>> queue;  // FIFO of slot waiters

    // Hands a freed slot to the first waiter, or returns it.
    void release_slot() {
        std::shared_ptr<detail::async_signal> next;
        {
            std::lock_guard lk(mtx);
            if (queue.empty()) {
                --in_use;
                return;
            }
            next = std::move(queue.front());
            queue.pop_front();
        }
        next->notify();
    }
};

rate_limit_permit::owner::~owner() {
    if (!limiter) return;
    if (budget_taken) {
        std::lock_guard lk(limiter->mtx);
        --limiter->unanswered;
    }
    limiter->release_slot();
}

rate_limit_permit::rate_limit_permit(rate_limit_permit&& o) noexcept : owner_(std::move(o.owner_)) {}
rate_limit_permit& rate_limit_permit::operator=(rate_limit_permit&& o) noexcept {
    owner_ = std::move(o.owner_);
    return *this;
}
rate_limit_permit::~rate_limit_permit() = default;
void rate_limit_permit::release() noexcept { owner_.reset(); }

rate_limiter::rate_limiter(rate_limiter_options o) : impl_(std::make_shared<impl>()) {
    if (!o.store) o.store = std::make_shared<local_budget_store>();
    if (!o.clock) o.clock = real_clock();
    if (!o.sleeper) o.sleeper = real_sleeper();
    if (o.max_in_flight == 0) o.max_in_flight = 1;
    impl_->opts = std::move(o);
}

rate_limiter::~rate_limiter() = default;

const rate_limiter_options& rate_limiter::options() const noexcept { return impl_->opts; }

std::optional<rate_limit_snapshot> rate_limiter::snapshot() const { return impl_->opts.store->snapshot(); }

std::size_t rate_limiter::in_flight() const {
    std::lock_guard lk(impl_->mtx);
    return impl_->in_use;
}

std::size_t rate_limiter::waiting() const {
    std::lock_guard lk(impl_->mtx);
    return impl_->queue.size();
}

boost::asio::awaitable<admission> rate_limiter::acquire(std::chrono::steady_clock::time_point deadline) {
    auto im = impl_;
    auto& clk = *im->opts.clock;
    admission out;

    // 1. An in-flight slot, first come first served.
    std::shared_ptr<detail::async_signal> sig;
    {
        std::lock_guard lk(im->mtx);
        if (im->in_use < im->opts.max_in_flight && im->queue.empty()) {
            ++im->in_use;
        } else {
            sig = std::make_shared<detail::async_signal>(co_await asio::this_coro::executor);
            im->queue.push_back(sig);
        }
    }
    if (sig) {
        auto left = deadline - clk.now();
        auto ec = co_await detail::wait_with_timeout(sig, im->opts.sleeper,
                                                     std::max(left, std::chrono::steady_clock::duration::zero()));
        if (ec) {
            bool handed_over = false;
            {
                std::lock_guard lk(im->mtx);
                auto it = std::find(im->queue.begin(), im->queue.end(), sig);
                if (it != im->queue.end()) im->queue.erase(it);
                else handed_over = true;  // a slot was given to us while we gave up: pass it on
            }
            if (handed_over) im->release_slot();
            out.error = ec;
            co_return out;
        }
        // The releaser transferred its slot to us: `in_use` already counts it.
    }
    auto own = std::make_shared<rate_limit_permit::owner>();
    own->limiter = im;
    out.permit = rate_limit_permit(own);

    // 2. A unit of window budget, sleeping until the window resets when it is exhausted.
    for (;;) {
        std::size_t unanswered;
        {
            std::lock_guard lk(im->mtx);
            unanswered = im->unanswered;
        }
        auto grant = co_await im->opts.store->try_acquire(budget_query{clk.wall_now(), unanswered});
        if (grant.admitted) {
            std::lock_guard lk(im->mtx);
            ++im->unanswered;
            own->budget_taken = true;
            co_return out;
        }
        auto wait = std::max<std::chrono::nanoseconds>(grant.retry_at - clk.wall_now(), std::chrono::milliseconds(1));
        if (clk.now() + wait > deadline) {
            // The window ends after this call's deadline: fail now, unsent, as rate limited (the
            // caller sees the budget's numbers), rather than sleep into a bare deadline error.
            out.permit.release();
            out.error = make_error_code(errc::rate_limited);
            out.budget_wait = wait;
            co_return out;
        }
        out.waited_for_budget += wait;
        auto ec = co_await im->opts.sleeper->sleep_for(wait);
        if (ec) {
            out.permit.release();
            out.error = ec;
            co_return out;
        }
    }
}

boost::asio::awaitable<void> rate_limiter::observe(rate_limit_snapshot s) {
    auto im = impl_;
    std::size_t unanswered;
    {
        std::lock_guard lk(im->mtx);
        unanswered = im->unanswered > 0 ? im->unanswered - 1 : 0;
    }
    co_await im->opts.store->update(s, budget_query{im->opts.clock->wall_now(), unanswered});
}

} // namespace intercom::pipeline
