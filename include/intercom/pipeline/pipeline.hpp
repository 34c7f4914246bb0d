// The request pipeline: the fixed chain of stages every call goes through.
//
// Stage order (fixed):
//   once per call:    1. headers (auth, Intercom-Version, user agent, accept, content type; done by
//                        the client when it builds the http::request)
//                     2. user per-call middleware (`pipeline_options::per_call`)
//                     3. retry loop (idempotency, retry and backoff policies; overall deadline)
//   once per attempt: 4. rate limiter admission (in-flight slot, then window budget) and learning
//                        from the response's X-RateLimit-* headers
//                     5. attempt timeout (min of the attempt budget and the time left)
//                     6. logging (Authorization redacted)
//                     7. user per-attempt middleware (`pipeline_options::per_attempt`)
//                     8. transport
// The limiter sits inside the retry loop on purpose: every attempt spends window budget and
// holds a connection, so retries must be paced like first attempts.
//
// Deadline (`client_options::timeout`, per call `request_options::timeout`): one budget for the
// whole call, measured on the pipeline clock. Every wait is bounded by it: the limiter queue and
// budget waits, each attempt (the attempt timeout is capped to the time left) and the backoff.
// What the caller gets when time runs out:
// - the deadline passes while waiting for an in-flight slot or during an attempt:
//   `errc::deadline_exceeded`;
// - the window budget is spent and the window ends after the deadline: `errc::rate_limited` at once,
//   without sending, with the budget's numbers in `diagnostics::rate_limit` (waiting could not help);
// - a retry is not started because its backoff wait would end after the deadline: the last
//   attempt's own error (e.g. the 503 or 429), which says more than "deadline exceeded"; the
//   `gave_up` event carries the reason.
// Terminal cancellation of the awaiting coroutine ends any wait promptly with `errc::cancelled`.
#pragma once

#include <intercom/http/transport.hpp>
#include <intercom/pipeline/clock.hpp>
#include <intercom/pipeline/events.hpp>
#include <intercom/pipeline/middleware.hpp>
#include <intercom/pipeline/policies.hpp>
#include <intercom/pipeline/rate_limiter.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace intercom::pipeline {

/// Everything the pipeline is made of. Null members fall back to the documented defaults.
struct pipeline_options {
    /// Total attempts per call, including the first. 3 = two retries: enough to ride out a reset
    /// connection plus one more transient failure, and what Intercom's own Ruby client does on
    /// 429; more would mostly multiply load on a struggling server. Overridden per call by
    /// `request_options::max_attempts`.
    unsigned max_attempts = 3;
    std::shared_ptr<pipeline::retry_policy> retry_policy;             ///< default_retry_policy
    std::shared_ptr<pipeline::backoff_policy> backoff_policy;         ///< default_backoff_policy
    std::shared_ptr<pipeline::idempotency_policy> idempotency_policy; ///< default_idempotency_policy
    /// Null: the pipeline makes its own with `rate_limiter_options{}` (pass one rate_limiter
    /// to several clients to share a budget and an in-flight cap).
    std::shared_ptr<pipeline::rate_limiter> rate_limiter;
    /// Used only when `rate_limiter` is null; its null clock/sleeper default to the pipeline's.
    rate_limiter_options limiter_options;
    bool rate_limiting = true;   ///< false: no limiter stage at all
    std::vector<std::shared_ptr<middleware>> per_call;     ///< stage 2, in order
    std::vector<std::shared_ptr<middleware>> per_attempt;  ///< stage 7, in order
    std::shared_ptr<pipeline::clock> clock;       ///< real_clock()
    std::shared_ptr<pipeline::sleeper> sleeper;   ///< real_sleeper()
    random_source random;                         ///< default_random_source()
    event_hook on_event;                          ///< called for every event, if set
    pipeline::logger logger;                      ///< logging stage is active if its sink is set
};

/// What the pipeline returns: the final response (any status) or the final transport error,
/// plus the attempt count and the last rate-limit snapshot.
struct pipeline_result {
    result<http::response> response;   ///< non-2xx statuses are in here as responses
    unsigned attempts = 0;
    std::optional<rate_limit_snapshot> rate_limit;
    std::string_view gave_up_reason;    ///< why the call ended, in words (static string)
    stop_reason stop = stop_reason::succeeded; ///< why the call ended, as a code
};

/// The assembled chain. Thread-safe; shared by all calls of a client.
class request_pipeline {
public:
    request_pipeline(std::shared_ptr<http::transport> transport, pipeline_options opts);
    ~request_pipeline();

    /// Runs one call. `ctx` must have `operation`, `origin`, `max_attempts`, `attempt_timeout`
    /// set; the deadline is `timeout` from now. Never throws: an exception thrown by user
    /// middleware or a logger sink ends the call with `errc::callback_failed`.
    boost::asio::awaitable<pipeline_result> run(call_context ctx, http::request req,
                                                std::chrono::milliseconds timeout);

    const pipeline_options& options() const noexcept;
    const std::shared_ptr<pipeline::rate_limiter>& limiter() const noexcept;

    struct impl;  ///< internal (named by the built-in stages in src/pipeline)

private:
    std::shared_ptr<impl> impl_;
};

} // namespace intercom::pipeline
