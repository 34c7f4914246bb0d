// Retry decision tables, backoff schedule and 429 waits, without any I/O.
#include <intercom/error.hpp>
#include <intercom/pipeline/policies.hpp>

#include <boost/test/unit_test.hpp>

#include <array>

using namespace intercom;
using namespace intercom::pipeline;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

BOOST_AUTO_TEST_SUITE(pipeline_policies)

namespace {

struct failure {
    const char* name;
    unsigned status;
    errc code;
    request_stage stage;
};

// Failure kinds the table covers.
const std::array<failure, 12> failures{{
    {"429", 429, errc::rate_limited, request_stage::completed},
    {"408", 408, errc::request_timeout, request_stage::completed},
    {"500", 500, errc::internal_server_error, request_stage::completed},
    {"502", 502, errc::bad_gateway, request_stage::completed},
    {"503", 503, errc::service_unavailable, request_stage::completed},
    {"504", 504, errc::gateway_timeout, request_stage::completed},
    {"connect refused", 0, errc::connect_failed, request_stage::not_sent},
    {"reset after send", 0, errc::connection_closed, request_stage::sent},
    {"reset while writing", 0, errc::connection_closed, request_stage::partially_sent},
    {"attempt timeout", 0, errc::attempt_timeout, request_stage::sent},
    {"404", 404, errc::not_found, request_stage::completed},
    {"501", 501, errc::server_error, request_stage::completed},
}};

bool expected(retry_class c, const failure& f) {
    if (f.status == 404 || f.status == 501) return false;       // never transient
    if (f.status == 429) return true;                           // rejected before processing
    if (is_replay_safe(c)) return true;                         // 408/5xx/transport: safe to repeat
    return f.status == 0 && f.stage == request_stage::not_sent; // provably not processed
}

} // namespace

BOOST_AUTO_TEST_CASE(decision_table_retry_class_by_failure_kind) {
    default_retry_policy pol;
    const retry_class classes[] = {retry_class::safe,   retry_class::idempotent, retry_class::read,
                                   retry_class::upsert, retry_class::attach,     retry_class::dedup,
                                   retry_class::once,   retry_class::create};
    int retried = 0, refused = 0;
    for (auto c : classes) {
        for (const auto& f : failures) {
            attempt_outcome o;
            o.attempt = 1;
            o.max_attempts = 3;
            o.error = make_error_code(f.code);
            o.http_status = f.status;
            o.stage = f.stage;
            o.replay_safe = is_replay_safe(c);
            auto d = pol.decide(o);
            BOOST_TEST_CONTEXT("class " << static_cast<int>(c) << ", failure " << f.name) {
                BOOST_TEST(d.retry == expected(c, f));
                BOOST_TEST(!d.reason.empty());
            }
            (d.retry ? retried : refused)++;
        }
    }
    // Spot checks of the table's shape: creating POSTs retry only 429 and not-sent failures.
    BOOST_TEST(retried == 6 * 10 + 2 * 2);
    BOOST_TEST(refused == 8 * 12 - retried);
}

BOOST_AUTO_TEST_CASE(no_retry_on_success_exhaustion_cancel_deadline) {
    default_retry_policy pol;
    attempt_outcome o;
    o.max_attempts = 3;
    BOOST_TEST(!pol.decide(o).retry);  // success
    o.error = make_error_code(errc::service_unavailable);
    o.http_status = 503;
    o.attempt = 3;
    BOOST_TEST(!pol.decide(o).retry);
    BOOST_TEST(pol.decide(o).reason == "attempts exhausted");
    o.attempt = 1;
    o.http_status = 0;
    o.error = make_error_code(errc::cancelled);
    BOOST_TEST(!pol.decide(o).retry);
    o.error = make_error_code(errc::deadline_exceeded);
    BOOST_TEST(!pol.decide(o).retry);
}

BOOST_AUTO_TEST_CASE(generic_requests_idempotency) {
    default_idempotency_policy p;
    BOOST_TEST(p.is_replay_safe(nullptr, bhttp::verb::get));
    BOOST_TEST(p.is_replay_safe(nullptr, bhttp::verb::head));
    BOOST_TEST(p.is_replay_safe(nullptr, bhttp::verb::put));
    BOOST_TEST(p.is_replay_safe(nullptr, bhttp::verb::delete_));
    BOOST_TEST(!p.is_replay_safe(nullptr, bhttp::verb::post));
    BOOST_TEST(!p.is_replay_safe(nullptr, bhttp::verb::patch));
    operation_info search{"contacts.search", "", bhttp::verb::post, "/contacts/search", retry_class::read};
    operation_info create{"notes.create", "", bhttp::verb::post, "/contacts/{id}/notes", retry_class::create};
    BOOST_TEST(p.is_replay_safe(&search, bhttp::verb::post));
    BOOST_TEST(!p.is_replay_safe(&create, bhttp::verb::post));
}

BOOST_AUTO_TEST_CASE(backoff_schedule_full_jitter_with_cap) {
    default_backoff_policy b;  // 500 ms initial, doubling, 20 s cap
    backoff_input in;
    in.random = 0.5;
    const std::chrono::nanoseconds expected_half[] = {250ms, 500ms, 1s, 2s, 4s, 8s, 10s, 10s, 10s};
    for (unsigned i = 0; i < std::size(expected_half); ++i) {
        in.retry = i + 1;
        BOOST_TEST_CONTEXT("retry " << in.retry) { BOOST_TEST(b.delay(in)->count() == expected_half[i].count()); }
    }
    in.retry = 1000;  // no overflow far out
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(10s).count());
    in.random = 0.0;  // full jitter: the low end is zero
    BOOST_TEST(b.delay(in)->count() == 0);
    in.random = 0.999;
    in.retry = 3;
    BOOST_TEST(*b.delay(in) < 2s);
    BOOST_TEST(*b.delay(in) > 1900ms);
}

BOOST_AUTO_TEST_CASE(rate_limit_wait_uses_reset_header_plus_jitter) {
    default_backoff_policy b;  // jitter up to 1 s, max wait 60 s, fallback 10 s
    bhttp::fields h;
    backoff_input in;
    in.http_status = 429;
    in.headers = &h;
    in.wall_now = std::chrono::system_clock::time_point{std::chrono::seconds{1'700'000'003}};
    in.random = 0.25;
    h.set("X-RateLimit-Reset", "1700000010");
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(7250ms).count());
    // Retry-After wins over the reset header.
    h.set(bhttp::field::retry_after, "2");
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(2250ms).count());
    h.set(bhttp::field::retry_after, "Tue, 14 Nov 2023 22:13:30 GMT");  // = 1700000010
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(7250ms).count());
    // Unparsable Retry-After falls back to the reset header.
    h.set(bhttp::field::retry_after, "soon");
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(7250ms).count());
    // No headers: one window.
    h.clear();
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(10250ms).count());
    // A reset in the past (clock skew): only the jitter.
    h.set("X-RateLimit-Reset", "1699999990");
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(250ms).count());
    // A reset further ahead than one window is skew or hostility: capped at max_reset_ahead (11 s).
    h.set("X-RateLimit-Reset", "1700000100");
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(11250ms).count());
    // With the server's Date, the reset is read on the server's clock (here 1 h ahead of ours).
    h.set("X-RateLimit-Reset", "1700003608");
    h.set(bhttp::field::date, "Tue, 14 Nov 2023 23:13:23 GMT");  // 1700003603
    BOOST_TEST(b.delay(in)->count() == std::chrono::nanoseconds(5250ms).count());
    // A Retry-After longer than the allowed maximum: do not retry.
    h.set(bhttp::field::retry_after, "61");
    BOOST_TEST(!b.delay(in).has_value());
}

BOOST_AUTO_TEST_CASE(retry_after_parsing) {
    auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'700'000'000}};
    BOOST_TEST(parse_retry_after("120", now)->count() == std::chrono::nanoseconds(120s).count());
    BOOST_TEST(parse_retry_after(" 0 ", now)->count() == 0);
    BOOST_TEST(parse_retry_after("Tue, 14 Nov 2023 22:13:25 GMT", now)->count() ==
               std::chrono::nanoseconds(5s).count());
    BOOST_TEST(parse_retry_after("Tue, 14 Nov 2023 22:13:15 GMT", now)->count() == 0);  // past
    BOOST_TEST(!parse_retry_after("", now));
    BOOST_TEST(!parse_retry_after("-5", now));
    BOOST_TEST(!parse_retry_after("12abc", now));
    BOOST_TEST(!parse_retry_after("Tue, 14 Foo 2023 22:13:25 GMT", now));
    BOOST_TEST(!parse_retry_after("Tuesday, 14-Nov-23 22:13:25 GMT", now));
}

BOOST_AUTO_TEST_SUITE_END()
