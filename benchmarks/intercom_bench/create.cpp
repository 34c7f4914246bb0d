// create: N typed `contacts().try_create(...)` calls at concurrency C against a server that
// enforces a request budget, so the client-side rate limiter has to pace them.
//
//   intercom-bench create [--requests=2000] [--concurrency=16] [--budget=500] [--window-ms=1000]
//
// --budget/--window-ms configure the bundled server's limiter (requests per window per token).
// The table shows how many requests the limiter delayed and how many 429s still reached the
// client (each one retried, never surfaced): pacing works when the latter stays near zero.
#include "intercom_bench/common.hpp"

#include <intercom/models/models.hpp>
#include <intercom/resources/contacts.hpp>

#include <mutex>

namespace intercom::bench {
namespace {

namespace asio = boost::asio;

struct create_state {
    explicit create_state(client cl) : c(std::move(cl)) {}
    client c;
    std::size_t total = 0;
    std::string run_tag;  // keeps emails unique when --base-url points at a server used before
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> errors{0};
    metrics::latency_histogram latency;
    std::mutex mu;
    std::string first_error;
};

asio::awaitable<void> create_worker(std::shared_ptr<create_state> st) {
    for (;;) {
        std::size_t i = st->next.fetch_add(1, std::memory_order_relaxed);
        if (i >= st->total) co_return;
        models::create_contact_request body;
        body.role = "user";
        body.email = "bench-" + st->run_tag + "-" + std::to_string(i) + "@example.com";
        body.name = "Bench Contact " + std::to_string(i);
        auto t0 = std::chrono::steady_clock::now();
        auto r = co_await st->c.contacts().try_create(std::move(body));
        st->latency.record(std::chrono::steady_clock::now() - t0);
        if (!r) {
            ++st->errors;
            std::lock_guard lk(st->mu);
            if (st->first_error.empty()) st->first_error = r.error().what();
        }
    }
}

int run_create(const args& a) {
    auto topts = parse_target(a, 0);
    auto requests = static_cast<std::size_t>(a.get_int("requests", 2000));
    auto conc = static_cast<std::size_t>(std::max<std::int64_t>(1, a.get_int("concurrency", 16)));
    topts.server.rate_limit.requests_per_window = static_cast<unsigned>(a.get_int("budget", 500));
    topts.server.rate_limit.window = std::chrono::milliseconds(a.get_int("window-ms", 1000));
    runtime rt(static_cast<unsigned>(a.get_int("threads", 1)));
    reject_unknown_flags(a);

    target t(topts);
    auto counters = std::make_shared<pipeline_counters>();
    auto st = std::make_shared<create_state>(make_client(rt.executor(), t, {conc, true, counters}));
    st->total = requests;
    st->run_tag = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t w = 0; w < conc; ++w) rt.spawn(create_worker(st));
    rt.wait_all();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double rps = static_cast<double>(requests) / secs;

    table tb("create (" + t.scheme() + ", rate-limited)");
    tb.row("server", t.base_url()).row("concurrency", std::uint64_t(conc)).row("calls", std::uint64_t(requests));
    if (t.bundled())
        tb.row("server budget", std::to_string(topts.server.rate_limit.requests_per_window) + " per " +
                                    std::to_string(topts.server.rate_limit.window.count()) + " ms");
    tb.row("HTTP attempts", counters->attempts.load())
        .row("limiter waits (paced)", counters->limiter_waits.load())
        .row("429s seen (retried)", counters->status_429.load())
        .row("retries", counters->retries.load())
        .row("errors", st->errors.load())
        .row("seconds", secs, 3)
        .row("calls per second", rps, 1)
        .row("latency p50 (ms)", to_ms(st->latency.percentile(50)), 3)
        .row("latency p99 (ms)", to_ms(st->latency.percentile(99)), 3)
        .print();
    result_line("intercom-cpp", "create")
        .add("scheme", t.scheme())
        .add("c", std::uint64_t(conc))
        .add("rps", rps, 1)
        .add("p50_ms", to_ms(st->latency.percentile(50)))
        .add("p99_ms", to_ms(st->latency.percentile(99)))
        .add("requests", std::uint64_t(requests))
        .add("attempts", counters->attempts.load())
        .add("limiter_waits", counters->limiter_waits.load())
        .add("status_429", counters->status_429.load())
        .add("errors", st->errors.load())
        .print();
    if (st->errors) return fail("create: " + std::to_string(st->errors.load()) + " calls failed, first: " + st->first_error);
    return 0;
}

}  // namespace

INTERCOM_BENCH_WORKLOAD("create", "N contact creates paced by the rate limiter (--requests --concurrency --budget --window-ms)",
                        run_create);

}  // namespace intercom::bench
