// Prometheus metrics of intercom clients, fed by the pipeline's event hook (intercom::prometheus).
#pragma once

#include <intercom/client_options.hpp>
#include <intercom/pipeline/events.hpp>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace intercom::prometheus {

/// Names and buckets of the exported series.
struct metrics_options {
    /// Prefix of every metric name: `<prefix>_calls_total`, ...
    std::string prefix = "intercom";
    /// Labels added to every series, e.g. `{{"workspace", "eu-main"}}` when several clients share
    /// one registry. Default: none.
    ::prometheus::Labels labels;
    /// Upper bounds (seconds) of the attempt latency histogram. The default spans 5 ms (a pooled
    /// request to a nearby region) to 30 s (the default attempt timeout).
    std::vector<double> latency_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
};

/// Counts what the pipelines of one or more clients report, into a `prometheus::Registry`:
///
/// | series | labels | counts |
/// |---|---|---|
/// | `intercom_calls_total` | operation, outcome=`succeeded`/`failed` | calls that ended (event `succeeded` /
/// `gave_up`) | | `intercom_attempts_total` | operation | HTTP attempts, any status or transport failure | |
/// `intercom_retries_total` | operation, reason | retries; reason is the HTTP status (`429`, `503`, ...) or
/// the transport error (`connection_closed`, ...) | | `intercom_rate_limited_absorbed_total` | operation |
/// 429 answers that were retried instead of surfacing | | `intercom_limiter_waits_total` | operation | times
/// the client-side rate limiter delayed an attempt | | `intercom_limiter_wait_seconds_total` | operation |
/// how long those delays were | | `intercom_attempt_duration_seconds` | operation | histogram of the
/// transport time of each attempt |
///
/// `operation` is the typed operation's name (`contacts.retrieve`, ...) or `request` for the
/// generic `client::request`.
///
/// Client options are fixed when a client is constructed, so the metrics object is created first
/// and put into the options:
///
/// ```cpp
/// auto registry = std::make_shared<prometheus::Registry>();
/// auto metrics = intercom::prometheus::client_metrics::create(*registry);
/// intercom::client_options opts = ...;
/// metrics->attach(opts);                        // sets opts.pipeline.on_event (keeps any hook set before)
/// intercom::client client(ex, opts);
/// auto pool = intercom::prometheus::make_pool_collector(client);   // pool gauges, see pool_collector.hpp
/// ```
///
/// One object may serve many clients; the registry must outlive it. Thread-safe: the hook may run
/// on several threads at once.
class client_metrics : public std::enable_shared_from_this<client_metrics> {
public:
    static std::shared_ptr<client_metrics> create(::prometheus::Registry& registry,
                                                  metrics_options opts = {});

    /// Makes `opts.pipeline.on_event` feed this object. A hook already set there is still called
    /// (first), so this composes with the user's own hook.
    void attach(client_options& opts);

    /// The hook itself, for `pipeline_options::on_event` of a pipeline built by hand. It holds a
    /// reference to this object.
    pipeline::event_hook hook();

    /// Records one event (what the hook calls).
    void observe(const pipeline::event& e);

    struct per_operation; ///< the series of one operation (internal)

    explicit client_metrics(::prometheus::Registry& registry, metrics_options opts); // use create()
    ~client_metrics();

private:
    per_operation& series_of(std::string_view operation);
    ::prometheus::Counter& retry_counter(per_operation& s, std::string_view operation,
                                         const pipeline::event& e);

    metrics_options opts_;
    ::prometheus::Family<::prometheus::Counter>& calls_;
    ::prometheus::Family<::prometheus::Counter>& attempts_;
    ::prometheus::Family<::prometheus::Counter>& retries_;
    ::prometheus::Family<::prometheus::Counter>& absorbed_429_;
    ::prometheus::Family<::prometheus::Counter>& limiter_waits_;
    ::prometheus::Family<::prometheus::Counter>& limiter_wait_seconds_;
    ::prometheus::Family<::prometheus::Histogram>& latency_;
    std::mutex mutex_;
    // Families look series up by hashing label sets under their own lock; caching the series of
    // each operation here keeps the per-event cost to one map lookup. std::less<> allows lookup by
    // string_view without building a string.
    std::map<std::string, std::unique_ptr<per_operation>, std::less<>> operations_;
};

} // namespace intercom::prometheus
