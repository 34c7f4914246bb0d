#include <intercom/detail/header_values.hpp>

#include <algorithm>

namespace intercom::detail {

namespace {

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

} // namespace

std::optional<std::int64_t> parse_header_number(std::string_view text) noexcept {
    text = trim(text);
    if (text.empty()) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        if (v < header_number_max) v = std::min<std::int64_t>(header_number_max, v * 10 + (c - '0'));
    }
    return v;
}

std::optional<std::int64_t> header_number(const boost::beast::http::fields& headers, std::string_view name) noexcept {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return parse_header_number(std::string_view{it->value()});
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view v) noexcept {
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    v = trim(v);
    if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
        v[19] != ':' || v[22] != ':' || v.substr(25) != " GMT")
        return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t len) -> int {
        int x = 0;
        for (char c : v.substr(pos, len)) {
            if (c < '0' || c > '9') return -1;
            x = x * 10 + (c - '0');
        }
        return x;
    };
    int day = num(5, 2), year = num(12, 4), hh = num(17, 2), mm = num(20, 2), ss = num(23, 2);
    int month = -1;
    for (int i = 0; i < 12; ++i)
        if (v.substr(8, 3) == months[i]) month = i + 1;
    if (day < 1 || year < 1970 || year > 2096 || month < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                       std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss};
}

std::chrono::system_clock::time_point to_local_time(std::chrono::system_clock::time_point stamp,
                                                    const boost::beast::http::fields& headers,
                                                    std::chrono::system_clock::time_point local_now,
                                                    std::chrono::seconds horizon) noexcept {
    auto local = stamp;
    if (auto it = headers.find(boost::beast::http::field::date); it != headers.end()) {
        if (auto server_now = parse_http_date(std::string_view{it->value()})) local = local_now + (stamp - *server_now);
    }
    return std::clamp(local, local_now - horizon, local_now + horizon);
}

} // namespace intercom::detail
