// Runs a coroutine to completion on a fresh io_context, for tests.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <stdexcept>

namespace intercom::test {

/// Runs `aw` on `ioc` until it finishes (other work on `ioc` keeps running until then) and returns
/// its value. Rethrows its exception. Fails if it does not finish within `limit` of wall time.
template <class T>
T run_coro(boost::asio::io_context& ioc, boost::asio::awaitable<T> aw,
           std::chrono::seconds limit = std::chrono::seconds(60)) {
    auto fut = boost::asio::co_spawn(ioc, std::move(aw), boost::asio::use_future);
    auto deadline = std::chrono::steady_clock::now() + limit;
    ioc.restart();
    while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("run_coro: coroutine timed out");
        if (ioc.run_one_for(std::chrono::milliseconds(50)) == 0 && ioc.stopped()) ioc.restart();
    }
    return fut.get();
}

} // namespace intercom::test
