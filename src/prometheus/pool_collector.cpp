#include <intercom/prometheus/pool_collector.hpp>

#include <intercom/client.hpp>

#include <utility>

namespace intercom::prometheus {

namespace pm = ::prometheus;

pool_collector::pool_collector(std::weak_ptr<http::https_transport> transport,
                               std::vector<http::origin> origins, metrics_options opts)
    : transport_(std::move(transport)), origins_(std::move(origins)), opts_(std::move(opts)) {}

std::vector<pm::MetricFamily> pool_collector::Collect() const {
    auto t = transport_.lock();
    if (!t) return {};
    pm::MetricFamily connections{
        opts_.prefix + "_pool_connections",
        "Connections of the pool for an origin, by state (open = idle + in use + connecting).",
        pm::MetricType::Gauge,
        {}};
    pm::MetricFamily waiters{opts_.prefix + "_pool_waiters",
                             "Requests waiting for a pooled connection.",
                             pm::MetricType::Gauge,
                             {}};
    auto gauge = [this](const std::string& origin, const char* state, std::size_t value) {
        pm::ClientMetric m;
        for (const auto& [name, v] : opts_.labels)
            m.label.push_back({name, v});
        m.label.push_back({"origin", origin});
        if (state) m.label.push_back({"state", state});
        m.gauge.value = static_cast<double>(value);
        return m;
    };
    for (const auto& o : origins_) {
        const auto s = t->stats(o);
        const std::string name = o.to_string();
        connections.metric.push_back(gauge(name, "open", s.open));
        connections.metric.push_back(gauge(name, "idle", s.idle));
        connections.metric.push_back(gauge(name, "in_use", s.in_use));
        waiters.metric.push_back(gauge(name, nullptr, s.waiters));
    }
    return {std::move(connections), std::move(waiters)};
}

std::shared_ptr<pool_collector> make_pool_collector(const client& c, metrics_options opts) {
    auto t = std::dynamic_pointer_cast<http::https_transport>(c.transport());
    auto o = http::origin::parse(c.options().effective_base_url());
    if (!t || !o) return nullptr;
    return std::make_shared<pool_collector>(t, std::vector<http::origin>{*o}, std::move(opts));
}

} // namespace intercom::prometheus
