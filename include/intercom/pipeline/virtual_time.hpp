// Virtual time for tests: a clock that only moves when told, and a sleeper whose waits end when
// the clock reaches them. Nothing here touches real time.
#pragma once

#include <intercom/pipeline/clock.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>

namespace intercom::pipeline {

/// Both a `clock` and a `sleeper`. A sleeping coroutine stays suspended until `advance_to_next()`
/// or `advance(d)` moves the clock to (or past) its wake-up time. `run()` drives an io_context
/// and advances the clock whenever no handler is ready, so a whole scenario runs in virtual time
/// as fast as the CPU allows.
class virtual_time final : public clock, public sleeper, public std::enable_shared_from_this<virtual_time> {
public:
    /// Starts at steady epoch + 1h and wall time `wall_start` (default: 2026-01-01T00:00:00Z).
    explicit virtual_time(std::chrono::system_clock::time_point wall_start =
                              std::chrono::system_clock::time_point{std::chrono::seconds{1767225600}});
    ~virtual_time() override;

    std::chrono::steady_clock::time_point now() const override;
    std::chrono::system_clock::time_point wall_now() const override;
    boost::asio::awaitable<boost::system::error_code> sleep_for(std::chrono::nanoseconds d) override;

    /// Time elapsed since construction.
    std::chrono::nanoseconds elapsed() const;

    /// Moves the clock forward by `d`, waking every sleeper due by then.
    void advance(std::chrono::nanoseconds d);

    /// Moves the clock to the earliest pending wake-up and wakes it. False if nobody sleeps.
    bool advance_to_next();

    /// Number of coroutines currently sleeping.
    std::size_t sleepers() const;

    /// Runs `aw` on `ioc` to completion in virtual time: handlers run until none is ready, then
    /// the clock jumps to the next wake-up. Throws if the coroutine can never finish (nothing is
    /// ready and nobody sleeps) or if it throws.
    template <class T>
    T run(boost::asio::io_context& ioc, boost::asio::awaitable<T> aw);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    void wake_due();
    bool drive_once(boost::asio::io_context& ioc); // false: stuck
};

} // namespace intercom::pipeline

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <stdexcept>

template <class T>
T intercom::pipeline::virtual_time::run(boost::asio::io_context& ioc, boost::asio::awaitable<T> aw) {
    auto fut = boost::asio::co_spawn(ioc, std::move(aw), boost::asio::use_future);
    ioc.restart();
    while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (!drive_once(ioc) && fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
            throw std::runtime_error("virtual_time::run: the coroutine is stuck (no handler ready, nobody sleeps)");
    }
    return fut.get();
}
