// The transport seam: the pipeline sends requests through this, tests substitute it.
#pragma once

#include <intercom/http/message.hpp>
#include <intercom/http/origin.hpp>
#include <intercom/result.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace intercom::http {

/// Sends one request and returns one response (any status). Implementations must be safe to
/// call concurrently from many coroutines, also on an io_context run by several threads.
///
/// Errors carry `diagnostics::stage`, which tells how far the request got.
/// Per-operation cancellation: a terminal cancellation of the awaiting coroutine aborts the
/// attempt promptly with `errc::cancelled`.
class transport {
public:
    virtual ~transport() = default;

    virtual boost::asio::awaitable<result<response>> send(origin to, request req, send_options opts) = 0;

    virtual boost::asio::any_io_executor get_executor() = 0;

    /// True if `send` bounds the whole send (connection wait, connect, write, read) by
    /// `send_options::attempt_timeout` and fails with `errc::attempt_timeout` when it runs out.
    /// The pipeline then relies on it instead of racing each attempt against a timer of its own.
    virtual bool enforces_attempt_timeout() const noexcept { return false; }
};

} // namespace intercom::http
