#include <intercom/prometheus/client_metrics.hpp>

#include <intercom/error.hpp>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include <chrono>
#include <utility>

namespace intercom::prometheus {

namespace pm = ::prometheus;

/// The series of one operation, looked up once per operation instead of once per event.
struct client_metrics::per_operation {
    pm::Counter* succeeded = nullptr;
    pm::Counter* failed = nullptr;
    pm::Counter* attempts = nullptr;
    pm::Counter* absorbed_429 = nullptr;
    pm::Counter* limiter_waits = nullptr;
    pm::Counter* limiter_wait_seconds = nullptr;
    pm::Histogram* latency = nullptr;
    std::map<std::string, pm::Counter*, std::less<>> retries; ///< by reason (guarded by mutex_)
};

namespace {

template <class Builder>
auto& family(Builder b, pm::Registry& r, const metrics_options& o, const char* name, const char* help) {
    return b.Name(o.prefix + "_" + name).Help(help).Labels(o.labels).Register(r);
}

std::string_view operation_label(std::string_view op) noexcept {
    return op.empty() ? "request" : op;
}

// A retry's reason as a label value from a small fixed set: the HTTP status, or the transport
// failure's error name. The retry policy's own reason text is free-form (custom policies), so it
// would make the label set unbounded.
std::string reason_label(const pipeline::event& e) {
    if (e.http_status != 0) return std::to_string(e.http_status);
    if (e.error.category() == intercom::error_category()) {
        switch (static_cast<errc>(e.error.value())) {
        case errc::resolve_failed:
            return "resolve_failed";
        case errc::connect_failed:
            return "connect_failed";
        case errc::connect_timeout:
            return "connect_timeout";
        case errc::tls_handshake_failed:
            return "tls_handshake_failed";
        case errc::tls_handshake_timeout:
            return "tls_handshake_timeout";
        case errc::attempt_timeout:
            return "attempt_timeout";
        case errc::pool_wait_timeout:
            return "pool_wait_timeout";
        case errc::connection_closed:
            return "connection_closed";
        case errc::malformed_response:
            return "malformed_response";
        default:
            break;
        }
    }
    return "other";
}

double seconds(std::chrono::nanoseconds d) {
    return std::chrono::duration<double>(d).count();
}

} // namespace

client_metrics::client_metrics(pm::Registry& registry, metrics_options opts)
    : opts_(std::move(opts)),
      calls_(family(pm::BuildCounter(), registry, opts_, "calls_total",
                    "Calls that ended, by operation and outcome (succeeded or failed after all attempts).")),
      attempts_(family(pm::BuildCounter(), registry, opts_, "attempts_total",
                       "HTTP attempts, whatever their status or transport failure.")),
      retries_(family(pm::BuildCounter(), registry, opts_, "retries_total",
                      "Retries scheduled, by HTTP status or transport error of the failed attempt.")),
      absorbed_429_(family(pm::BuildCounter(), registry, opts_, "rate_limited_absorbed_total",
                           "HTTP 429 answers retried by the pipeline instead of surfacing to the caller.")),
      limiter_waits_(family(pm::BuildCounter(), registry, opts_, "limiter_waits_total",
                            "Attempts delayed by the client-side rate limiter.")),
      limiter_wait_seconds_(family(pm::BuildCounter(), registry, opts_, "limiter_wait_seconds_total",
                                   "Total time attempts were delayed by the client-side rate limiter.")),
      latency_(family(pm::BuildHistogram(), registry, opts_, "attempt_duration_seconds",
                      "Time spent in the transport per attempt (connect, write, read).")) {}

client_metrics::~client_metrics() = default;

std::shared_ptr<client_metrics> client_metrics::create(pm::Registry& registry, metrics_options opts) {
    return std::make_shared<client_metrics>(registry, std::move(opts));
}

pipeline::event_hook client_metrics::hook() {
    // A plain (non-coroutine) lambda holding a reference: the pipeline may outlive the caller's
    // handle to this object.
    return [self = shared_from_this()](const pipeline::event& e) { self->observe(e); };
}

void client_metrics::attach(client_options& opts) {
    auto mine = hook();
    if (!opts.pipeline.on_event) {
        opts.pipeline.on_event = std::move(mine);
        return;
    }
    opts.pipeline.on_event = [previous = std::move(opts.pipeline.on_event),
                              mine = std::move(mine)](const pipeline::event& e) {
        previous(e);
        mine(e);
    };
}

client_metrics::per_operation& client_metrics::series_of(std::string_view operation) {
    // Called with mutex_ held.
    auto it = operations_.find(operation);
    if (it != operations_.end()) return *it->second;
    const std::string op(operation_label(operation));
    auto s = std::make_unique<per_operation>();
    s->succeeded = &calls_.Add({{"operation", op}, {"outcome", "succeeded"}});
    s->failed = &calls_.Add({{"operation", op}, {"outcome", "failed"}});
    s->attempts = &attempts_.Add({{"operation", op}});
    s->absorbed_429 = &absorbed_429_.Add({{"operation", op}});
    s->limiter_waits = &limiter_waits_.Add({{"operation", op}});
    s->limiter_wait_seconds = &limiter_wait_seconds_.Add({{"operation", op}});
    s->latency = &latency_.Add({{"operation", op}}, opts_.latency_buckets);
    return *operations_.emplace(std::string(operation), std::move(s)).first->second;
}

pm::Counter& client_metrics::retry_counter(per_operation& s, std::string_view operation,
                                           const pipeline::event& e) {
    std::string reason = reason_label(e);
    auto it = s.retries.find(reason);
    if (it != s.retries.end()) return *it->second;
    auto& c = retries_.Add({{"operation", std::string(operation_label(operation))}, {"reason", reason}});
    s.retries.emplace(std::move(reason), &c);
    return c;
}

void client_metrics::observe(const pipeline::event& e) {
    // Counters and histograms are thread-safe on their own; the lock guards only the lookup
    // tables, and is held for a map lookup (series are created once per operation).
    std::unique_lock lock(mutex_);
    per_operation& s = series_of(e.operation);
    using pipeline::event_kind;
    switch (e.kind) {
    case event_kind::attempt_finished:
        lock.unlock();
        s.attempts->Increment();
        s.latency->Observe(seconds(e.latency));
        break;
    case event_kind::retry_scheduled: {
        pm::Counter& c = retry_counter(s, e.operation, e);
        lock.unlock();
        c.Increment();
        if (e.http_status == 429) s.absorbed_429->Increment();
        break;
    }
    case event_kind::limiter_wait:
        lock.unlock();
        s.limiter_waits->Increment();
        s.limiter_wait_seconds->Increment(seconds(e.delay));
        break;
    case event_kind::gave_up:
        lock.unlock();
        s.failed->Increment();
        break;
    case event_kind::succeeded:
        lock.unlock();
        s.succeeded->Increment();
        break;
    }
}

} // namespace intercom::prometheus
