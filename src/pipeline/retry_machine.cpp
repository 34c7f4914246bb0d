#include <intercom/error.hpp>
#include <intercom/http/detail/transport_rules.hpp>
#include <intercom/pipeline/retry_machine.hpp>

namespace intercom::pipeline {

std::string_view to_string(stop_reason r) noexcept {
    switch (r) {
    case stop_reason::succeeded: return "succeeded";
    case stop_reason::policy_declined: return "the retry policy declined";
    case stop_reason::cancelled: return "cancelled";
    case stop_reason::body_streamed: return "part of the body was already streamed to the caller";
    case stop_reason::wait_too_long: return "the server asks for a longer wait than allowed";
    case stop_reason::deadline: return "the backoff wait would pass the deadline";
    case stop_reason::pipeline_error: return "an exception in the pipeline";
    }
    return "unknown";
}

retry_machine::retry_machine(const retry_policy& retry, const backoff_policy& backoff, unsigned max_attempts,
                             bool replay_safe, time_point deadline) noexcept
    : retry_(&retry), backoff_(&backoff), max_attempts_(max_attempts == 0 ? 1 : max_attempts),
      replay_safe_(replay_safe), deadline_(deadline) {}

retry_step retry_machine::start() noexcept {
    attempt_ = 1;
    sends_ = 1;
    return {};
}

retry_step retry_machine::finish(stop_reason r, std::string_view detail) noexcept {
    done_ = true;
    retry_step s;
    s.what = retry_step::action::finish;
    s.reason = r;
    s.detail = detail.empty() ? to_string(r) : detail;
    return s;
}

retry_step retry_machine::on_attempt(const attempt_report& r, time_point now,
                                     std::chrono::system_clock::time_point wall_now, double random, bool cancelled) {
    last_ = attempt_outcome{};
    last_.attempt = attempt_;
    last_.max_attempts = max_attempts_;
    last_.replay_safe = replay_safe_;
    last_.http_status = r.http_status;
    last_.error = r.error;
    last_.stage = r.http_status != 0 ? request_stage::completed : r.stage;
    if (!r.error) return finish(stop_reason::succeeded, {});

    // A kept-alive connection the server had already closed: the request never reached a live
    // peer, so one resend on a new connection is part of this attempt, not a retry.
    const bool transport_code = r.http_status == 0 && r.error.category() == error_category();
    if (transport_code && !resent_fresh_ && !cancelled && r.streamed_bytes == 0 &&
        http::detail::may_retry_on_fresh_connection(r.reused_connection, static_cast<errc>(r.error.value()), r.stage,
                                                    replay_safe_)) {
        resent_fresh_ = true;
        ++sends_;
        retry_step s;
        s.fresh_connection = true;
        return s;
    }

    auto decision = retry_->decide(last_);
    if (!decision.retry) return finish(stop_reason::policy_declined, decision.reason);
    if (cancelled) return finish(stop_reason::cancelled, {});
    if (r.streamed_bytes > 0) return finish(stop_reason::body_streamed, {});

    backoff_input in;
    in.retry = attempt_;
    in.http_status = r.http_status;
    in.headers = r.headers;
    in.wall_now = wall_now;
    in.random = random;
    auto delay = backoff_->delay(in);
    if (!delay) return finish(stop_reason::wait_too_long, {});
    if (now + *delay >= deadline_) return finish(stop_reason::deadline, {});
    retry_step s;
    s.what = retry_step::action::wait;
    s.delay = *delay;
    s.detail = decision.reason;
    return s;
}

retry_step retry_machine::on_wait_done(bool cancelled) noexcept {
    if (cancelled) return finish(stop_reason::cancelled, "cancelled during the backoff wait");
    ++attempt_;
    ++sends_;
    return {};
}

} // namespace intercom::pipeline
