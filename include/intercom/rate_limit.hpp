// The rate-limit budget Intercom reports in X-RateLimit-* headers.
#pragma once

#include <boost/beast/http/fields.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace intercom {

/// A snapshot of `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
/// (Reset is Unix seconds, the end of the current 10-second window).
struct rate_limit_snapshot {
    std::int64_t limit = 0;      ///< requests allowed per window
    std::int64_t remaining = 0;  ///< requests left in the current window
    std::chrono::system_clock::time_point reset{}; ///< when the window resets

    /// Reads the three headers; `std::nullopt` unless `Limit` and `Remaining` both parse.
    /// A missing or unparsable `Reset` leaves `reset` at the epoch.
    static std::optional<rate_limit_snapshot> from_headers(const boost::beast::http::fields& headers);

    friend bool operator==(const rate_limit_snapshot&, const rate_limit_snapshot&) = default;
};

} // namespace intercom
