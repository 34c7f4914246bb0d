// What the pipeline reports while it works: events for hooks, log lines for a logger.
#pragma once

#include <intercom/rate_limit.hpp>

#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

namespace intercom::pipeline {

/// The kinds of decisions and facts the pipeline reports.
enum class event_kind : unsigned char {
    attempt_finished, ///< an attempt got a response (any status) or failed in the transport
    retry_scheduled,  ///< the pipeline will send again after `delay`
    gave_up,          ///< no further attempt; `reason` says why
    limiter_wait,     ///< the rate limiter delays this attempt by `delay` (budget exhausted)
    succeeded,        ///< the call ends with a 2xx
};

/// Why a call ended (`pipeline_result::stop`, `event::stop` of `gave_up` / `succeeded`).
enum class stop_reason : unsigned char {
    succeeded,          ///< a 2xx answer
    policy_declined,    ///< the retry policy said no (its words in `retry_step::detail`)
    cancelled,          ///< the caller cancelled the call
    body_streamed,      ///< part of the body already reached the caller's sink: a retry would repeat it
    wait_too_long,      ///< the backoff policy refused the wait the server asked for (e.g. Retry-After)
    deadline,           ///< the next wait would end after the call's deadline
    pipeline_error,     ///< an exception in a middleware, hook or sink ended the call
};

/// A short, stable description of `r` ("succeeded", "cancelled", ...).
std::string_view to_string(stop_reason r) noexcept;

/// One event. Views point into the call's state and are valid only during the hook invocation.
struct event {
    event_kind kind = event_kind::attempt_finished;
    std::string_view operation;               ///< operation name ("" for generic requests)
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string_view target;                  ///< path and query (never headers: no token here)
    unsigned attempt = 0;                     ///< 1-based attempt the event belongs to
    unsigned http_status = 0;                 ///< 0 if no response
    boost::system::error_code error;          ///< transport or HTTP error of the attempt, if any
    std::chrono::nanoseconds latency{};       ///< time spent in the transport for this attempt
    std::size_t request_bytes = 0;            ///< request body size
    std::size_t response_bytes = 0;           ///< response body size
    std::chrono::nanoseconds delay{};         ///< retry_scheduled / limiter_wait: how long we wait
    std::optional<rate_limit_snapshot> rate_limit; ///< the last snapshot seen for this call
    std::string_view reason;                  ///< retry_scheduled / gave_up: short explanation
    stop_reason stop = stop_reason::succeeded; ///< succeeded / gave_up: why the call ended, as a code
};

/// A user hook for events. Called inline on the pipeline's coroutine: keep it short, never throw.
using event_hook = std::function<void(const event&)>;

/// Severity of a log line.
enum class log_level : unsigned char { trace, debug, info, warning, error, off };

/// Where the logging stage writes. Lines below `level` are not formatted at all.
/// The logging stage never writes the `Authorization` header value (it is redacted).
struct logger {
    log_level level = log_level::off;
    std::function<void(log_level, std::string_view line)> sink;

    bool enabled(log_level l) const noexcept { return sink && l >= level && level != log_level::off; }
};

} // namespace intercom::pipeline
