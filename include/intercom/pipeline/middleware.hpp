// The middleware interface: a stage that sees each request, may change it, calls the next stage,
// and may inspect or change the response.
#pragma once

#include <intercom/http/message.hpp>
#include <intercom/http/origin.hpp>
#include <intercom/operation.hpp>
#include <intercom/pipeline/events.hpp>
#include <intercom/rate_limit.hpp>
#include <intercom/result.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace intercom::pipeline {

/// State of one call, shared by all of its stages and attempts.
struct call_context {
    const operation_info* operation = nullptr; ///< null for generic requests
    std::string_view operation_name;           ///< `operation->name` or ""
    http::origin origin;                       ///< where the request goes
    bool replay_safe = true;                   ///< verdict of the idempotency policy for this call
    std::optional<bool> replay_safe_override;  ///< set from `request_options::replay_safe`
    unsigned max_attempts = 1;                 ///< after merging client and request options
    unsigned attempt = 0;                      ///< 1-based number of the current attempt
    std::chrono::steady_clock::time_point deadline; ///< overall deadline (pipeline clock)
    std::chrono::milliseconds attempt_timeout{};    ///< per-attempt budget (before the deadline cap)
    http::send_options send;                   ///< what the transport stage passes to the transport
    std::optional<rate_limit_snapshot> rate_limit;  ///< the last X-RateLimit-* seen in this call

    // Filled by the pipeline.
    std::chrono::nanoseconds last_latency{};          ///< transport time of the current attempt
    std::size_t streamed_bytes = 0;                   ///< bytes already given to `send.sink`
    std::string_view outcome_reason;                  ///< why the call ended (static string)
    stop_reason stop = stop_reason::succeeded;        ///< why the call ended, as a code
};

class middleware;

/// The rest of the chain after a middleware. Cheap to copy; valid while the call runs.
class next_layer {
public:
    /// Sends `req` through the remaining stages.
    boost::asio::awaitable<result<http::response>> operator()(http::request req) const;

    /// The call this request belongs to (mutable: stages may adjust e.g. `send.attempt_timeout`).
    call_context& context() const noexcept { return *ctx_; }

    /// Internal: what runs after the last middleware.
    class terminal {
    public:
        virtual ~terminal() = default;
        virtual boost::asio::awaitable<result<http::response>> send(call_context* ctx, http::request req) = 0;
    };

    next_layer(const std::vector<std::shared_ptr<middleware>>* stages, std::size_t index, terminal* end,
               call_context* ctx) noexcept
        : stages_(stages), index_(index), end_(end), ctx_(ctx) {}

private:
    const std::vector<std::shared_ptr<middleware>>* stages_;
    std::size_t index_;
    terminal* end_;
    call_context* ctx_;
};

/// A pipeline stage. Implement `send`: do something before, `co_await next(std::move(req))`,
/// do something after. A response with any HTTP status is a *successful* `result` here; only
/// transport failures are errors. Implementations must be safe to call concurrently.
///
/// Write `send` as a member coroutine (g++ 12: no capturing lambdas as coroutines).
class middleware {
public:
    virtual ~middleware() = default;
    virtual boost::asio::awaitable<result<http::response>> send(http::request req, next_layer next) = 0;
};

} // namespace intercom::pipeline
