#include <intercom/detail/header_values.hpp>
#include <intercom/rate_limit.hpp>

#include <algorithm>

namespace intercom {

std::optional<rate_limit_snapshot> rate_limit_snapshot::from_headers(const boost::beast::http::fields& headers) {
    return from_headers(headers, std::chrono::system_clock::now());
}

std::optional<rate_limit_snapshot> rate_limit_snapshot::from_headers(const boost::beast::http::fields& headers,
                                                                     std::chrono::system_clock::time_point local_now) {
    auto limit = detail::header_number(headers, "X-RateLimit-Limit");
    auto remaining = detail::header_number(headers, "X-RateLimit-Remaining");
    // A limit of 0 would lock the client out for good: no real budget says that, so it is unusable.
    if (!limit || !remaining || *limit <= 0) return std::nullopt;
    rate_limit_snapshot s;
    s.limit = *limit;
    s.remaining = std::min(*remaining, *limit);
    if (auto reset = detail::header_number(headers, "X-RateLimit-Reset"); reset && *reset > 0) {
        std::chrono::system_clock::time_point stamp{std::chrono::seconds{*reset}};
        s.reset = detail::to_local_time(stamp, headers, local_now, max_reset_ahead);
    }
    return s;
}

} // namespace intercom
