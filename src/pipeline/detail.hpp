// Internal helpers of the pipeline: a one-shot async signal and racing an await against a sleep.
#pragma once

#include <intercom/error.hpp>
#include <intercom/pipeline/clock.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <memory>

namespace intercom::pipeline::detail {

/// A one-shot wake-up that may be signalled before or while someone waits, from any thread.
/// Waiting is cancellable through the awaiting coroutine's cancellation slot.
class async_signal {
public:
    explicit async_signal(boost::asio::any_io_executor ex) : ch_(std::move(ex), 1) {}

    /// Wakes the waiter (or lets its future wait complete at once). Idempotent.
    void notify() { ch_.try_send(boost::system::error_code{}); }

    /// Empty code when notified; `errc::cancelled` when the wait was cancelled.
    boost::asio::awaitable<boost::system::error_code> wait() {
        auto [ec] = co_await ch_.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) co_return make_error_code(errc::cancelled);
        co_return boost::system::error_code{};
    }

private:
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> ch_;
};

/// Waits for `sig` at most `d` of `sl`'s time. Returns empty when signalled, `deadline_exceeded`
/// when the time ran out first, `cancelled` on terminal cancellation.
boost::asio::awaitable<boost::system::error_code> wait_with_timeout(std::shared_ptr<async_signal> sig,
                                                                    std::shared_ptr<sleeper> sl,
                                                                    std::chrono::nanoseconds d);

} // namespace intercom::pipeline::detail
