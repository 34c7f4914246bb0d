// paginate-beast: the baseline for `paginate`. What a bare Boost.Beast program does to read every
// contact: one keep-alive connection (TLS with the same CA, or plain TCP), a coroutine that
// requests each page, `boost::json::parse`s it and follows `pages.next.starting_after`.
// No pool, no retries, no rate limiter, no typed decoding, no prefetch.
//
//   intercom-bench paginate-beast [--contacts=20000] [--per-page=150]
//
// Prints `RESULT tool=beast op=paginate seconds=... items=...`.
#include "intercom_bench/common.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace intercom::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct beast_walk {
    std::size_t items = 0;
    std::size_t requests = 0;
    std::size_t bytes = 0;
};

template <class Stream>
asio::awaitable<beast_walk> walk_pages(Stream* stream, std::string host, std::string base_path, std::string token,
                                       unsigned per_page) {
    beast::flat_buffer buf;
    std::string cursor;
    beast_walk w;
    for (;;) {
        std::string target = base_path + "/contacts?per_page=" + std::to_string(per_page);
        if (!cursor.empty()) target += "&starting_after=" + boost::urls::encode(cursor, boost::urls::unreserved_chars);
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, host);
        req.set(bhttp::field::authorization, "Bearer " + token);
        req.set(bhttp::field::accept, "application/json");
        req.set("Intercom-Version", "2.11");
        req.keep_alive(true);
        co_await bhttp::async_write(*stream, req, asio::use_awaitable);

        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        co_await bhttp::async_read(*stream, buf, parser, asio::use_awaitable);
        auto res = parser.release();
        if (res.result_int() != 200)
            throw std::runtime_error("GET " + target + " answered " + std::to_string(res.result_int()));
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

asio::awaitable<beast_walk> walk_plain(std::string host, std::string port, std::string base_path, std::string token,
                                       unsigned per_page) {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    tcp::socket sock(ex);
    co_await asio::async_connect(sock, co_await resolver.async_resolve(host, port, asio::use_awaitable),
                                 asio::use_awaitable);
    sock.set_option(tcp::no_delay(true));
    co_return co_await walk_pages(&sock, host, base_path, token, per_page);
}

asio::awaitable<beast_walk> walk_tls(std::string host, std::string port, std::string base_path, std::string token,
                                     unsigned per_page, std::string ca_pem) {
    auto ex = co_await asio::this_coro::executor;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    if (!ca_pem.empty()) ctx.add_certificate_authority(asio::buffer(ca_pem));
    ctx.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(ex, ctx);
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    boost::system::error_code ip_ec;
    asio::ip::make_address(host, ip_ec);
    if (ip_ec) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());  // SNI only for names
    tcp::resolver resolver(ex);
    co_await asio::async_connect(stream.next_layer(), co_await resolver.async_resolve(host, port, asio::use_awaitable),
                                 asio::use_awaitable);
    stream.next_layer().set_option(tcp::no_delay(true));
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    co_return co_await walk_pages(&stream, host, base_path, token, per_page);
}

int run_paginate_beast(const args& a) {
    auto topts = parse_target(a, 20000);
    auto per_page = static_cast<unsigned>(a.get_int("per-page", 150));
    runtime rt(1);
    reject_unknown_flags(a);

    target t(topts);
    auto url = boost::urls::parse_uri(t.base_url());
    if (!url) throw std::invalid_argument("cannot parse base URL " + t.base_url());
    bool tls = url->scheme() == "https";
    std::string host = url->host();
    std::string port = url->has_port() ? std::string(url->port()) : (tls ? "443" : "80");
    std::string base_path = url->path();
    if (!base_path.empty() && base_path.back() == '/') base_path.pop_back();

    reset_peak_rss();
    double rss_start = current_rss_mb();
    double cpu0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    beast_walk w = tls ? rt.run(walk_tls(host, port, base_path, t.token(), per_page, t.ca_pem()))
                       : rt.run(walk_plain(host, port, base_path, t.token(), per_page));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double peak = peak_rss_mb();
    double cpu = process_cpu_seconds() - cpu0;
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
        .print();
    result_line("beast", "paginate")
        .add("scheme", t.scheme())
        .add("seconds", secs)
        .add("items", std::uint64_t(w.items))
        .add("requests", std::uint64_t(w.requests))
        .add(cpu_key, cpu)
        .add("peak_rss_mb", peak, 1)
        .add("rss_growth_mb", peak - rss_start, 1)
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
