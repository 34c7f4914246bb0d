// intercom::async_run: use the awaitable API from code that is not a coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include <utility>

namespace intercom {

/// Runs `aw` on `ex` and delivers its outcome through any Asio completion token:
/// a callback `void(std::exception_ptr, T)`, `boost::asio::use_future`, `use_awaitable`, ...
///
///     auto fut = intercom::async_run(ioc.get_executor(), cl.contacts().retrieve("123"),
///                                    boost::asio::use_future);
///
/// The throwing form of an operation reports errors as an `api_error` in the exception_ptr;
/// the `try_` form delivers a `result<T>` and a null exception_ptr.
template <class Executor, class T, class CompletionToken>
auto async_run(Executor ex, boost::asio::awaitable<T> aw, CompletionToken&& token) {
    return boost::asio::co_spawn(std::move(ex), std::move(aw), std::forward<CompletionToken>(token));
}

} // namespace intercom
