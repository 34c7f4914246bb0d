// intercom-bench tenants: T tokens x M requests each, one client and rate limiter per token, all on
// one io_context and one https_transport (one pool per origin), against the in-process fake server
// where each token is its own app with its own budget. Reports the aggregate rate against the sum
// of the budgets, the 429s that reached callers (and those absorbed by retries), the slowest/fastest
// tenant completion ratio, and checks that every tenant got every requested id exactly once.
#include "intercom_bench/scale_common.hpp"
#include "intercom_bench/workload.hpp"

#include <intercom/client.hpp>
#include <intercom/error.hpp>
#include <intercom/http/https_transport.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace intercom::bench {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

struct tenant_state {
    std::string token;
    std::unique_ptr<client> c;
    std::size_t next = 0;           // next request index to start
    std::size_t done = 0;
    std::vector<std::uint8_t> hits; // per request index: answers carrying the requested id
    std::size_t ok = 0, rate_limited = 0, other = 0, wrong_id = 0;
    std::chrono::steady_clock::time_point finished{};
};

struct run_state {
    std::size_t per_tenant = 0;
    const std::vector<std::string>* ids = nullptr;
    std::size_t tenants_done = 0;
    std::chrono::system_clock::time_point start_wall{};
    std::chrono::milliseconds window{10000};
    std::vector<std::size_t> per_window; // completions per window since the start
    std::string first_error;
};

asio::awaitable<void> worker(tenant_state* t, run_state* rs) {
    while (t->next < rs->per_tenant) {
        const std::size_t i = t->next++;
        const std::string& id = (*rs->ids)[i % rs->ids->size()];
        auto r = co_await t->c->request(bhttp::verb::get, "/contacts/" + id);
        if (r) {
            ++t->ok;
            auto v = r->json();
            const auto* obj = v ? v->if_object() : nullptr;
            const auto* got = obj ? obj->if_contains("id") : nullptr;
            if (got && got->is_string() && got->get_string() == id) ++t->hits[i];
            else ++t->wrong_id;
        } else if (r.error().code == errc::rate_limited) {
            ++t->rate_limited;
        } else {
            ++t->other;
            if (rs->first_error.empty())
                rs->first_error = r.error().code.message() + ": " + r.error().diag.message;
        }
        auto w = static_cast<std::size_t>((std::chrono::system_clock::now() - rs->start_wall) / rs->window);
        if (rs->per_window.size() <= w) rs->per_window.resize(w + 1, 0);
        ++rs->per_window[w];
        if (++t->done == rs->per_tenant) {
            t->finished = std::chrono::steady_clock::now();
            ++rs->tenants_done;
        }
    }
}

int run_tenants(const args& a) {
    const auto tenants = static_cast<std::size_t>(a.get_int("tenants", 100));
    const auto per_tenant = static_cast<std::size_t>(a.get_int("requests", 1000));
    const auto pool = static_cast<std::size_t>(a.get_int("pool", 128));
    const auto max_in_flight = static_cast<std::size_t>(a.get_int("max-in-flight", 16));
    const auto workers = static_cast<std::size_t>(a.get_int("workers", static_cast<std::int64_t>(max_in_flight)));
    const int server_threads = static_cast<int>(a.get_int("server-threads", 1));
    const bool align = a.get_int("align", 1) != 0;

    testing::fake_server_options so;
    so.seed.contacts = static_cast<std::size_t>(a.get_int("contacts", 1000));
    so.record_requests = false;
    so.rate_limit = scale::rate_limit_from(a);
    so.rate_limit.workspace_requests_per_window = 0; // each token is its own app and workspace
    so.latency = scale::latency_from(a, 50);
    for (const auto& u : a.unused()) {
        std::fprintf(stderr, "tenants: unknown option --%s\n", u.c_str());
        return 2;
    }
    const double window_s = std::chrono::duration<double>(so.rate_limit.window).count();
    const double budget_per_s = so.rate_limit.requests_per_window / window_s;
    const double summed = budget_per_s * static_cast<double>(tenants);
    std::printf("tenants: %zu tokens x %zu requests, budget %u per %.1f s window per token (%.1f req/s; "
                "sum %.0f req/s), RTT %lld ms (+0..%lld), pool %zu per origin, limiter max in flight %zu, "
                "%zu workers per tenant\n",
                tenants, per_tenant, so.rate_limit.requests_per_window, window_s, budget_per_s, summed,
                static_cast<long long>(so.latency.fixed.count() / 1000),
                static_cast<long long>(so.latency.jitter.count() / 1000), pool, max_in_flight, workers);
    std::fflush(stdout);

    scale::server_runner srv(so, server_threads);
    std::vector<std::string> ids(so.seed.contacts);
    for (std::size_t i = 0; i < ids.size(); ++i)
        ids[i] = srv.server().seeded_contact_id(i);

    asio::io_context ioc(1);
    http::transport_options to;
    to.pool.max_connections = pool;
    to.pool.wait_timeout = std::chrono::minutes(5);
    auto transport = std::make_shared<http::https_transport>(ioc.get_executor(), to);

    std::vector<tenant_state> ts(tenants);
    for (std::size_t i = 0; i < tenants; ++i) {
        client_options co;
        co.token = "tenant-" + std::to_string(i);
        co.base_url = srv.server().base_url();
        co.timeout = std::chrono::minutes(5);
        co.pipeline.limiter_options.max_in_flight = max_in_flight; // each client: its own limiter
        ts[i].token = co.token;
        ts[i].c = std::make_unique<client>(transport, co);
        ts[i].hits.assign(per_tenant, 0);
    }
    run_state rs;
    rs.per_tenant = per_tenant;
    rs.ids = &ids;
    rs.window = so.rate_limit.window;
    if (align && so.rate_limit.enabled) scale::sleep_to_window_start(so.rate_limit.window);
    rs.start_wall = std::chrono::system_clock::now();
    auto t0 = std::chrono::steady_clock::now();
    for (auto& t : ts)
        for (std::size_t w = 0; w < workers; ++w)
            asio::co_spawn(ioc, worker(&t, &rs), asio::detached);
    ioc.run();
    auto t1 = std::chrono::steady_clock::now();
    const double secs = scale::seconds_between(t0, t1);

    std::size_t ok = 0, limited = 0, other = 0, wrong = 0, not_once = 0;
    double fastest = 1e300, slowest = 0;
    for (const auto& t : ts) {
        ok += t.ok;
        limited += t.rate_limited;
        other += t.other;
        wrong += t.wrong_id;
        for (auto h : t.hits)
            not_once += h != 1;
        double done = scale::seconds_between(t0, t.finished);
        fastest = std::min(fastest, done);
        slowest = std::max(slowest, done);
    }
    const std::size_t total = tenants * per_tenant;
    const double aggregate = static_cast<double>(total) / secs;
    // Steady state: the complete windows before the last one (the last window's budget is spent
    // right after it opens, which would flatter the plain average).
    double steady = 0;
    std::string dist;
    if (rs.per_window.size() >= 2) {
        std::size_t complete = 0;
        for (std::size_t w = 0; w + 1 < rs.per_window.size(); ++w)
            complete += rs.per_window[w];
        steady = static_cast<double>(complete) / (static_cast<double>(rs.per_window.size() - 1) * window_s);
    }
    for (auto n : rs.per_window)
        dist += (dist.empty() ? "" : ",") + std::to_string(n);
    const auto server_requests = srv.server().request_count();
    const auto server_429 = srv.server().throttled_count();
    const bool exactly_once = not_once == 0 && wrong == 0 && server_requests == total + server_429;
    std::printf("tenants: %.3f s, %zu ok, %zu 429s surfaced to callers, %zu other errors%s%s; "
                "server saw %llu requests, answered %llu 429s (absorbed by retries)\n",
                secs, ok, limited, other, rs.first_error.empty() ? "" : " (first: ", rs.first_error.empty() ? "" : (rs.first_error + ")").c_str(),
                static_cast<unsigned long long>(server_requests), static_cast<unsigned long long>(server_429));
    std::printf("tenants: aggregate %.1f req/s = %.1f%% of the summed budgets (%.0f req/s); complete windows "
                "%.1f req/s = %.1f%%; completions per window [%s]; slowest/fastest tenant %.3f/%.3f s = %.3f; "
                "ids not exactly once %zu\n",
                aggregate, 100.0 * aggregate / summed, summed, steady, 100.0 * steady / summed, dist.c_str(),
                slowest, fastest, slowest / fastest, not_once + wrong);
    std::printf("RESULT tool=intercom-cpp op=tenants tenants=%zu requests_per_tenant=%zu budget_per_window=%u "
                "window_s=%.1f rtt_ms=%lld pool=%zu seconds=%.3f aggregate_rps=%.1f summed_budget_rps=%.1f "
                "ratio=%.3f steady_ratio=%.3f surfaced_429=%zu server_429=%llu errors=%zu "
                "slowest_fastest_ratio=%.3f exactly_once=%d\n",
                tenants, per_tenant, so.rate_limit.requests_per_window, window_s,
                static_cast<long long>(so.latency.fixed.count() / 1000), pool, secs, aggregate, summed,
                aggregate / summed, steady / summed, limited, static_cast<unsigned long long>(server_429), other,
                slowest / fastest, exactly_once ? 1 : 0);
    std::fflush(stdout);
    transport->close();
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(20));
    return exactly_once && limited == 0 && other == 0 ? 0 : 1;
}

} // namespace

INTERCOM_BENCH_WORKLOAD("tenants",
                        "T tokens x M requests, one client/limiter each, shared pool: --tenants=T --requests=M "
                        "[--budget=N --window-ms=MS] [--rtt-ms=MS] [--pool=N]",
                        run_tenants);

} // namespace intercom::bench
