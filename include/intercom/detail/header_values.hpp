// Numbers and dates read from response headers. A server (or a proxy) may send any digits: every
// value saturates instead of overflowing, so no header can turn into a negative or wrapped wait.
#pragma once

#include <boost/beast/http/fields.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace intercom::detail {

/// Where header numbers saturate: 4e9 is beyond any meaningful count, wait (126 years of seconds) or
/// Unix time (year 2096), and small enough that seconds converted to nanoseconds (`system_clock` and
/// `std::chrono::nanoseconds` here), and differences of two such values, cannot overflow.
inline constexpr std::int64_t header_number_max = 4'000'000'000;

/// A non-negative decimal integer (optional surrounding blanks), saturated at `header_number_max`;
/// nullopt for anything else (signs, fractions, trailing text, empty).
std::optional<std::int64_t> parse_header_number(std::string_view text) noexcept;

/// `parse_header_number` of the first field named `name`.
std::optional<std::int64_t> header_number(const boost::beast::http::fields& headers, std::string_view name) noexcept;

/// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires of `Date` and
/// `Retry-After`, with a year from 1970 to 2096; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) noexcept;

/// Converts a server time stamp (e.g. `X-RateLimit-Reset`) to this machine's clock. With a parsable
/// `Date` header the server's own "now" is the reference, so a client clock that is off by minutes
/// or hours does not matter: the result is `local_now + (stamp - Date)`. Without one, the stamp is
/// taken as is. The result is clamped to `[local_now - horizon, local_now + horizon]`.
std::chrono::system_clock::time_point to_local_time(std::chrono::system_clock::time_point stamp,
                                                    const boost::beast::http::fields& headers,
                                                    std::chrono::system_clock::time_point local_now,
                                                    std::chrono::seconds horizon) noexcept;

} // namespace intercom::detail
