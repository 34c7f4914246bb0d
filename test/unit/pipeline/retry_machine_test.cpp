// The retry state machine, step by step: no sockets, no timers, no coroutines.
#include <intercom/error.hpp>
#include <intercom/pipeline/retry_machine.hpp>

#include <boost/test/unit_test.hpp>

using namespace intercom;
using namespace intercom::pipeline;
using namespace std::chrono_literals;
using action = retry_step::action;
using clock_type = std::chrono::steady_clock;

BOOST_AUTO_TEST_SUITE(pipeline_retry_machine)

namespace {

const clock_type::time_point t0{std::chrono::seconds(1000)};
const std::chrono::system_clock::time_point wall0{std::chrono::seconds(1'700'000'000)};

struct fixture {
    default_retry_policy retry;
    default_backoff_policy backoff;

    retry_machine make(unsigned max_attempts, bool replay_safe, std::chrono::nanoseconds budget = 120s) {
        return retry_machine(retry, backoff, max_attempts, replay_safe, t0 + budget);
    }
};

attempt_report status(unsigned s) {
    attempt_report r;
    r.http_status = s;
    r.stage = request_stage::completed;
    if (s < 200 || s >= 300) r.error = error_from_http_status(s);
    return r;
}

attempt_report transport(errc code, request_stage stage, bool reused = false) {
    attempt_report r;
    r.error = make_error_code(code);
    r.stage = stage;
    r.reused_connection = reused;
    return r;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(first_step_sends_attempt_one, fixture) {
    auto m = make(3, true);
    auto s = m.start();
    BOOST_TEST((s.what == action::send));
    BOOST_TEST(!s.fresh_connection);
    BOOST_TEST(m.attempt() == 1u);
    BOOST_TEST(m.sends() == 1u);
}

BOOST_FIXTURE_TEST_CASE(success_finishes_with_succeeded, fixture) {
    auto m = make(3, true);
    m.start();
    auto s = m.on_attempt(status(200), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::succeeded));
    BOOST_TEST(s.detail == "succeeded");
}

BOOST_FIXTURE_TEST_CASE(transient_status_waits_then_sends_next_attempt, fixture) {
    auto m = make(3, true);
    m.start();
    // Full jitter: random 0.5 of the first ceiling (500 ms) is 250 ms.
    auto s = m.on_attempt(status(503), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::wait));
    BOOST_TEST(s.delay.count() == std::chrono::nanoseconds(250ms).count());
    BOOST_TEST(!s.detail.empty());
    BOOST_TEST(m.last_outcome().http_status == 503u);
    s = m.on_wait_done(false);
    BOOST_TEST((s.what == action::send));
    BOOST_TEST(m.attempt() == 2u);
    // Second retry: ceiling doubles to 1 s.
    s = m.on_attempt(status(503), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::wait));
    BOOST_TEST(s.delay.count() == std::chrono::nanoseconds(500ms).count());
    m.on_wait_done(false);
    BOOST_TEST(m.attempt() == 3u);
    s = m.on_attempt(status(503), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::policy_declined));
    BOOST_TEST(s.detail == "attempts exhausted");
    BOOST_TEST(m.sends() == 3u);
}

BOOST_FIXTURE_TEST_CASE(non_transient_status_is_declined_at_once, fixture) {
    auto m = make(3, true);
    m.start();
    auto s = m.on_attempt(status(404), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::policy_declined));
    BOOST_TEST(m.attempt() == 1u);
}

BOOST_FIXTURE_TEST_CASE(creating_post_is_never_resent_after_its_bytes_left, fixture) {
    // Not replay-safe, fully written, then the connection died: the server may have created it.
    auto m = make(3, false);
    m.start();
    auto s = m.on_attempt(transport(errc::connection_closed, request_stage::sent, true), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::policy_declined));
    BOOST_TEST(m.sends() == 1u);
}

BOOST_FIXTURE_TEST_CASE(stale_keep_alive_connection_is_resent_once_on_a_fresh_one, fixture) {
    auto m = make(1, false);  // even with one attempt: the resend is part of the attempt
    m.start();
    auto s = m.on_attempt(transport(errc::connection_closed, request_stage::partially_sent, true), t0, wall0, 0.5,
                          false);
    BOOST_TEST((s.what == action::send));
    BOOST_TEST(s.fresh_connection);
    BOOST_TEST(m.attempt() == 1u);
    BOOST_TEST(m.sends() == 2u);
    // Only once: the fresh connection failing the same way is a normal failure.
    s = m.on_attempt(transport(errc::connection_closed, request_stage::partially_sent, true), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST(m.sends() == 2u);
}

BOOST_FIXTURE_TEST_CASE(fresh_resend_needs_a_reused_connection, fixture) {
    auto m = make(1, true);
    m.start();
    auto s = m.on_attempt(transport(errc::connection_closed, request_stage::sent, false), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));  // a new connection that failed is not "stale"
}

BOOST_FIXTURE_TEST_CASE(fresh_resend_for_replay_safe_request_even_when_fully_written, fixture) {
    auto m = make(1, true);
    m.start();
    auto s = m.on_attempt(transport(errc::connection_closed, request_stage::sent, true), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::send));
    BOOST_TEST(s.fresh_connection);
}

BOOST_FIXTURE_TEST_CASE(no_fresh_resend_once_the_response_started, fixture) {
    auto m = make(1, true);
    m.start();
    auto s = m.on_attempt(transport(errc::connection_closed, request_stage::response_started, true), t0, wall0, 0.5,
                          false);
    BOOST_TEST((s.what == action::finish));
}

BOOST_FIXTURE_TEST_CASE(cancelled_caller_stops_instead_of_retrying, fixture) {
    auto m = make(3, true);
    m.start();
    auto s = m.on_attempt(status(503), t0, wall0, 0.5, true);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::cancelled));
    // ... and no fresh-connection resend either.
    auto m2 = make(3, true);
    m2.start();
    s = m2.on_attempt(transport(errc::connection_closed, request_stage::sent, true), t0, wall0, 0.5, true);
    BOOST_TEST((s.what == action::finish));
}

BOOST_FIXTURE_TEST_CASE(cancelled_wait_finishes, fixture) {
    auto m = make(3, true);
    m.start();
    m.on_attempt(status(503), t0, wall0, 0.5, false);
    auto s = m.on_wait_done(true);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::cancelled));
    BOOST_TEST(m.attempt() == 1u);
}

BOOST_FIXTURE_TEST_CASE(streamed_body_is_never_retried, fixture) {
    auto m = make(3, true);
    m.start();
    auto r = transport(errc::connection_closed, request_stage::response_started, true);
    r.streamed_bytes = 10;
    auto s = m.on_attempt(r, t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::body_streamed));
}

BOOST_FIXTURE_TEST_CASE(wait_past_the_deadline_finishes_with_deadline, fixture) {
    auto m = make(3, true, 100ms);  // deadline 100 ms after t0
    m.start();
    auto s = m.on_attempt(status(503), t0, wall0, 0.5, false);  // would wait 250 ms
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::deadline));
    // A shorter wait fits.
    auto m2 = make(3, true, 100ms);
    m2.start();
    s = m2.on_attempt(status(503), t0, wall0, 0.1, false);  // 50 ms
    BOOST_TEST((s.what == action::wait));
}

BOOST_FIXTURE_TEST_CASE(rate_limited_429_waits_for_retry_after, fixture) {
    auto m = make(3, false);  // 429 is retried even for a creating POST
    m.start();
    boost::beast::http::fields h;
    h.set("Retry-After", "3");
    auto r = status(429);
    r.headers = &h;
    auto s = m.on_attempt(r, t0, wall0, 0.0, false);  // jitter 0
    BOOST_TEST((s.what == action::wait));
    BOOST_TEST(s.delay.count() == std::chrono::nanoseconds(3s).count());
}

BOOST_FIXTURE_TEST_CASE(too_long_retry_after_gives_up_with_wait_too_long, fixture) {
    auto m = make(3, true);
    m.start();
    boost::beast::http::fields h;
    h.set("Retry-After", "3600");
    auto r = status(429);
    r.headers = &h;
    auto s = m.on_attempt(r, t0, wall0, 0.0, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::wait_too_long));
}

BOOST_FIXTURE_TEST_CASE(own_limiter_refusal_is_not_retried, fixture) {
    auto m = make(3, true);
    m.start();
    auto s = m.on_attempt(transport(errc::rate_limited, request_stage::not_sent), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::finish));
    BOOST_TEST((s.reason == stop_reason::policy_declined));
}

BOOST_FIXTURE_TEST_CASE(not_sent_transport_failure_is_retried_for_creating_post, fixture) {
    auto m = make(3, false);
    m.start();
    auto s = m.on_attempt(transport(errc::connect_failed, request_stage::not_sent), t0, wall0, 0.5, false);
    BOOST_TEST((s.what == action::wait));
}

BOOST_FIXTURE_TEST_CASE(every_stop_reason_has_words, fixture) {
    for (auto r : {stop_reason::succeeded, stop_reason::policy_declined, stop_reason::cancelled,
                   stop_reason::body_streamed, stop_reason::wait_too_long, stop_reason::deadline,
                   stop_reason::pipeline_error})
        BOOST_TEST(!to_string(r).empty());
}

BOOST_AUTO_TEST_SUITE_END()
