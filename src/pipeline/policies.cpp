#include <intercom/detail/header_values.hpp>
#include <intercom/error.hpp>
#include <intercom/rate_limit.hpp>
#include <intercom/pipeline/policies.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <random>

namespace intercom::pipeline {

namespace http = boost::beast::http;

bool default_idempotency_policy::is_replay_safe(const operation_info* op, http::verb method) const {
    if (op) return intercom::is_replay_safe(op->retry);
    switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::put:
    case http::verb::delete_:
        return true;
    default:
        return false;
    }
}

namespace {

bool is_transport_failure(const boost::system::error_code& ec) {
    return ec && !is_http_error(ec) && is_transient(ec);
}

} // namespace

retry_decision default_retry_policy::decide(const attempt_outcome& o) const {
    if (!o.error) return {false, "succeeded"};
    if (o.error == errc::cancelled) return {false, "cancelled"};
    if (o.error == errc::deadline_exceeded) return {false, "deadline exceeded"};
    // Our own limiter refused it (no status): the window ends after the deadline, so no retry fits.
    if (o.error == errc::rate_limited && o.http_status == 0)
        return {false, "the rate-limit window ends after the deadline"};
    if (!is_transient(o.error)) return {false, "not a transient failure"};
    if (o.attempt >= o.max_attempts) return {false, "attempts exhausted"};
    if (o.http_status == 429) return {true, "429: the server rejected it before processing"};
    if (o.replay_safe) {
        return {true, is_transport_failure(o.error) ? "transport failure on replay-safe request"
                                                    : "transient status on replay-safe request"};
    }
    if (is_transport_failure(o.error) && o.stage == request_stage::not_sent)
        return {true, "transport failure before the request was sent"};
    return {false, "not replay-safe and may have been processed"};
}

std::optional<std::chrono::nanoseconds> parse_retry_after(std::string_view value,
                                                          std::chrono::system_clock::time_point wall_now) {
    // Delta seconds saturate (header_number_max) long before nanoseconds could overflow.
    if (auto secs = intercom::detail::parse_header_number(value)) return std::chrono::seconds{*secs};
    auto t = intercom::detail::parse_http_date(value);
    if (!t) return std::nullopt;
    if (*t <= wall_now) return std::chrono::nanoseconds::zero();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(*t - wall_now);
}

std::optional<std::chrono::nanoseconds> default_backoff_policy::delay(const backoff_input& in) const {
    using std::chrono::nanoseconds;
    double r = std::clamp(in.random, 0.0, 1.0);
    if (in.http_status == 429) {
        std::optional<nanoseconds> wait;
        if (in.headers) {
            auto it = in.headers->find(boost::beast::http::field::retry_after);
            if (it != in.headers->end()) wait = parse_retry_after(std::string_view{it->value()}, in.wall_now);
            if (!wait) {
                // The window end, read on the server's clock (its `Date`) and capped at one window:
                // a skewed or hostile reset can neither overflow nor stall the retry.
                if (auto secs = intercom::detail::header_number(*in.headers, "X-RateLimit-Reset"); secs && *secs > 0) {
                    std::chrono::system_clock::time_point stamp{std::chrono::seconds{*secs}};
                    auto reset = intercom::detail::to_local_time(stamp, *in.headers, in.wall_now,
                                                       rate_limit_snapshot::max_reset_ahead);
                    // A reset in the past still means "the window is over": go now.
                    wait = reset > in.wall_now ? std::chrono::duration_cast<nanoseconds>(reset - in.wall_now)
                                               : nanoseconds::zero();
                }
            }
        }
        if (!wait) wait = opts_.rate_limit_fallback;
        auto jitter = std::chrono::duration_cast<nanoseconds>(opts_.rate_limit_jitter * r);
        if (*wait > opts_.max_rate_limit_wait) return std::nullopt;
        return *wait + jitter;
    }
    // Full jitter: uniform in [0, ceiling). Spreads retries of many clients across the whole range.
    unsigned shift = in.retry == 0 ? 0 : std::min(in.retry - 1, 30u);
    double ceiling = static_cast<double>(nanoseconds(opts_.initial).count()) * std::ldexp(1.0, static_cast<int>(shift));
    ceiling = std::min(ceiling, static_cast<double>(nanoseconds(opts_.max).count()));
    return nanoseconds{static_cast<nanoseconds::rep>(ceiling * r)};
}

random_source default_random_source() {
    return [] {
        thread_local std::mt19937_64 gen{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
    };
}

} // namespace intercom::pipeline
