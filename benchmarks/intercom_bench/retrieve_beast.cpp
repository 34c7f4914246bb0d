// retrieve-beast: the baseline for `retrieve`. What a bare Boost.Beast program does to fetch one
// contact at a time from C coroutines: each coroutine owns one keep-alive connection
// (`ssl::stream<beast::tcp_stream>` with the same CA handling as paginate-beast, or a plain
// `beast::tcp_stream` for http://) and loops: GET /contacts/{id} with the headers the library sends
// (beast_common.hpp `make_get`: Authorization, Intercom-Version, Accept, User-Agent, and
// Accept-Encoding: gzip because the library requests gzip by default; the bundled fake server does
// not compress JSON, so both sides read identical bodies), read into a
// `http::response<string_body>`, `boost::json::parse` the body. A status other than 200, a
// compressed body or bad JSON counts as an error and fails the run. No pool, retries, limiter,
// deadlines or typed decoding.
//
//   intercom-bench retrieve-beast [--requests=20000] [--concurrency=64] [--warmup=N] [--id=ID]
//                                 [--threads=1]
//
// Connections are opened (TLS handshakes included) and warmed up before the clock starts, as in
// `retrieve`. Ids: --id, else the first page of GET /contacts?per_page=150 (as `retrieve` does).
// Prints `RESULT tool=beast op=retrieve ... client_cpu_us_per_req=... allocs_per_req=...` with the
// same keys as `retrieve` (process_cpu_us_per_req with the bundled server in this process).
#include "intercom_bench/alloc_counter.hpp"
#include "intercom_bench/beast_common.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <mutex>

namespace intercom::bench {
namespace {

using namespace beast_baseline;
namespace json = boost::json;

using tls_stream = asio::ssl::stream<beast::tcp_stream>;

// One coroutine's connection and its read buffer (kept across requests, as keep-alive needs).
template <class Stream>
struct beast_connection {
    template <class... A>
    explicit beast_connection(A&&... a) : stream(std::forward<A>(a)...) {}
    Stream stream;
    beast::flat_buffer buffer;
};

struct beast_retrieve_state {
    endpoint ep;
    std::string token;
    std::vector<std::string> targets;  // base path + /contacts/{id}
    std::size_t total = 0;
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> errors{0};
    metrics::latency_histogram latency;
    std::mutex mu;
    std::string first_error;

    void record_error(const std::string& what) {
        ++errors;
        std::lock_guard lk(mu);
        if (first_error.empty()) first_error = what;
    }
};

asio::awaitable<void> open_connection(beast::tcp_stream* s, endpoint ep) { co_await connect_tcp(s, ep); }
asio::awaitable<void> open_connection(tls_stream* s, endpoint ep) { co_await connect_tls(s, ep); }

template <class Stream>
asio::awaitable<void> retrieve_loop(std::shared_ptr<beast_retrieve_state> st, beast_connection<Stream>* c) {
    for (;;) {
        std::size_t i = st->next.fetch_add(1, std::memory_order_relaxed);
        if (i >= st->total) co_return;
        const std::string& target = st->targets[i % st->targets.size()];
        auto t0 = std::chrono::steady_clock::now();
        std::optional<std::string> problem;
        bool usable = true;  // the connection can carry the next request
        try {
            // Inline (no nested coroutine frame): the loop a bare Beast program would write.
            auto req = make_get(st->ep, target, st->token);
            co_await bhttp::async_write(c->stream, req, asio::use_awaitable);
            bhttp::response<bhttp::string_body> res;
            co_await bhttp::async_read(c->stream, c->buffer, res, asio::use_awaitable);
            usable = res.keep_alive();
            problem = response_problem(res, target);
            if (!problem) {
                boost::system::error_code ec;
                json::value v = json::parse(res.body(), ec);
                if (ec || !v.is_object()) problem = "GET " + target + ": body is not a JSON object (" + ec.message() + ")";
            }
            if (!problem && !usable) problem = "GET " + target + ": the server closed the keep-alive connection";
        } catch (const std::exception& e) {
            problem = "GET " + target + ": " + e.what();
            usable = false;
        }
        st->latency.record(std::chrono::steady_clock::now() - t0);
        if (problem) {
            st->record_error(*problem);
            if (!usable) co_return;  // the other coroutines take over the remaining requests
        }
    }
}

// The ids of the first page, as `retrieve` picks them when --id is not given.
template <class Stream>
asio::awaitable<std::vector<std::string>> first_page_ids(beast_connection<Stream>* c, endpoint ep, std::string token) {
    std::string target = ep.base_path + "/contacts?per_page=150";
    auto req = make_get(ep, target, token);
    co_await bhttp::async_write(c->stream, req, asio::use_awaitable);
    bhttp::response<bhttp::string_body> res;
    co_await bhttp::async_read(c->stream, c->buffer, res, asio::use_awaitable);
    if (auto problem = response_problem(res, target)) throw std::runtime_error(*problem);
    std::vector<std::string> ids;
    json::value page = json::parse(res.body());
    for (auto const& item : page.at("data").as_array())
        if (auto const* id = item.as_object().if_contains("id"); id && id->is_string())
            ids.emplace_back(id->as_string());
    co_return ids;
}

template <class Stream>
std::chrono::nanoseconds drive(runtime& rt, const std::shared_ptr<beast_retrieve_state>& st,
                               std::vector<std::unique_ptr<beast_connection<Stream>>>& conns, std::size_t n) {
    st->total = n;
    st->next = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (auto& c : conns) rt.spawn(retrieve_loop(st, c.get()));
    rt.wait_all();
    return std::chrono::steady_clock::now() - t0;
}

struct beast_retrieve_run {
    std::chrono::nanoseconds elapsed{};
    double cpu_seconds = 0;
    std::uint64_t allocations = 0;
};

// Opens the connections, picks the ids, warms up, then measures `requests` calls.
template <class Stream, class MakeConnection>
beast_retrieve_run measure(runtime& rt, const std::shared_ptr<beast_retrieve_state>& st, std::size_t conc,
                           std::size_t warmup, std::size_t requests, const std::string& id, MakeConnection make) {
    std::vector<std::unique_ptr<beast_connection<Stream>>> conns;
    for (std::size_t i = 0; i < conc; ++i) conns.push_back(make());
    for (auto& c : conns) rt.spawn(open_connection(&c->stream, st->ep));
    rt.wait_all();

    std::vector<std::string> ids =
        id.empty() ? rt.run(first_page_ids(conns.front().get(), st->ep, st->token)) : std::vector<std::string>{id};
    if (ids.empty()) throw std::runtime_error("the server has no contacts");
    for (auto const& i : ids) st->targets.push_back(st->ep.base_path + "/contacts/" + i);

    drive(rt, st, conns, warmup);
    st->latency.reset();
    allocation_counting_available();  // runs the self-check outside the measured phase
    beast_retrieve_run r;
    auto allocs0 = allocation_count();
    double cpu0 = process_cpu_seconds();
    r.elapsed = drive(rt, st, conns, requests);
    r.cpu_seconds = process_cpu_seconds() - cpu0;
    r.allocations = allocation_count() - allocs0;
    return r;
}

int run_retrieve_beast(const args& a) {
    auto topts = parse_target(a, 1000);
    auto requests = static_cast<std::size_t>(a.get_int("requests", 20000));
    auto conc = static_cast<std::size_t>(std::max<std::int64_t>(1, a.get_int("concurrency", 64)));
    auto warmup = static_cast<std::size_t>(a.get_int("warmup", static_cast<std::int64_t>(conc * 4)));
    auto id = a.get("id", "");
    runtime rt(static_cast<unsigned>(a.get_int("threads", 1)));
    reject_unknown_flags(a);
    if (requests == 0) throw std::invalid_argument("--requests must be at least 1");

    target t(topts);
    auto st = std::make_shared<beast_retrieve_state>();
    st->ep = parse_endpoint(t.base_url());
    st->token = t.token();
    beast_retrieve_run r;
    if (st->ep.tls) {
        auto ctx = make_tls_context(t.ca_pem());
        r = measure<tls_stream>(rt, st, conc, warmup, requests, id, [&] {
            return std::make_unique<beast_connection<tls_stream>>(rt.executor(), ctx);
        });
    } else {
        r = measure<beast::tcp_stream>(rt, st, conc, warmup, requests, id, [&] {
            return std::make_unique<beast_connection<beast::tcp_stream>>(rt.executor());
        });
    }
    const double cpu_us = r.cpu_seconds * 1e6 / static_cast<double>(requests);
    const double secs = std::chrono::duration<double>(r.elapsed).count();

    call_figures f;
    f.calls = requests;
    f.errors = st->errors.load();
    f.concurrency = conc;
    f.threads = rt.threads();
    f.seconds = secs;
    f.cpu_us_per_call = cpu_us;
    f.allocs_per_call = allocs_per(r.allocations, requests);
    f.latency = &st->latency;
    table tab("retrieve-beast (" + t.scheme() + ", bare Beast + boost::json::parse)");
    tab.row("server", t.base_url())
        .row("concurrency (connections)", std::uint64_t(conc))
        .row("client threads", std::uint64_t(rt.threads()))
        .row("calls", std::uint64_t(requests));
    add_call_rows(tab, t.bundled(), f).print();
    result_line line("beast", "retrieve");
    add_call_keys(line, t.scheme(), t.bundled(), f).print();
    if (st->errors)
        return fail("retrieve-beast: " + std::to_string(st->errors.load()) + " calls failed, first: " + st->first_error);
    return 0;
}

}  // namespace

INTERCOM_BENCH_WORKLOAD("retrieve-beast",
                        "baseline for retrieve: C bare Beast keep-alive loops, GET /contacts/{id} + boost::json::parse",
                        run_retrieve_beast);

}  // namespace intercom::bench
