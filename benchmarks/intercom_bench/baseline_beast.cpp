// paginate-beast: the baseline for `paginate`. What a bare Boost.Beast program does to read every
// contact: one keep-alive connection (TLS with the same CA, or plain TCP), a coroutine that
// requests each page, `boost::json::parse`s it and follows `pages.next.starting_after`.
// No pool, no retries, no rate limiter, no typed decoding, no prefetch.
//
//   intercom-bench paginate-beast [--contacts=20000] [--per-page=150]
//
// Prints `RESULT tool=beast op=paginate seconds=... items=... allocs_per_page=... allocs_per_item=...`.
// Connection, TLS trust and request headers come from beast_common.hpp (shared with retrieve-beast).
#include "intercom_bench/alloc_counter.hpp"
#include "intercom_bench/beast_common.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace intercom::bench {
namespace {

using namespace beast_baseline;
namespace json = boost::json;

struct beast_walk {
    std::size_t items = 0;
    std::size_t requests = 0;
    std::size_t bytes = 0;
};

template <class Stream>
asio::awaitable<beast_walk> walk_pages(Stream* stream, endpoint ep, std::string token, unsigned per_page) {
    beast::flat_buffer buf;
    std::string cursor;
    beast_walk w;
    for (;;) {
        std::string target = ep.base_path + "/contacts?per_page=" + std::to_string(per_page);
        if (!cursor.empty()) target += "&starting_after=" + boost::urls::encode(cursor, boost::urls::unreserved_chars);
        auto req = make_get(ep, target, token);
        co_await bhttp::async_write(*stream, req, asio::use_awaitable);

        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        co_await bhttp::async_read(*stream, buf, parser, asio::use_awaitable);
        auto res = parser.release();
        if (auto problem = response_problem(res, target)) throw std::runtime_error(*problem);
        ++w.requests;
        w.bytes += res.body().size();

        json::value page = json::parse(res.body());
        w.items += page.at("data").as_array().size();
        const json::value* next = page.as_object().if_contains("pages");
        if (next) next = next->as_object().if_contains("next");
        if (!next || !next->is_object()) break;
        const json::value* after = next->as_object().if_contains("starting_after");
        if (!after || !after->is_string() || after->as_string().empty()) break;
        cursor = after->as_string();
    }
    co_return w;
}

asio::awaitable<beast_walk> walk_plain(endpoint ep, std::string token, unsigned per_page) {
    tcp::socket sock(co_await asio::this_coro::executor);
    co_await connect_tcp(&sock, ep);
    co_return co_await walk_pages(&sock, ep, token, per_page);
}

asio::awaitable<beast_walk> walk_tls(endpoint ep, std::string token, unsigned per_page, std::string ca_pem) {
    auto ctx = make_tls_context(ca_pem);
    asio::ssl::stream<tcp::socket> stream(co_await asio::this_coro::executor, ctx);
    co_await connect_tls(&stream, ep);
    co_return co_await walk_pages(&stream, ep, token, per_page);
}

int run_paginate_beast(const args& a) {
    auto topts = parse_target(a, 20000);
    auto per_page = static_cast<unsigned>(a.get_int("per-page", 150));
    runtime rt(1);
    reject_unknown_flags(a);

    target t(topts);
    auto ep = parse_endpoint(t.base_url());
    allocation_counting_available();  // runs the self-check outside the measured phase

    reset_peak_rss();
    double rss_start = current_rss_mb();
    auto allocs0 = allocation_count();
    double cpu0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    beast_walk w = ep.tls ? rt.run(walk_tls(ep, t.token(), per_page, t.ca_pem()))
                          : rt.run(walk_plain(ep, t.token(), per_page));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double peak = peak_rss_mb();
    double cpu = process_cpu_seconds() - cpu0;
    auto allocs = allocation_count() - allocs0;
    const char* cpu_key = t.bundled() ? "process_cpu_seconds" : "client_cpu_seconds";

    table("paginate-beast (" + t.scheme() + ", bare Beast + boost::json::parse)")
        .row("server", t.base_url())
        .row("items", std::uint64_t(w.items))
        .row("page requests", std::uint64_t(w.requests))
        .row("body MiB", static_cast<double>(w.bytes) / (1024.0 * 1024.0), 1)
        .row("seconds", secs, 3)
        .row("items per second", static_cast<double>(w.items) / secs, 0)
        .row(t.bundled() ? "process CPU seconds (incl. server)" : "client CPU seconds", cpu, 3)
        .row("peak RSS growth (MiB)", peak - rss_start, 1)
        .row(t.bundled() ? "allocations per page (incl. server)" : "allocations per page", allocs_per(allocs, w.requests))
        .row(t.bundled() ? "allocations per item (incl. server)" : "allocations per item", allocs_per(allocs, w.items))
        .print();
    result_line("beast", "paginate")
        .add("scheme", t.scheme())
        .add("seconds", secs)
        .add("items", std::uint64_t(w.items))
        .add("requests", std::uint64_t(w.requests))
        .add(cpu_key, cpu)
        .add("peak_rss_mb", peak, 1)
        .add("rss_growth_mb", peak - rss_start, 1)
        .add("allocs_per_page", allocs_per(allocs, w.requests))
        .add("allocs_per_item", allocs_per(allocs, w.items))
        .print();
    if (t.bundled() && w.items != topts.server.seed.contacts)
        return fail("paginate-beast: expected " + std::to_string(topts.server.seed.contacts) + " items, got " +
                    std::to_string(w.items));
    return 0;
}

}  // namespace

INTERCOM_BENCH_WORKLOAD("paginate-beast", "baseline for paginate: bare Beast keep-alive loop + boost::json::parse",
                        run_paginate_beast);

}  // namespace intercom::bench
