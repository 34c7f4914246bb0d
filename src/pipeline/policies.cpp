#include <intercom/error.hpp>
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

namespace {

// IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires senders to use.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view v) {
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (v.size() != 29 || v[3] != ',' || v.substr(25) != " GMT") return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
        int x = 0;
        auto s = v.substr(pos, len);
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
        if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
        return x;
    };
    auto day = num(5, 2), year = num(12, 4), hh = num(17, 2), mm = num(20, 2), ss = num(23, 2);
    if (!day || !year || !hh || !mm || !ss || v[19] != ':' || v[22] != ':') return std::nullopt;
    int month = -1;
    for (int i = 0; i < 12; ++i)
        if (v.substr(8, 3) == months[i]) month = i + 1;
    if (month < 0 || *day < 1 || *day > 31 || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(month)},
                       std::chrono::day{static_cast<unsigned>(*day)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd} + hours{*hh} + minutes{*mm} + seconds{*ss};
}

} // namespace

std::optional<std::chrono::nanoseconds> parse_retry_after(std::string_view value,
                                                          std::chrono::system_clock::time_point wall_now) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9') {
        long long secs = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
        if (ec != std::errc{} || p != value.data() + value.size()) return std::nullopt;
        return std::chrono::seconds{secs};
    }
    auto t = parse_http_date(value);
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
                auto it2 = in.headers->find("X-RateLimit-Reset");
                if (it2 != in.headers->end()) {
                    std::string_view s{it2->value()};
                    long long secs = 0;
                    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
                    if (ec == std::errc{} && p == s.data() + s.size() && secs > 0) {
                        std::chrono::system_clock::time_point reset{std::chrono::seconds{secs}};
                        // A reset in the past (clock skew) still means "the window is over": go now.
                        wait = reset > in.wall_now ? std::chrono::duration_cast<nanoseconds>(reset - in.wall_now)
                                                   : nanoseconds::zero();
                    }
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
