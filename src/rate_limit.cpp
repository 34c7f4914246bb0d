#include <intercom/rate_limit.hpp>

#include <charconv>
#include <string_view>

namespace intercom {
namespace {

std::optional<std::int64_t> parse_int(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<std::int64_t> header_int(const boost::beast::http::fields& h, std::string_view name) {
    auto it = h.find(name);
    if (it == h.end()) return std::nullopt;
    return parse_int(std::string_view{it->value()});
}

} // namespace

std::optional<rate_limit_snapshot> rate_limit_snapshot::from_headers(const boost::beast::http::fields& headers) {
    auto limit = header_int(headers, "X-RateLimit-Limit");
    auto remaining = header_int(headers, "X-RateLimit-Remaining");
    if (!limit || !remaining || *limit < 0) return std::nullopt;
    rate_limit_snapshot s;
    s.limit = *limit;
    s.remaining = *remaining < 0 ? 0 : *remaining;
    // Near or beyond the clock's range (the year 2262 with nanosecond ticks) the conversion, or later
    // arithmetic on the time point, would overflow: such a value is as unusable as an unparsable one.
    constexpr std::int64_t max_reset = 6'000'000'000;  // 2160-02-18
    if (auto reset = header_int(headers, "X-RateLimit-Reset"); reset && *reset > 0 && *reset <= max_reset)
        s.reset = std::chrono::system_clock::time_point{std::chrono::seconds{*reset}};
    return s;
}

} // namespace intercom
