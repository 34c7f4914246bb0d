// The time seam of the pipeline: a clock to read and a sleeper to wait. Retry backoff, 429 waits,
// the overall deadline and the rate limiter all go through these, so tests can run in virtual time.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>

namespace intercom::pipeline {

/// Reads time. `now()` is monotonic (deadlines, latencies); `wall_now()` is the calendar time
/// that `X-RateLimit-Reset` and `Retry-After` dates are compared with.
class clock {
public:
    virtual ~clock() = default;
    virtual std::chrono::steady_clock::time_point now() const = 0;
    virtual std::chrono::system_clock::time_point wall_now() const = 0;
};

/// Waits. `sleep_for` completes with an empty code after `d` (of the matching clock), or with
/// `errc::cancelled` promptly when the awaiting coroutine receives a terminal cancellation.
/// Implementations must be safe to use from many coroutines concurrently.
class sleeper {
public:
    virtual ~sleeper() = default;
    virtual boost::asio::awaitable<boost::system::error_code> sleep_for(std::chrono::nanoseconds d) = 0;
};

/// The real clocks (`std::chrono::steady_clock` / `system_clock`).
class system_clock_source final : public clock {
public:
    std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
    std::chrono::system_clock::time_point wall_now() const override { return std::chrono::system_clock::now(); }
};

/// Sleeps with a `steady_timer` on the awaiting coroutine's executor.
class timer_sleeper final : public sleeper {
public:
    boost::asio::awaitable<boost::system::error_code> sleep_for(std::chrono::nanoseconds d) override;
};

/// Process-wide instances of the real clock and sleeper (stateless).
std::shared_ptr<clock> real_clock();
std::shared_ptr<sleeper> real_sleeper();

} // namespace intercom::pipeline
