// intercom-bench export: a partitioned contacts export against the in-process fake server with a
// simulated round-trip time and Intercom's rate limits; compares the wall time with the rate-limit
// bound (requests / allowed rate) and checks that every seeded contact arrived exactly once.
#include "intercom_bench/scale_common.hpp"
#include "intercom_bench/workload.hpp"

#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/pagination/partitioned_export.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace intercom::bench {
namespace {

namespace asio = boost::asio;

struct drained {
    std::vector<std::string> ids;
    std::string error;
};

asio::awaitable<drained> drain(pagination::partitioned_export* e) {
    drained out;
    for (;;) {
        auto r = co_await e->next();
        if (!r) {
            out.error = r.error().code.message() + ": " + r.error().diag.message;
            co_return out;
        }
        if (!*r) co_return out;
        const auto* obj = (*r)->if_object();
        const auto* id = obj ? obj->if_contains("id") : nullptr;
        out.ids.push_back(id && id->is_string() ? std::string(id->get_string()) : std::string());
    }
}

int run_export(const args& a) {
    const auto contacts = static_cast<std::size_t>(a.get_int("contacts", 20000));
    const auto ks = scale::int_list(a.get("partitions", "1,4,8"));
    const auto per_page = static_cast<unsigned>(a.get_int("per-page", 150));
    const auto pool = static_cast<std::size_t>(a.get_int("pool", 16));
    const auto max_in_flight = static_cast<std::size_t>(a.get_int("max-in-flight", 16));
    const int server_threads = static_cast<int>(a.get_int("server-threads", 1));

    testing::fake_server_options so;
    so.seed.contacts = contacts;
    so.record_requests = false;
    so.rate_limit = scale::rate_limit_from(a);
    so.latency = scale::latency_from(a, 100);
    const double rtt_ms = std::chrono::duration<double, std::milli>(so.latency.fixed).count();
    const double allowed_per_s =
        so.rate_limit.enabled ? so.rate_limit.requests_per_window /
                                    std::chrono::duration<double>(so.rate_limit.window).count()
                              : 0.0;
    for (const auto& u : a.unused()) {
        std::fprintf(stderr, "export: unknown option --%s\n", u.c_str());
        return 2;
    }
    std::printf("export: %zu contacts, RTT %.0f ms (+0..%lld ms jitter), limit %u per %lld ms window "
                "(%.1f req/s), pool %zu, limiter max in flight %zu, per_page %u\n",
                contacts, rtt_ms, static_cast<long long>(so.latency.jitter.count() / 1000),
                so.rate_limit.requests_per_window, static_cast<long long>(so.rate_limit.window.count()),
                allowed_per_s, pool, max_in_flight, per_page);
    std::fflush(stdout);

    scale::server_runner srv(so, server_threads);
    std::vector<std::string> seeded(contacts);
    for (std::size_t i = 0; i < contacts; ++i)
        seeded[i] = srv.server().seeded_contact_id(i);

    int failures = 0;
    for (long k : ks) {
        asio::io_context ioc;
        http::transport_options to;
        to.pool.max_connections = pool;
        auto transport = std::make_shared<http::https_transport>(ioc.get_executor(), to);
        client_options co;
        co.token = "export-bench";
        co.base_url = srv.server().base_url();
        co.pipeline.limiter_options.max_in_flight = max_in_flight;
        client c(transport, co);

        pagination::partition_options po;
        po.partitions = static_cast<unsigned>(k);
        po.per_page = per_page;
        auto e = pagination::partitioned_export::create(c, po);
        if (!e) {
            std::fprintf(stderr, "export: %s\n", e.error().diag.message.c_str());
            return 2;
        }
        srv.server().clear_record(); // resets the counters below and the peak in flight
        const auto before = srv.server().request_count();
        const auto throttled_before = srv.server().throttled_count();
        auto t0 = std::chrono::steady_clock::now();
        auto fut = asio::co_spawn(ioc, drain(&*e), asio::use_future);
        ioc.run();
        auto t1 = std::chrono::steady_clock::now();
        auto out = fut.get();
        const double secs = scale::seconds_between(t0, t1);
        const auto st = e->stats();
        const auto server_requests = srv.server().request_count() - before;
        const auto throttled = srv.server().throttled_count() - throttled_before;

        // Exactly once, by id.
        std::unordered_map<std::string, int> seen;
        seen.reserve(out.ids.size());
        for (const auto& id : out.ids)
            ++seen[id];
        std::size_t missing = 0, repeated = 0;
        for (const auto& id : seeded) {
            auto it = seen.find(id);
            if (it == seen.end()) ++missing;
            else if (it->second > 1) ++repeated;
        }
        const bool exactly_once = out.error.empty() && missing == 0 && repeated == 0 &&
                                  out.ids.size() == contacts && server_requests == st.fetches;
        if (!exactly_once) ++failures;

        // Bounds: the rate limit (requests / allowed rate) and the round trips of the longest
        // partition, which no amount of budget shortens (each page needs the previous page's cursor).
        const double bound = allowed_per_s > 0 ? static_cast<double>(server_requests) / allowed_per_s : 0.0;
        const std::size_t parts = e->partitions();
        const auto ps = transport->stats(http::origin::parse(srv.server().base_url()).value());
        std::printf("K=%ld: %zu partitions, %.3f s, %zu items, %zu requests (%zu probes, %zu pages), "
                    "%llu 429s at the server, rate-limit bound %.3f s (ratio %.2f), dup dropped %zu, "
                    "missing %zu, repeated %zu, connections opened %zu, server peak in flight %zu%s%s\n",
                    k, parts, secs, out.ids.size(), static_cast<std::size_t>(server_requests), st.probes,
                    st.fetches - st.probes, static_cast<unsigned long long>(throttled), bound,
                    bound > 0 ? secs / bound : 0.0, st.dropped_duplicates, missing, repeated, ps.created,
                    srv.server().max_in_flight(), out.error.empty() ? "" : ", error: ", out.error.c_str());
        std::printf("RESULT tool=intercom-cpp op=export contacts=%zu partitions=%ld effective_partitions=%zu "
                    "rtt_ms=%.0f seconds=%.3f items=%zu requests=%llu throttled=%llu bound_s=%.3f "
                    "ratio_to_bound=%.2f exactly_once=%d\n",
                    contacts, k, parts, rtt_ms, secs, out.ids.size(),
                    static_cast<unsigned long long>(server_requests), static_cast<unsigned long long>(throttled),
                    bound, bound > 0 ? secs / bound : 0.0, exactly_once ? 1 : 0);
        std::fflush(stdout);
        transport->close();
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(20));
    }
    return failures == 0 ? 0 : 1;
}

} // namespace

INTERCOM_BENCH_WORKLOAD("export",
                        "partitioned contacts export: --contacts=N --rtt-ms=MS --partitions=1,4,8 "
                        "[--preset=intercom|--budget=N --window-ms=MS] [--pool=N]",
                        run_export);

} // namespace intercom::bench
