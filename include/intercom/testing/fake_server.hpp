// A stateful, in-process fake of the Intercom REST API (2.11 shapes) with fault injection.
//
//     boost::asio::io_context ioc;
//     intercom::testing::fake_server server(ioc.get_executor(), {.seed = {.contacts = 1000}});
//     server.start();
//     ... drive http://127.0.0.1:<server.port()> with any HTTP client while ioc runs ...
//     server.add_fault({.method = "GET", .path = "/contacts/{id}", .nth = 3, .action = {.kind =
//     fault_kind::status}}); auto seen = server.requests(); server.stop();
#pragma once

#include <intercom/testing/fault.hpp>
#include <intercom/testing/request_record.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace intercom::testing {

/// How many objects the store starts with. Same options give the same ids, bodies and timestamps.
struct seed_options {
    std::size_t contacts = 0;
    std::size_t companies = 0;
    std::size_t conversations = 0;
    std::uint64_t seed = 42;             ///< varies the generated values
    std::int64_t base_time = 1700000000; ///< created_at of the first seeded object (Unix seconds)

    /// Contacts' `created_at` (and `signed_up_at`) spread over [base_time, base_time + span] with a
    /// density that grows linearly over the span (`growth` times as many contacts a day at the end as at
    /// the start, as a growing workspace has); `updated_at` lies between `created_at` and the end of the
    /// span. 0: the old layout, contacts 37 s apart from `base_time` (about 9.5 days for 20,000).
    std::chrono::seconds contact_span{std::chrono::hours(24 * 365 * 3)};
    double contact_growth = 4.0;
    /// Share (0..1) of all contacts created on one bulk-import day (08:00-18:00 UTC), like a CSV import
    /// of a previous system's users. 0 (default): none.
    double bulk_import_share = 0.0;
    /// Where the bulk-import day lies, as a fraction of the span (0..1).
    double bulk_import_at = 0.5;
};

/// Intercom's limiter: a budget of requests per window, counted per access token (each token is an app),
/// and optionally a second budget shared by all apps of a workspace.
///
/// Windows are aligned to the server's wall clock (window k covers [k*window, (k+1)*window) since the
/// Unix epoch) and `X-RateLimit-Reset` is the Unix second at which the current window ends. With a
/// window that is a whole number of seconds (Intercom: 10 s) that second is exact, so a client that
/// waits for the reset finds a fresh budget and can spend all of it; a window of a fraction of a
/// second is reported rounded up.
struct rate_limit_options {
    bool enabled = true;
    unsigned requests_per_window = 100000; ///< per token; generous by default so benchmarks are not throttled
    std::chrono::milliseconds window{10000};
    /// Budget per window shared by the tokens of one workspace; 0: none. The workspace of a token is
    /// the part before the first `workspace_separator` (the whole token when there is none), so by
    /// default every token is an app in its own workspace.
    unsigned workspace_requests_per_window = 0;
    char workspace_separator = ':';

    /// Intercom's published defaults: 10,000 calls/min per app enforced as 1,666 per 10-second
    /// window, and 25,000/min per workspace (4,166 per window).
    static rate_limit_options intercom() {
        rate_limit_options o;
        o.requests_per_window = 1666;
        o.window = std::chrono::seconds(10);
        o.workspace_requests_per_window = 4166;
        return o;
    }
};

/// Simulated network latency, added to every response (faults' `delay` comes on top). Half is spent
/// before the request is handled (and counted by the limiter), half before the answer is written,
/// like the two legs of a round trip. Waits are asynchronous: other connections are never held up.
struct latency_options {
    std::chrono::microseconds fixed{0};  ///< the round-trip time to model
    std::chrono::microseconds jitter{0}; ///< plus a uniformly distributed 0..jitter per response
};

struct fake_server_options {
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0; ///< 0: an ephemeral port (read it with `port()`)
    bool tls = false;       ///< HTTPS with a CA made at start (see `ca_pem()`)
    seed_options seed;
    rate_limit_options rate_limit;
    latency_options latency;
    /// `Intercom-Version` values accepted; empty: 1.0 ... 2.11, Preview and Unstable. A missing header
    /// means 2.11.
    std::vector<std::string> accepted_versions;
    std::chrono::milliseconds scroll_expiry{60000}; ///< a companies scroll idle this long is gone
    bool record_requests = true;                    ///< keep a `recorded_request` per request
    std::size_t max_recorded = 200000;              ///< oldest entries are dropped beyond this
    std::size_t max_body_bytes = 16 * 1024 * 1024;
};

/// The server. Runs on the executor given at construction; safe to use from any thread and with an
/// io_context run by several threads. Non-copyable; stopping (or destroying) closes every connection.
class fake_server {
public:
    fake_server(boost::asio::any_io_executor ex, fake_server_options opts = {});
    ~fake_server();
    fake_server(const fake_server&) = delete;
    fake_server& operator=(const fake_server&) = delete;

    /// Binds, listens and starts accepting (on the executor). Throws `boost::system::system_error` on
    /// failure.
    void start();
    /// Stops accepting and closes every open connection. Idempotent.
    void stop();

    std::uint16_t port() const;
    /// "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
    std::string base_url() const;
    /// PEM of the CA that signed the server certificate (TLS only, empty otherwise).
    const std::string& ca_pem() const;

    // --- fault script ---------------------------------------------------------------------------------
    /// Adds a rule; returns its index (as reported in `recorded_request::fault_rule`). Earlier rules win.
    int add_fault(fault_rule rule);
    void add_faults(const std::vector<fault_rule>& rules);
    void clear_faults();

    // --- record ---------------------------------------------------------------------------------------
    std::vector<recorded_request> requests() const;
    /// Requests whose method (empty: any) and path match, see `path_matches`.
    std::size_t count(std::string_view method, std::string_view path_pattern) const;
    /// Most requests being handled at the same time (read but not yet fully answered).
    std::size_t max_in_flight() const;
    std::uint64_t connections_accepted() const;
    /// Requests answered 429 by the limiter (not by faults) since start or `clear_record()`.
    std::uint64_t throttled_count() const;
    /// Requests handled (any status) since start or `clear_record()`, recorded or not.
    std::uint64_t request_count() const;
    void clear_record();

    // --- store access for tests -----------------------------------------------------------------------
    /// Id of the `i`-th seeded contact / company (`company_id` field) / conversation, in creation order.
    std::string seeded_contact_id(std::size_t i) const;
    std::string seeded_company_id(std::size_t i) const;
    std::string seeded_conversation_id(std::size_t i) const;
    /// Number of objects currently stored for a collection ("contacts", "companies", "tags", ...).
    std::size_t object_count(std::string_view collection) const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace intercom::testing
