// The three separate, swappable decisions of the retry loop: may this request be replayed
// (idempotency), should this failure be retried (retry), and how long to wait (backoff).
#pragma once

#include <intercom/diagnostics.hpp>
#include <intercom/operation.hpp>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace intercom::pipeline {

/// Decides whether a request may be sent again after a failure that may have reached the server.
class idempotency_policy {
public:
    virtual ~idempotency_policy() = default;
    /// `op` is null for generic requests.
    virtual bool is_replay_safe(const operation_info* op, boost::beast::http::verb method) const = 0;
};

/// Default: the operation's `retry_class` (`is_replay_safe`); for generic requests GET, HEAD,
/// OPTIONS, PUT and DELETE are replay-safe and POST and PATCH are not.
class default_idempotency_policy final : public idempotency_policy {
public:
    bool is_replay_safe(const operation_info* op, boost::beast::http::verb method) const override;
};

/// How an attempt ended, as the retry policy sees it.
struct attempt_outcome {
    unsigned attempt = 1;                 ///< 1-based
    unsigned max_attempts = 1;
    boost::system::error_code error;      ///< empty for a 2xx
    unsigned http_status = 0;             ///< 0 when the transport failed
    request_stage stage = request_stage::completed; ///< how far the request got (transport failures)
    bool replay_safe = true;              ///< verdict of the idempotency policy
};

/// Why the retry policy said what it said (also reported in events and diagnostics).
struct retry_decision {
    bool retry = false;
    std::string_view reason;  ///< static string, e.g. "5xx on replay-safe request"
};

/// Decides whether to try again. Must be stateless or thread-safe: one instance serves all calls.
class retry_policy {
public:
    virtual ~retry_policy() = default;
    virtual retry_decision decide(const attempt_outcome& o) const = 0;
};

/// Default retry rules:
/// - never after a 2xx, after `cancelled`/`deadline_exceeded`, or when attempts are used up;
/// - 429: always (Intercom's limiter rejects before processing, so even creating POSTs are safe);
/// - 408, 500, 502, 503, 504 and transport failures (connect, reset, timeouts): if the request is
///   replay-safe, or if the transport proves it was never sent (`request_stage::not_sent`);
/// - everything else (other 4xx, 501, decode errors...): never.
class default_retry_policy final : public retry_policy {
public:
    retry_decision decide(const attempt_outcome& o) const override;
};

/// What the backoff policy knows when it picks a delay.
struct backoff_input {
    unsigned retry = 1;                               ///< 1 for the first retry
    unsigned http_status = 0;                         ///< 429 selects the rate-limit wait
    const boost::beast::http::fields* headers = nullptr; ///< response headers, if any
    std::chrono::system_clock::time_point wall_now;   ///< for X-RateLimit-Reset / HTTP-date
    double random = 0.0;                              ///< uniform in [0, 1), from the injected RNG
};

/// Picks the wait before a retry. `std::nullopt` means "do not retry" (e.g. the server asks
/// for a longer wait than allowed).
class backoff_policy {
public:
    virtual ~backoff_policy() = default;
    virtual std::optional<std::chrono::nanoseconds> delay(const backoff_input& in) const = 0;
};

/// Settings of `default_backoff_policy`.
struct backoff_options {
    /// First backoff ceiling; doubles per retry. 500 ms rides out a connection reset or a
    /// rolling deploy without adding much latency to the caller.
    std::chrono::milliseconds initial{500};
    /// Ceiling of the exponential part. 20 s keeps a 3-attempt call well inside the default
    /// 120 s deadline.
    std::chrono::milliseconds max{std::chrono::seconds(20)};
    /// On 429: the longest wait accepted. Intercom windows are 10 s, so a longer reset means a
    /// different kind of limit (e.g. one export job at a time): give up and surface the 429.
    std::chrono::milliseconds max_rate_limit_wait{std::chrono::seconds(60)};
    /// On 429 without Retry-After or a usable X-RateLimit-Reset: one Intercom window.
    std::chrono::milliseconds rate_limit_fallback{std::chrono::seconds(10)};
    /// On 429: uniform extra wait in [0, this) so that many clients do not return at once.
    std::chrono::milliseconds rate_limit_jitter{1000};
};

/// Default backoff:
/// - 429: `Retry-After` (seconds or HTTP-date) if present, else `X-RateLimit-Reset` minus now,
///   else `rate_limit_fallback`; plus jitter; `nullopt` when that exceeds `max_rate_limit_wait`;
/// - otherwise exponential with full jitter: uniform in [0, min(max, initial * 2^(retry-1))).
class default_backoff_policy final : public backoff_policy {
public:
    explicit default_backoff_policy(backoff_options o = {}) : opts_(o) {}
    std::optional<std::chrono::nanoseconds> delay(const backoff_input& in) const override;
    const backoff_options& options() const noexcept { return opts_; }

private:
    backoff_options opts_;
};

/// Parses a `Retry-After` value: delta seconds or an IMF-fixdate (RFC 9110). Returns the wait
/// relative to `wall_now` (never negative), or nullopt when unparsable.
std::optional<std::chrono::nanoseconds> parse_retry_after(std::string_view value,
                                                          std::chrono::system_clock::time_point wall_now);

/// A uniform random source in [0, 1), used for jitter. Injected so tests are deterministic.
using random_source = std::function<double()>;

/// A thread-safe default random source (one generator per thread, seeded from random_device).
random_source default_random_source();

} // namespace intercom::pipeline
