// Soak: many requests through the real client (pipeline + pooled transport) against the fake
// server, with random faults, full pagination cycles and single reads; reports requests, retries,
// errors and RSS, and checks that no pagination cycle loses or duplicates an item and that every
// single read gets its own object back. Run by tools/soak.sh (ASan/LSan build); not a ctest test.
//
//   intercom_soak [--requests N] [--contacts N] [--per-page N] [--workers N] [--singles N]
//                 [--fault-every N] [--seed N] [--max-seconds N]
//
// Exit status: 0 when every check held, 1 otherwise (LSan adds its own non-zero exit on leaks).
#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/pagination/pager.hpp>
#include <intercom/pipeline/policies.hpp>
#include <intercom/testing/fake_server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace tst = intercom::testing;

namespace {

struct settings {
    std::uint64_t requests = 1'000'000;  ///< attempts sent (retries included)
    std::size_t contacts = 200;   ///< small pages keep each request cheap: the count is what soaks
    unsigned per_page = 20;
    unsigned workers = 8;
    unsigned singles = 20;       ///< single reads between two pagination cycles of a worker
    unsigned fault_every = 25;   ///< on average one fault per this many requests
    std::uint64_t seed = 1;
    unsigned max_seconds = 0;    ///< 0: no time limit
};

struct counters {
    std::uint64_t attempts = 0;      ///< requests sent (attempt_finished events)
    std::uint64_t retries = 0;       ///< retry_scheduled events
    std::uint64_t calls = 0;         ///< calls finished (single reads + pages)
    std::uint64_t errors = 0;        ///< calls that ended with an error
    std::uint64_t cycles = 0;        ///< pagination cycles completed
    std::uint64_t cycles_failed = 0; ///< cycles ended by an error (faults outlasting the retries)
    std::uint64_t items = 0;         ///< items seen in completed cycles
    std::uint64_t lost = 0;          ///< expected items missing from a completed cycle
    std::uint64_t duplicated = 0;    ///< items delivered twice within one cycle
    std::uint64_t out_of_order = 0;  ///< completed cycles whose order differs from the store's
    std::uint64_t wrong_object = 0;  ///< single reads answered with another object
    std::uint64_t faults_scheduled = 0;
    std::map<std::string, std::uint64_t> error_kinds;
};

struct soak {
    settings cfg;
    counters n;
    asio::io_context& ioc;
    tst::fake_server& server;
    client cl;
    std::vector<std::string> expected;  // seeded contact ids, in store order
    std::mt19937_64 rng;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    bool stop = false;
    unsigned running = 0;

    bool budget_left() {
        if (stop) return false;
        if (n.attempts >= cfg.requests) return false;
        if (cfg.max_seconds && std::chrono::steady_clock::now() - start > std::chrono::seconds(cfg.max_seconds)) {
            stop = true;
            return false;
        }
        return true;
    }

    void count_error(const error_info& e) {
        ++n.errors;
        ++n.error_kinds[e.code.message()];
    }

    /// Replaces the fault rules: each applies once, to a random upcoming request of its route.
    void reschedule_faults() {
        static const tst::fault choices[] = {
            {.kind = tst::fault_kind::status, .status = 500},
            {.kind = tst::fault_kind::status, .status = 502},
            {.kind = tst::fault_kind::status, .status = 503},
            {.kind = tst::fault_kind::status, .status = 504},
            {.kind = tst::fault_kind::status, .status = 429},
            {.kind = tst::fault_kind::reset_before_headers},
            {.kind = tst::fault_kind::reset_after_headers},
            {.kind = tst::fault_kind::truncated_body},
            {.kind = tst::fault_kind::connection_close},
            {.kind = tst::fault_kind::malformed_json},
            {.kind = tst::fault_kind::wrong_content_type},
            {.kind = tst::fault_kind::none, .delay = 5ms},
        };
        server.clear_faults();
        for (const char* path : {"/contacts", "/contacts/{id}"}) {
            for (int k = 0; k < 4; ++k) {
                tst::fault_rule r;
                r.method = "GET";
                r.path = path;
                r.nth = 1 + static_cast<unsigned>(rng() % (cfg.fault_every * 2));
                r.count = 1;
                r.action = choices[rng() % std::size(choices)];
                server.add_fault(r);
                ++n.faults_scheduled;
            }
        }
    }
};

std::size_t rss_kib() {
    std::ifstream f("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) / 1024;
}

std::string id_of(const boost::json::value& v) {
    if (!v.is_object()) return {};
    auto* id = v.as_object().if_contains("id");
    return id && id->is_string() ? std::string(id->as_string()) : std::string{};
}

/// One full walk over every contact; checks it against the store.
asio::awaitable<void> pagination_cycle(soak* s) {
    pagination::listing l;
    l.kind = pagination::style::cursor;
    l.path = "/contacts";
    l.per_page = s->cfg.per_page;
    auto p = pagination::make_json_pager(s->cl, l);
    std::vector<std::string> ids;
    ids.reserve(s->expected.size());
    for (;;) {
        auto r = co_await p.next_page();
        ++s->n.calls;
        if (!r) {
            s->count_error(r.error());
            ++s->n.cycles_failed;
            co_return;
        }
        if (!*r) break;
        for (const auto& item : (*r)->items) ids.push_back(id_of(item));
    }
    ++s->n.cycles;
    s->n.items += ids.size();
    std::set<std::string> unique(ids.begin(), ids.end());
    s->n.duplicated += ids.size() - unique.size();
    for (const auto& e : s->expected)
        if (!unique.count(e)) ++s->n.lost;
    if (ids != s->expected) ++s->n.out_of_order;
}

asio::awaitable<void> single_read(soak* s, std::string id) {
    auto r = co_await s->cl.request(boost::beast::http::verb::get, "/contacts/" + id);
    ++s->n.calls;
    if (!r) {
        s->count_error(r.error());
        co_return;
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(r->body, ec);
    if (ec) {
        // A 200 with a cut body (malformed_json fault) is not a wrong object: decoding reports it.
        ++s->n.error_kinds["2xx body not JSON (malformed_json fault)"];
        co_return;
    }
    if (id_of(v) != id) ++s->n.wrong_object;
}

asio::awaitable<void> worker(soak* s, unsigned index) {
    std::mt19937_64 rng(s->cfg.seed * 1000 + index);
    while (s->budget_left()) {
        s->reschedule_faults();
        co_await pagination_cycle(s);
        for (unsigned i = 0; i < s->cfg.singles && s->budget_left(); ++i)
            co_await single_read(s, s->expected[rng() % s->expected.size()]);
    }
    --s->running;
}

asio::awaitable<void> reporter(soak* s) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (s->running > 0) {
        t.expires_after(10s);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s->start).count();
        std::printf("  %8.0f s  %10llu requests  %8llu retries  %6llu errors  %6llu cycles  rss %zu KiB\n", secs,
                    (unsigned long long)s->n.attempts, (unsigned long long)s->n.retries,
                    (unsigned long long)s->n.errors, (unsigned long long)s->n.cycles, rss_kib());
        std::fflush(stdout);
    }
}

bool parse_args(int argc, char** argv, settings& cfg) {
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        auto v = std::strtoull(argv[i + 1], nullptr, 10);
        if (k == "--requests") cfg.requests = v;
        else if (k == "--contacts") cfg.contacts = v;
        else if (k == "--per-page") cfg.per_page = static_cast<unsigned>(v);
        else if (k == "--workers") cfg.workers = static_cast<unsigned>(v);
        else if (k == "--singles") cfg.singles = static_cast<unsigned>(v);
        else if (k == "--fault-every") cfg.fault_every = static_cast<unsigned>(v);
        else if (k == "--seed") cfg.seed = v;
        else if (k == "--max-seconds") cfg.max_seconds = static_cast<unsigned>(v);
        else return false;
    }
    return argc % 2 == 1 && cfg.contacts > 0 && cfg.workers > 0 && cfg.per_page > 0 && cfg.fault_every > 0;
}

} // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show up at once in a log
    settings cfg;
    if (!parse_args(argc, argv, cfg)) {
        std::fprintf(stderr, "usage: intercom_soak [--requests N] [--contacts N] [--per-page N] [--workers N] "
                             "[--singles N] [--fault-every N] [--seed N] [--max-seconds N]\n");
        return 2;
    }
    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(),
                            {.seed = {.contacts = cfg.contacts, .seed = cfg.seed},
                             // short windows: an injected 429's reset is near
                             .rate_limit = {.requests_per_window = 1'000'000'000, .window = 1s},
                             .record_requests = false});
    server.start();

    client_options o;
    o.token = "soak-token";
    o.base_url = server.base_url();
    o.attempt_timeout = 2s;
    o.timeout = 30s;
    o.pipeline.max_attempts = 3;
    pipeline::backoff_options bo;
    bo.initial = 1ms;
    bo.max = 5ms;
    bo.rate_limit_jitter = 1ms;
    bo.max_rate_limit_wait = 3s;
    o.pipeline.backoff_policy = std::make_shared<pipeline::default_backoff_policy>(bo);
    counters* live = nullptr;
    o.pipeline.on_event = [&live](const pipeline::event& e) {
        if (!live) return;
        if (e.kind == pipeline::event_kind::attempt_finished) ++live->attempts;
        if (e.kind == pipeline::event_kind::retry_scheduled) ++live->retries;
    };
    soak s{cfg, {}, ioc, server, client(ioc.get_executor(), o), {}, std::mt19937_64(cfg.seed)};
    live = &s.n;
    for (std::size_t i = 0; i < cfg.contacts; ++i) s.expected.push_back(server.seeded_contact_id(i));

    std::printf("soak: %llu requests, %zu contacts, %u per page, %u workers, %u single reads per cycle, "
                "one fault per ~%u requests\n",
                (unsigned long long)cfg.requests, cfg.contacts, cfg.per_page, cfg.workers, cfg.singles,
                cfg.fault_every);
    // Warm-up: one clean cycle so the start RSS includes the pools, caches and the store.
    bool warm = false;
    asio::co_spawn(ioc, pagination_cycle(&s), [&warm](std::exception_ptr) { warm = true; });
    while (!warm) ioc.run_one();  // (run() would not return: the server always has work)
    if (s.n.cycles != 1 || s.n.lost != 0) {
        std::printf("warm-up cycle failed\n");
        return 1;
    }
    s.n = counters{};
    const std::size_t rss_start = rss_kib();
    s.start = std::chrono::steady_clock::now();

    s.running = cfg.workers;
    for (unsigned w = 0; w < cfg.workers; ++w) asio::co_spawn(ioc, worker(&s, w), asio::detached);
    asio::co_spawn(ioc, reporter(&s), asio::detached);
    while (s.running > 0) ioc.run_one();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.start).count();
    const std::size_t rss_end = rss_kib();
    server.clear_faults();
    server.stop();
    live = nullptr;
    ioc.run_for(100ms);

    const auto& n = s.n;
    std::printf("\nsoak result (%.0f s, %.0f requests/s)\n", secs, n.attempts / secs);
    std::printf("  requests sent        %llu\n", (unsigned long long)n.attempts);
    std::printf("  retries              %llu\n", (unsigned long long)n.retries);
    std::printf("  calls                %llu\n", (unsigned long long)n.calls);
    std::printf("  errors               %llu\n", (unsigned long long)n.errors);
    for (const auto& [k, v] : n.error_kinds) std::printf("    %-40s %llu\n", k.c_str(), (unsigned long long)v);
    std::printf("  faults scheduled     %llu\n", (unsigned long long)n.faults_scheduled);
    std::printf("  pagination cycles    %llu completed, %llu ended by an error\n", (unsigned long long)n.cycles,
                (unsigned long long)n.cycles_failed);
    std::printf("  items checked        %llu\n", (unsigned long long)n.items);
    std::printf("  lost items           %llu\n", (unsigned long long)n.lost);
    std::printf("  duplicated items     %llu\n", (unsigned long long)n.duplicated);
    std::printf("  cycles out of order  %llu\n", (unsigned long long)n.out_of_order);
    std::printf("  wrong single reads   %llu\n", (unsigned long long)n.wrong_object);
    std::printf("  RSS start/end        %zu KiB / %zu KiB\n", rss_start, rss_end);
    const bool ok = n.lost == 0 && n.duplicated == 0 && n.out_of_order == 0 && n.wrong_object == 0 && n.cycles > 0;
    std::printf("  verdict              %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
