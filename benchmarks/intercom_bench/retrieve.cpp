// retrieve: N typed `contacts().try_retrieve(id)` calls from C concurrent coroutines.
//
//   intercom-bench retrieve [--requests=20000] [--concurrency=64] [--warmup=N] [--id=ID] [--raw]
//                           [--prometheus] [--no-limiter] [--threading=any|one]
//
// Ids come from the first page of `contacts().try_list()` (or --id: one id, e.g. the one wrk asks
// for). --raw sends `client::request` and skips typed decoding (the pipeline without the models).
// --prometheus measures the cost of intercom::prometheus in the same run: a second client with
// client_metrics attached sends the same calls; the phases alternate (plain, metrics, plain,
// metrics, each N/2 calls) so drift of the machine's load hits both alike.
// --no-limiter turns the pipeline's rate limiter off; --threading picks the transport's
// io_threading (one: attempts inline, single client thread only). The baseline is retrieve-beast.
// allocs_per_req: allocation calls during the measured phase / calls (the bundled server's
// included when it runs in this process; "na" under sanitizers, see alloc_counter.hpp).
#include "intercom_bench/alloc_counter.hpp"
#include "intercom_bench/common.hpp"

#include <intercom/models/models.hpp>
#include <intercom/resources/contacts.hpp>

#include <mutex>
#ifdef INTERCOM_BENCH_PROMETHEUS
#include <intercom/prometheus/client_metrics.hpp>
#include <prometheus/registry.h>
#endif

namespace intercom::bench {
namespace {

namespace asio = boost::asio;

struct retrieve_state {
    retrieve_state(client cl, bool r) : c(std::move(cl)), raw(r) {}
    client c;
    std::vector<std::string> ids;
    bool raw = false;
    std::size_t total = 0;
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> errors{0};
    metrics::latency_histogram latency;
    std::mutex mu;
    std::string first_error;
};

asio::awaitable<void> retrieve_worker(std::shared_ptr<retrieve_state> st) {
    for (;;) {
        std::size_t i = st->next.fetch_add(1, std::memory_order_relaxed);
        if (i >= st->total) co_return;
        const std::string& id = st->ids[i % st->ids.size()];
        auto t0 = std::chrono::steady_clock::now();
        bool ok = false;
        std::string err;
        if (st->raw) {
            auto r = co_await st->c.request(boost::beast::http::verb::get, "/contacts/" + id);
            ok = bool(r);
            if (!ok) err = r.error().what();
        } else {
            auto r = co_await st->c.contacts().try_retrieve(id);
            ok = bool(r);
            if (!ok) err = r.error().what();
        }
        st->latency.record(std::chrono::steady_clock::now() - t0);
        if (!ok) {
            ++st->errors;
            std::lock_guard lk(st->mu);
            if (st->first_error.empty()) st->first_error = err;
        }
    }
}

asio::awaitable<std::vector<std::string>> first_page_ids(client c) {
    models::contacts_list_query q;
    q.per_page = 150;
    auto page = co_await c.contacts().try_list(q);
    if (!page) throw api_error(page.error());
    std::vector<std::string> ids;
    if (page->data)
        for (auto const& contact : *page->data)
            if (contact.id) ids.push_back(contact.id->str());
    co_return ids;
}

// Runs `n` calls on `c` at concurrency `conc`; returns the wall time.
std::chrono::nanoseconds drive(runtime& rt, const std::shared_ptr<retrieve_state>& st, std::size_t n,
                               std::size_t conc) {
    st->total = n;
    st->next = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t w = 0; w < conc; ++w) rt.spawn(retrieve_worker(st));
    rt.wait_all();
    return std::chrono::steady_clock::now() - t0;
}

// --prometheus: the same calls through a plain client and through one with client_metrics, in
// alternating phases; prints both and the difference per call.
int run_retrieve_prometheus(const target_options& topts, std::size_t requests, const client_tuning& tune,
                            std::size_t warmup, const std::string& id, bool raw, runtime& rt) {
#ifndef INTERCOM_BENCH_PROMETHEUS
    (void)topts, (void)requests, (void)tune, (void)warmup, (void)id, (void)raw, (void)rt;
    return fail("retrieve --prometheus: built without prometheus-cpp (intercom::prometheus)");
#else
    target t(topts);
    ::prometheus::Registry registry;
    auto metrics = intercom::prometheus::client_metrics::create(registry);
    const std::size_t conc = tune.concurrency;
    auto with_tune = tune;
    with_tune.adjust = [&](client_options& o) { metrics->attach(o); };
    auto plain = std::make_shared<retrieve_state>(make_client(rt.executor(), t, tune), raw);
    auto with = std::make_shared<retrieve_state>(make_client(rt.executor(), t, with_tune), raw);
    plain->ids = id.empty() ? rt.run(first_page_ids(plain->c)) : std::vector<std::string>{id};
    if (plain->ids.empty()) return fail("retrieve: the server has no contacts");
    with->ids = plain->ids;
    drive(rt, plain, warmup, conc);
    drive(rt, with, warmup, conc);
    plain->latency.reset();
    with->latency.reset();

    double secs[2] = {0, 0}, cpu[2] = {0, 0};
    const std::size_t half = std::max<std::size_t>(requests / 2, 1);
    for (int round = 0; round < 2; ++round) {
        for (int k = 0; k < 2; ++k) {
            auto& st = k == 0 ? plain : with;
            double cpu0 = process_cpu_seconds();
            secs[k] += std::chrono::duration<double>(drive(rt, st, half, conc)).count();
            cpu[k] += process_cpu_seconds() - cpu0;
        }
    }
    const double n = static_cast<double>(2 * half);
    const double rps[2] = {n / secs[0], n / secs[1]};
    const double cpu_us[2] = {cpu[0] * 1e6 / n, cpu[1] * 1e6 / n};
    table("retrieve with and without intercom::prometheus (" + t.scheme() + ")")
        .row("calls per client", std::uint64_t(2 * half))
        .row("concurrency", std::uint64_t(conc))
        .row("calls per second, plain", rps[0], 0)
        .row("calls per second, with metrics", rps[1], 0)
        .row("process CPU per call (us), plain", cpu_us[0], 2)
        .row("process CPU per call (us), with metrics", cpu_us[1], 2)
        .row("metrics cost per call (us CPU)", cpu_us[1] - cpu_us[0], 2)
        .row("latency p50 (ms), plain", to_ms(plain->latency.percentile(50)), 3)
        .row("latency p50 (ms), with metrics", to_ms(with->latency.percentile(50)), 3)
        .row("errors", plain->errors.load() + with->errors.load())
        .print();
    result_line line("intercom-cpp", "retrieve_prometheus");
    line
        .add("scheme", t.scheme())
        .add("c", std::uint64_t(conc))
        .add("requests", std::uint64_t(2 * half))
        .add("rps_plain", rps[0], 0)
        .add("rps_metrics", rps[1], 0)
        .add("cpu_us_plain", cpu_us[0], 2)
        .add("cpu_us_metrics", cpu_us[1], 2)
        .add("errors", plain->errors.load() + with->errors.load());
    add_hot_path_keys(line, tune).print();
    if (plain->errors || with->errors) return fail("retrieve --prometheus: calls failed: " + plain->first_error + with->first_error);
    return 0;
#endif
}

int run_retrieve(const args& a) {
    auto topts = parse_target(a, 1000);
    auto requests = static_cast<std::size_t>(a.get_int("requests", 20000));
    auto conc = static_cast<std::size_t>(std::max<std::int64_t>(1, a.get_int("concurrency", 64)));
    auto warmup = static_cast<std::size_t>(a.get_int("warmup", static_cast<std::int64_t>(conc * 4)));
    auto id = a.get("id", "");
    bool raw = a.has("raw") && a.get("raw", "1") != "0";
    bool prom = a.has("prometheus") && a.get("prometheus", "1") != "0";
    runtime rt(static_cast<unsigned>(a.get_int("threads", 1)));
    client_tuning tune;
    tune.concurrency = conc;
    parse_hot_path_flags(a, rt.threads(), tune);
    reject_unknown_flags(a);
    if (prom) return run_retrieve_prometheus(topts, requests, tune, warmup, id, raw, rt);

    target t(topts);
    auto counters = std::make_shared<pipeline_counters>();
    tune.counters = counters;
    auto st = std::make_shared<retrieve_state>(make_client(rt.executor(), t, tune), raw);
    st->ids = id.empty() ? rt.run(first_page_ids(st->c)) : std::vector<std::string>{id};
    if (st->ids.empty()) return fail("retrieve: the server has no contacts");

    // Warm-up opens the connections (TLS handshakes) so the measured phase is steady state.
    drive(rt, st, warmup, conc);
    st->latency.reset();
    allocation_counting_available();  // runs the self-check outside the measured phase
    auto attempts_before = counters->attempts.load();
    auto allocs0 = allocation_count();
    double cpu0 = process_cpu_seconds();
    auto elapsed = drive(rt, st, requests, conc);
    double cpu_us = (process_cpu_seconds() - cpu0) * 1e6 / static_cast<double>(requests);
    auto allocs = allocation_count() - allocs0;
    double secs = std::chrono::duration<double>(elapsed).count();

    call_figures f;
    f.calls = requests;
    f.errors = st->errors.load();
    f.concurrency = conc;
    f.threads = rt.threads();
    f.seconds = secs;
    f.cpu_us_per_call = cpu_us;
    f.allocs_per_call = allocs_per(allocs, requests);
    f.latency = &st->latency;
    table tab("retrieve (" + t.scheme() + ", " + (raw ? "raw JSON" : "typed") + ")");
    tab.row("server", t.base_url())
        .row("concurrency", std::uint64_t(conc))
        .row("client threads", std::uint64_t(rt.threads()))
        .row("rate limiter", std::string(tune.rate_limiting ? "on" : "off"))
        .row("transport threading", threading_name(tune))
        .row("calls", std::uint64_t(requests))
        .row("HTTP attempts", counters->attempts.load() - attempts_before);
    add_call_rows(tab, t.bundled(), f).print();
    result_line line("intercom-cpp", "retrieve");
    add_call_keys(line, t.scheme(), t.bundled(), f).add("decode", std::string(raw ? "raw" : "typed"));
    add_hot_path_keys(line, tune).print();
    if (st->errors) return fail("retrieve: " + std::to_string(st->errors.load()) + " calls failed, first: " + st->first_error);
    return 0;
}

}  // namespace

INTERCOM_BENCH_WORKLOAD("retrieve", "N contact retrieves at concurrency C (--requests --concurrency --id --raw --prometheus --no-limiter --threading)",
                        run_retrieve);

}  // namespace intercom::bench
