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
    /// The farthest a window end may lie ahead. Intercom's windows last 10 s (plus a second of
    /// rounding in the header): a reset further ahead is a skewed clock or a hostile answer, and
    /// waiting for it would lock the client out.
    static constexpr std::chrono::seconds max_reset_ahead{11};

    std::int64_t limit = 0;      ///< requests allowed per window (> 0)
    std::int64_t remaining = 0;  ///< requests left in the current window (0..limit)
    std::chrono::system_clock::time_point reset{}; ///< when the window resets, on this machine's clock

    /// Reads the three headers; `std::nullopt` unless `Limit` (> 0) and `Remaining` both parse.
    /// Numbers saturate (see detail/header_values.hpp). `Reset` is converted to the local clock
    /// through the server's `Date` header when present (so clock skew does not matter) and clamped
    /// to `local_now ± max_reset_ahead`; a missing or unparsable `Reset` leaves `reset` at the epoch.
    static std::optional<rate_limit_snapshot> from_headers(const boost::beast::http::fields& headers,
                                                           std::chrono::system_clock::time_point local_now);

    /// `from_headers(headers, std::chrono::system_clock::now())`.
    static std::optional<rate_limit_snapshot> from_headers(const boost::beast::http::fields& headers);

    friend bool operator==(const rate_limit_snapshot&, const rate_limit_snapshot&) = default;
};

} // namespace intercom
