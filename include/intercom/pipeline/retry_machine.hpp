// The retry loop as a pure state machine: it decides, the pipeline does the I/O.
//
// Inputs: how each attempt ended (status or error, how far it got, whether it went over a
// reused keep-alive connection, how much body reached the caller), the clock and a random
// number. Outputs: send (again, possibly on a fresh connection), wait, or finish with a reason
// code. No sockets, no timers, no coroutines: tests drive it step by step (see
// test/unit/pipeline/retry_machine_test.cpp), as the pagination FSM is driven.
#pragma once

#include <intercom/pipeline/events.hpp>
#include <intercom/pipeline/policies.hpp>

#include <boost/beast/http/fields.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <string_view>

namespace intercom::pipeline {

/// What the pipeline must do next.
struct retry_step {
    enum class action : unsigned char {
        send,    ///< run attempt `retry_machine::attempt()` (on a fresh connection if `fresh_connection`)
        wait,    ///< sleep `delay`, then call `retry_machine::on_wait_done`
        finish,  ///< the call is over; `reason` says why
    };
    action what = action::send;
    bool fresh_connection = false;     ///< send: the last send died on a stale keep-alive connection
    std::chrono::nanoseconds delay{};  ///< wait: how long
    stop_reason reason{};              ///< finish
    std::string_view detail;           ///< wait / finish: static text for events and log lines
};

/// How one send ended, as the machine needs to know it.
struct attempt_report {
    unsigned http_status = 0;                             ///< 0 when no response arrived
    boost::system::error_code error;                      ///< empty for a 2xx
    request_stage stage = request_stage::completed;      ///< how far a failed send got
    bool reused_connection = false;                       ///< it went over a kept-alive connection
    const boost::beast::http::fields* headers = nullptr;  ///< response headers, if any
    std::size_t streamed_bytes = 0;                       ///< body bytes already given to a sink
};

/// One call's retry loop. Not thread-safe (one instance per call); cheap to construct.
///
/// Rules, in order, after a failed send:
/// 1. a send over a *reused* connection that the peer had closed before answering is resent once
///    on a fresh connection, without counting an attempt (`http::send_options::fresh_connection`);
///    a request that may have been executed (not replay-safe and completely written) never is;
/// 2. cancelled calls and calls whose body was partly streamed stop;
/// 3. otherwise the retry policy decides; a retry waits the backoff policy's delay, unless the
///    backoff policy refuses (`wait_too_long`) or the wait would pass the deadline (`deadline`).
class retry_machine {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// The policies must outlive the machine. `max_attempts` 0 counts as 1.
    retry_machine(const retry_policy& retry, const backoff_policy& backoff, unsigned max_attempts, bool replay_safe,
                  time_point deadline) noexcept;

    /// The first step: always `send` attempt 1.
    retry_step start() noexcept;

    /// Feeds the end of the current send. `now`/`wall_now` are the pipeline clock's, `random` is
    /// uniform in [0, 1) (backoff jitter), `cancelled` whether the caller asked to stop.
    retry_step on_attempt(const attempt_report& r, time_point now, std::chrono::system_clock::time_point wall_now,
                          double random, bool cancelled);

    /// Feeds the end of a `wait`: `send` the next attempt, or `finish` if it was cancelled.
    retry_step on_wait_done(bool cancelled) noexcept;

    unsigned attempt() const noexcept { return attempt_; }          ///< 1-based, of the current send
    unsigned max_attempts() const noexcept { return max_attempts_; }
    unsigned sends() const noexcept { return sends_; }              ///< attempts + fresh-connection resends
    bool replay_safe() const noexcept { return replay_safe_; }
    /// The last attempt as the retry policy saw it (valid after `on_attempt`).
    const attempt_outcome& last_outcome() const noexcept { return last_; }

private:
    retry_step finish(stop_reason r, std::string_view detail) noexcept;

    const retry_policy* retry_;
    const backoff_policy* backoff_;
    unsigned max_attempts_;
    bool replay_safe_;
    time_point deadline_;
    unsigned attempt_ = 0;
    unsigned sends_ = 0;
    bool resent_fresh_ = false;
    bool done_ = false;
    attempt_outcome last_;
};

} // namespace intercom::pipeline
