// Connection-pool gauges of an https_transport, read when Prometheus scrapes (intercom::prometheus).
#pragma once

#include <intercom/http/https_transport.hpp>
#include <intercom/http/origin.hpp>
#include <intercom/prometheus/client_metrics.hpp>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <memory>
#include <vector>

namespace intercom {
class client;
}

namespace intercom::prometheus {

/// Gauges of the pools of one `https_transport`, one label set per origin:
///
/// | series | labels |
/// |---|---|
/// | `intercom_pool_connections` | origin, state=`open`/`idle`/`in_use` |
/// | `intercom_pool_waiters` | origin |
///
/// A `prometheus::Collectable` rather than gauges in a Registry: the values are read from
/// `https_transport::stats` at scrape time, so they are never stale (prometheus-cpp 1.0's Registry
/// has no callback gauges). Register it next to the registry:
/// `exposer.RegisterCollectable(collector)`, or append `collector->Collect()` to
/// `registry->Collect()` before serializing. It keeps only a weak reference to the transport;
/// once the transport is gone it reports nothing.
class pool_collector final : public ::prometheus::Collectable {
public:
    pool_collector(std::weak_ptr<http::https_transport> transport, std::vector<http::origin> origins,
                   metrics_options opts = {});

    std::vector<::prometheus::MetricFamily> Collect() const override;

private:
    std::weak_ptr<http::https_transport> transport_;
    std::vector<http::origin> origins_;
    metrics_options opts_;
};

/// The pool gauges of `c`'s transport for `c`'s base URL. Null when the client sends through a
/// transport that is not an `https_transport` (e.g. a test double) or its base URL does not parse.
std::shared_ptr<pool_collector> make_pool_collector(const client& c, metrics_options opts = {});

} // namespace intercom::prometheus
