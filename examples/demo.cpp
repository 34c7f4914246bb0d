// intercom-demo: the library end to end in a few seconds, with no token and no network.
//
// By default it starts the bundled fake Intercom server in-process (HTTPS with a CA made at start,
// seeded with contacts) and shows: concurrent creates paced by the client-side rate limiter, a
// typed search, a full cursor pagination with prefetch and a live progress bar, a partitioned export
// (partitions = auto, progress per partition), injected faults
// absorbed by retries, and a summary table.
//
// With INTERCOM_TOKEN set and `--live`, it talks to the real Intercom instead, using read-only
// operations only (GET /me, a few pages of contacts, one search page).
//
//   intercom-demo [--contacts N] [--creates N] [--budget N] [--window-ms N]
//   INTERCOM_TOKEN=... intercom-demo --live [--region us|eu|au]

#include <intercom.hpp>
#include <intercom/metrics/latency_histogram.hpp>
#include <intercom/pagination/pager.hpp>
#include <intercom/pagination/partitioned_export.hpp>
#include <intercom/search/query.hpp>
#include <intercom/testing/fake_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

struct demo_config {
    bool live = false;
    intercom::region region = intercom::region::us;
    std::size_t contacts = 5000;     // seeded contacts
    std::size_t creates = 300;       // concurrent creates
    unsigned budget = 100;           // fake server: requests per window (per token)
    std::chrono::milliseconds window{1000};
    std::size_t retrieves = 200;     // concurrent retrieves under injected faults
};

// Counts what the pipeline reports. The hook runs on the pipeline's coroutine: atomics keep it
// correct if the io_context ever runs on several threads.
struct demo_stats {
    std::atomic<std::uint64_t> attempts{0}, retries{0}, status_429{0}, limiter_waits{0}, failures{0};
    intercom::metrics::latency_histogram latency;
};

intercom::pipeline::event_hook make_hook(std::shared_ptr<demo_stats> st) {
    return [st](const intercom::pipeline::event& e) {
        using intercom::pipeline::event_kind;
        switch (e.kind) {
        case event_kind::attempt_finished:
            ++st->attempts;
            st->latency.record(e.latency);
            if (e.http_status == 429) ++st->status_429;
            break;
        case event_kind::retry_scheduled: ++st->retries; break;
        case event_kind::limiter_wait: ++st->limiter_waits; break;
        case event_kind::gave_up: ++st->failures; break;
        case event_kind::succeeded: break;
        }
    };
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void progress(const char* what, std::size_t done, std::size_t total) {
    static const bool tty = ::isatty(STDOUT_FILENO) != 0;
    if (!tty && done != total) return;  // logs get one line, terminals a live bar
    const int width = 30;
    int filled = total ? static_cast<int>(width * done / total) : width;
    std::printf("\r  %-12s [%s%s] %zu/%zu", what, std::string(static_cast<std::size_t>(filled), '#').c_str(),
                std::string(static_cast<std::size_t>(width - filled), '.').c_str(), done, total);
    if (done == total) std::printf("\n");
    std::fflush(stdout);
}

// Waits for a set of spawned tasks: each completion decrements `pending`; the last one wakes the
// waiter by cancelling its timer (single-threaded io_context).
struct join_counter {
    explicit join_counter(asio::any_io_executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer timer;
    std::size_t pending = 0;
    std::size_t ok = 0;
    std::size_t failed = 0;
    std::string first_error;

    void done(const intercom::result<intercom::api_response>& r) {
        if (r) ++ok;
        else {
            ++failed;
            if (first_error.empty()) first_error = r.error().what();
        }
        if (--pending == 0) timer.cancel();
    }
    asio::awaitable<void> wait() {
        boost::system::error_code ec;
        if (pending) co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
};

// The `nth` GET /contacts/{id} (once) gets `kind`; `status` is the answer of `fault_kind::status`.
intercom::testing::fault_rule retrieve_fault(unsigned nth, intercom::testing::fault_kind kind,
                                             unsigned status = 503) {
    intercom::testing::fault_rule r;
    r.method = "GET";
    r.path = "/contacts/{id}";
    r.nth = nth;
    r.count = 1;
    r.action.kind = kind;
    r.action.status = status;
    return r;
}

asio::awaitable<void> create_one(intercom::client c, std::size_t i, join_counter* join) {
    json::object body{{"role", "user"},
                      {"email", "demo-" + std::to_string(i) + "@example.com"},
                      {"name", "Demo Contact " + std::to_string(i)}};
    auto r = co_await c.request(verb::post, "/contacts", {}, json::value(std::move(body)));
    join->done(r);
    progress("creates", join->ok + join->failed, join->ok + join->failed + join->pending);
}

asio::awaitable<void> retrieve_one(intercom::client c, std::string id, join_counter* join) {
    auto r = co_await c.request(verb::get, "/contacts/" + id);
    join->done(r);
}

asio::awaitable<std::size_t> paginate_all(intercom::client c, std::size_t expected, const char* label) {
    intercom::models::contacts_list_query q;
    q.per_page = 150;
    intercom::pagination::pager_options po;
    po.prefetch_depth = 1;  // page N+1 is in flight while page N is processed
    auto pager = c.contacts().list_all(q, po);  // typed pager: items are models::contact
    std::size_t n = 0;
    for (;;) {
        auto item = co_await pager.next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        ++n;
        if (n % 150 == 0) progress(label, n, std::max(expected, n));
    }
    progress(label, n, n);
    std::printf("  %zu contacts in %zu page requests (prefetch depth 1)\n", n, pager.raw().fetches());
    co_return n;
}

// Every contact again, as a partitioned export: partitions = auto (enough concurrent page chains to
// spend the rate budget at the measured round-trip time), cuts balanced by the counts the API gives.
asio::awaitable<std::size_t> export_all(intercom::client c, std::size_t expected) {
    intercom::pagination::partition_options po; // partitions = 0: auto
    auto exp = intercom::pagination::partitioned_export::create(c, po);
    if (!exp) throw intercom::api_error(exp.error());
    std::size_t n = 0;
    for (;;) {
        auto item = co_await exp->next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        if (++n % 150 == 0) progress("export", n, std::max(expected, n));
    }
    progress("export", n, n);
    const auto st = exp->stats();
    std::printf("  %zu contacts from %zu partitions (auto: round trip %.1f ms) in %zu requests (%zu planning "
                "probes)\n",
                n, exp->partitions(), std::chrono::duration<double, std::milli>(st.probe_rtt).count(),
                st.fetches, st.probes);
    const auto prog = exp->progress();
    for (std::size_t i = 0; i < prog.size() && i < 8; ++i)
        std::printf("    partition %zu: %zu contacts in %zu requests%s\n", i, prog[i].delivered,
                    prog[i].pages, prog[i].done ? "" : " (not done)");
    if (prog.size() > 8) std::printf("    ... %zu more partitions\n", prog.size() - 8);
    co_return n;
}

asio::awaitable<void> typed_search(intercom::client c) {
    using namespace intercom::search;
    // (role = user AND email ends with @example.com) OR name starts with "Demo"
    expr q = (field("role") == "user" && field("email").ends_with("@example.com")) ||
             field("name").starts_with("Demo");
    search_request req{q, 150u, std::nullopt, std::nullopt};
    auto pager = c.contacts().search_all(req);  // validates the query first (errc::invalid_query)
    if (!pager) throw intercom::api_error(pager.error());
    std::size_t n = 0;
    for (;;) {
        auto item = co_await pager->next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        ++n;
    }
    std::printf("  query: %s\n  %zu matches in %zu search requests (cursor carried in the body)\n",
                json::serialize(q.to_json()).c_str(), n, pager->raw().fetches());

    // Invalid queries never reach the server:
    expr bad = field("created_at").contains("2024");  // `~` is not allowed on date fields
    auto rejected = validate(bad, object_kind::contacts);
    if (!rejected) std::printf("  rejected before sending: %s\n", rejected.error().diag.message.c_str());
}

void print_summary(const demo_stats& st, std::uint64_t calls, double secs) {
    auto ms = [](std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); };
    std::printf("\n  %-40s %12s\n", "summary", "value");
    std::printf("  %-40s %12llu\n", "calls", static_cast<unsigned long long>(calls));
    std::printf("  %-40s %12llu\n", "HTTP attempts", static_cast<unsigned long long>(st.attempts.load()));
    std::printf("  %-40s %12.1f\n", "attempts per second", static_cast<double>(st.attempts.load()) / secs);
    std::printf("  %-40s %12llu\n", "retries", static_cast<unsigned long long>(st.retries.load()));
    std::printf("  %-40s %12llu\n", "429s absorbed (retried, not surfaced)",
                static_cast<unsigned long long>(st.status_429.load()));
    std::printf("  %-40s %12llu\n", "limiter waits (paced, no 429)", static_cast<unsigned long long>(st.limiter_waits.load()));
    std::printf("  %-40s %12llu\n", "calls that failed", static_cast<unsigned long long>(st.failures.load()));
    std::printf("  %-40s %12.2f\n", "attempt latency p50 (ms)", ms(st.latency.percentile(50)));
    std::printf("  %-40s %12.2f\n", "attempt latency p99 (ms)", ms(st.latency.percentile(99)));
    std::printf("  %-40s %12.2f\n", "wall time (s)", secs);
}

asio::awaitable<int> run_fake(demo_config cfg, intercom::testing::fake_server* server) {
    auto ex = co_await asio::this_coro::executor;
    auto st = std::make_shared<demo_stats>();

    intercom::client_options opts;
    opts.token = "demo-token";  // any non-empty token works against the fake server
    opts.base_url = server->base_url();
    opts.transport.tls.ca_pem = server->ca_pem();  // trust the CA the server made at start
    opts.pipeline.on_event = make_hook(st);
    intercom::pipeline::backoff_options bo;
    bo.initial = 20ms;  // quick retries for the demo (default 500 ms)
    opts.pipeline.backoff_policy = std::make_shared<intercom::pipeline::default_backoff_policy>(bo);
    intercom::client client(ex, opts);
    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t calls = 0;

    std::printf("intercom-cpp demo against the bundled fake Intercom server at %s\n", server->base_url().c_str());
    std::printf("  (HTTPS, CA generated at start; %zu seeded contacts; server budget %u requests per %lld ms window)\n\n",
                cfg.contacts, cfg.budget, static_cast<long long>(cfg.window.count()));

    auto me = co_await client.request(verb::get, "/me");
    ++calls;
    if (!me) throw intercom::api_error(me.error());
    auto me_json = me->json().value();
    std::printf("1. GET /me -> %s (%s)\n\n", json::value_to<std::string>(me_json.at("name")).c_str(),
                json::value_to<std::string>(me_json.at("email")).c_str());

    std::printf("2. %zu concurrent creates, paced by the client-side rate limiter\n", cfg.creates);
    {
        join_counter join(ex);
        join.pending = cfg.creates;
        auto waits_before = st->limiter_waits.load();
        auto t = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < cfg.creates; ++i) asio::co_spawn(ex, create_one(client, i, &join), asio::detached);
        co_await join.wait();
        calls += cfg.creates;
        std::printf("  %zu created, %zu failed in %.2f s; the limiter paced %llu requests; server 429s: %llu\n",
                    join.ok, join.failed, seconds_since(t),
                    static_cast<unsigned long long>(st->limiter_waits.load() - waits_before),
                    static_cast<unsigned long long>(st->status_429.load()));
        if (join.failed) std::printf("  first error: %s\n", join.first_error.c_str());
    }

    std::printf("\n3. Typed search (validated before sending)\n");
    auto fetch_before = st->attempts.load();
    co_await typed_search(client);
    calls += st->attempts.load() - fetch_before;

    std::printf("\n4. Full pagination of all contacts\n");
    fetch_before = st->attempts.load();
    co_await paginate_all(client, cfg.contacts + cfg.creates, "contacts");
    calls += st->attempts.load() - fetch_before;

    std::printf("\n5. Partitioned export of all contacts (partitions = auto)\n");
    fetch_before = st->attempts.load();
    co_await export_all(client, cfg.contacts + cfg.creates);
    calls += st->attempts.load() - fetch_before;

    std::printf("\n6. %zu concurrent retrieves while the server injects faults\n", cfg.retrieves);
    {
        using intercom::testing::fault_kind;
        for (unsigned nth : {5u, 40u, 90u})
            server->add_fault(retrieve_fault(nth, fault_kind::status, 503));
        server->add_fault(retrieve_fault(60, fault_kind::status, 502));
        server->add_fault(retrieve_fault(120, fault_kind::status, 429));
        server->add_fault(retrieve_fault(150, fault_kind::reset_before_headers));
        server->add_fault(retrieve_fault(170, fault_kind::truncated_body));
        auto retries_before = st->retries.load();
        join_counter join(ex);
        join.pending = cfg.retrieves;
        for (std::size_t i = 0; i < cfg.retrieves; ++i)
            asio::co_spawn(ex, retrieve_one(client, server->seeded_contact_id(i % cfg.contacts), &join),
                           asio::detached);
        co_await join.wait();
        calls += cfg.retrieves;
        std::printf("  7 faults injected (503 x3, 502, 429, reset, truncated body): %zu succeeded, %zu failed, "
                    "%llu retries\n",
                    join.ok, join.failed, static_cast<unsigned long long>(st->retries.load() - retries_before));
        if (join.failed) std::printf("  first error: %s\n", join.first_error.c_str());
    }

    print_summary(*st, calls, seconds_since(t0));
    co_return st->failures.load() == 0 ? 0 : 1;
}

asio::awaitable<int> run_live(demo_config cfg, std::string token) {
    auto ex = co_await asio::this_coro::executor;
    auto st = std::make_shared<demo_stats>();
    intercom::client_options opts;
    opts.token = std::move(token);
    opts.region = cfg.region;
    opts.pipeline.on_event = make_hook(st);
    intercom::client client(ex, opts);
    auto t0 = std::chrono::steady_clock::now();
    std::printf("intercom-cpp demo against %s (read-only)\n", opts.effective_base_url().c_str());
    auto me = co_await client.request(verb::get, "/me");
    if (!me) {
        std::printf("GET /me failed: %s\n", me.error().what().c_str());
        co_return 1;
    }
    std::printf("1. GET /me -> %s\n", me->body.substr(0, 200).c_str());
    intercom::models::contacts_list_query q;
    q.per_page = 50;
    intercom::pagination::pager_options po;
    po.limits.max_pages = 3;
    auto pager = client.contacts().list_all(q, po);
    std::size_t n = 0;
    for (;;) {
        auto item = co_await pager.next();
        if (!item) {
            std::printf("listing failed: %s\n", item.error().what().c_str());
            co_return 1;
        }
        if (!*item) break;
        ++n;
    }
    std::printf("2. %zu contacts from at most 3 pages\n", n);
    print_summary(*st, st->attempts.load(), seconds_since(t0));
    co_return 0;
}

int usage() {
    std::fprintf(stderr, "usage: intercom-demo [--contacts N] [--creates N] [--budget N] [--window-ms N]\n"
                         "       INTERCOM_TOKEN=... intercom-demo --live [--region us|eu|au]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    demo_config cfg;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto number = [&](std::size_t& out) {
            if (i + 1 >= argc) return false;
            char* end = nullptr;
            out = std::strtoull(argv[++i], &end, 10);
            return end && *end == '\0';
        };
        std::size_t v = 0;
        if (a == "--live") cfg.live = true;
        else if (a == "--region" && i + 1 < argc) {
            std::string r = argv[++i];
            if (r == "eu") cfg.region = intercom::region::eu;
            else if (r == "au") cfg.region = intercom::region::au;
            else if (r != "us") return usage();
        } else if (a == "--contacts" && number(v) && v > 0) cfg.contacts = v;
        else if (a == "--creates" && number(v)) cfg.creates = v;
        else if (a == "--budget" && number(v) && v > 0) cfg.budget = static_cast<unsigned>(v);
        else if (a == "--window-ms" && number(v) && v > 0) cfg.window = std::chrono::milliseconds(v);
        else return usage();
    }

    try {
        asio::io_context ioc;
        if (cfg.live) {
            const char* token = std::getenv("INTERCOM_TOKEN");
            if (!token || !*token) {
                std::fprintf(stderr, "--live needs INTERCOM_TOKEN\n");
                return 2;
            }
            auto fut = asio::co_spawn(ioc, run_live(cfg, token), asio::use_future);
            ioc.run();
            return fut.get();
        }

        // The server gets its own io_context and thread, as a real remote server would.
        asio::io_context server_ioc;
        intercom::testing::fake_server_options so;
        so.tls = true;
        so.seed.contacts = cfg.contacts;
        so.rate_limit.requests_per_window = cfg.budget;
        so.rate_limit.window = cfg.window;
        intercom::testing::fake_server server(server_ioc.get_executor(), so);
        server.start();
        auto guard = asio::make_work_guard(server_ioc);
        std::thread server_thread([&server_ioc] { server_ioc.run(); });

        auto fut = asio::co_spawn(ioc, run_fake(cfg, &server), asio::use_future);
        ioc.run();
        int rc = 1;
        try {
            rc = fut.get();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "demo failed: %s\n", e.what());
        }
        server.stop();
        guard.reset();
        server_ioc.stop();
        server_thread.join();
        return rc;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "demo failed: %s\n", e.what());
        return 1;
    }
}
