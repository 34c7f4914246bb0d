#include "detail.hpp"

#include <intercom/pipeline/clock.hpp>
#include <intercom/pipeline/virtual_time.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <map>
#include <variant>

namespace intercom::pipeline {

namespace asio = boost::asio;

boost::asio::awaitable<boost::system::error_code> timer_sleeper::sleep_for(std::chrono::nanoseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(d);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return make_error_code(errc::cancelled);
    co_return boost::system::error_code{};
}

std::shared_ptr<clock> real_clock() {
    static const auto c = std::make_shared<system_clock_source>();
    return c;
}

std::shared_ptr<sleeper> real_sleeper() {
    static const auto s = std::make_shared<timer_sleeper>();
    return s;
}

// ---------------------------------------------------------------------------------------------
// virtual_time

struct virtual_time::impl {
    mutable std::mutex mtx;
    std::chrono::steady_clock::time_point steady_start{std::chrono::hours(1)};
    std::chrono::system_clock::time_point wall_start;
    std::chrono::nanoseconds elapsed{};
    std::multimap<std::chrono::nanoseconds, std::shared_ptr<detail::async_signal>> sleeping;
};

virtual_time::virtual_time(std::chrono::system_clock::time_point wall_start) : impl_(std::make_unique<impl>()) {
    impl_->wall_start = wall_start;
}

virtual_time::~virtual_time() = default;

std::chrono::steady_clock::time_point virtual_time::now() const {
    std::lock_guard lk(impl_->mtx);
    return impl_->steady_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(impl_->elapsed);
}

std::chrono::system_clock::time_point virtual_time::wall_now() const {
    std::lock_guard lk(impl_->mtx);
    return impl_->wall_start + std::chrono::duration_cast<std::chrono::system_clock::duration>(impl_->elapsed);
}

std::chrono::nanoseconds virtual_time::elapsed() const {
    std::lock_guard lk(impl_->mtx);
    return impl_->elapsed;
}

std::size_t virtual_time::sleepers() const {
    std::lock_guard lk(impl_->mtx);
    return impl_->sleeping.size();
}

boost::asio::awaitable<boost::system::error_code> virtual_time::sleep_for(std::chrono::nanoseconds d) {
    auto sig = std::make_shared<detail::async_signal>(co_await asio::this_coro::executor);
    std::multimap<std::chrono::nanoseconds, std::shared_ptr<detail::async_signal>>::iterator it;
    {
        std::lock_guard lk(impl_->mtx);
        if (d < std::chrono::nanoseconds::zero()) d = std::chrono::nanoseconds::zero();
        it = impl_->sleeping.emplace(impl_->elapsed + d, sig);
    }
    auto ec = co_await sig->wait();
    if (ec) {
        // Cancelled: forget the entry unless it was already woken (and removed).
        std::lock_guard lk(impl_->mtx);
        for (auto i = impl_->sleeping.begin(); i != impl_->sleeping.end(); ++i) {
            if (i->second == sig) {
                impl_->sleeping.erase(i);
                break;
            }
        }
    }
    co_return ec;
}

void virtual_time::wake_due() {
    std::vector<std::shared_ptr<detail::async_signal>> due;
    {
        std::lock_guard lk(impl_->mtx);
        while (!impl_->sleeping.empty() && impl_->sleeping.begin()->first <= impl_->elapsed) {
            due.push_back(impl_->sleeping.begin()->second);
            impl_->sleeping.erase(impl_->sleeping.begin());
        }
    }
    for (auto& s : due) s->notify();
}

void virtual_time::advance(std::chrono::nanoseconds d) {
    {
        std::lock_guard lk(impl_->mtx);
        impl_->elapsed += d;
    }
    wake_due();
}

bool virtual_time::advance_to_next() {
    {
        std::lock_guard lk(impl_->mtx);
        if (impl_->sleeping.empty()) return false;
        if (impl_->sleeping.begin()->first > impl_->elapsed) impl_->elapsed = impl_->sleeping.begin()->first;
    }
    wake_due();
    return true;
}

bool virtual_time::drive_once(boost::asio::io_context& ioc) {
    if (ioc.stopped()) ioc.restart();
    if (ioc.poll() > 0) return true;
    if (ioc.stopped()) ioc.restart();
    return advance_to_next();
}

// ---------------------------------------------------------------------------------------------

namespace detail {

boost::asio::awaitable<boost::system::error_code> wait_with_timeout(std::shared_ptr<async_signal> sig,
                                                                    std::shared_ptr<sleeper> sl,
                                                                    std::chrono::nanoseconds d) {
    using namespace boost::asio::experimental::awaitable_operators;
    auto r = co_await (sig->wait() || sl->sleep_for(d));
    if (r.index() == 0) co_return std::get<0>(r);
    auto ec = std::get<1>(r);
    if (ec) co_return ec;  // cancelled
    co_return make_error_code(errc::deadline_exceeded);
}

} // namespace detail

} // namespace intercom::pipeline
