// paginate: every contact through the typed cursor pager (`make_pager<models::contact>`), and
// search-paginate: every contact through a validated search (`make_search_pager`).
//
//   intercom-bench paginate [--contacts=20000] [--per-page=150] [--prefetch=1] [--decode=typed|json]
//                           [--no-limiter] [--threading=any|one]
//   intercom-bench search-paginate [--contacts=20000] [--per-page=150] [--prefetch=1] [--no-limiter]
//                                  [--threading=any|one]
//
// Memory: the peak RSS is restarted (VmHWM via /proc/self/clear_refs) once the target is up, so
// `rss_growth_mb` is what the walk itself added. With the bundled server the process also holds
// the server's store; for the client's RSS alone, point --base-url at `intercom-bench serve`.
// allocs_per_page / allocs_per_item: allocation calls during the walk divided by page requests and
// by items (the bundled server's included when it runs in this process; "na" under sanitizers).
#include "intercom_bench/alloc_counter.hpp"
#include "intercom_bench/common.hpp"

#include <intercom/error.hpp>
#include <intercom/models/models.hpp>
#include <intercom/pagination/pager.hpp>
#include <intercom/search/query.hpp>

namespace intercom::bench {
namespace {

namespace asio = boost::asio;
namespace pg = intercom::pagination;

struct walk_stats {
    std::size_t items = 0;
    std::size_t requests = 0;
    std::size_t bytes_of_ids = 0;  // keeps the decoded items observable (the optimiser can't drop them)
};

result<models::contact> decode_contact(const boost::json::value& v) {
    models::contact c;
    if (!models::decode(v, c)) {
        error_info e{errc::decode_error};
        e.diag.message = "item is not a contact object";
        return e;
    }
    return c;
}

pg::listing contacts_listing(unsigned per_page) {
    pg::listing l;
    l.kind = pg::style::cursor;
    l.path = "/contacts";
    l.list_field = "data";
    l.per_page = per_page;
    return l;
}

// The item view of a typed pager: one `co_await next()` per contact.
asio::awaitable<walk_stats> walk_typed(client c, unsigned per_page, std::size_t prefetch) {
    pg::pager_options po;
    po.prefetch_depth = prefetch;
    auto pager = pg::make_pager<models::contact>(c, contacts_listing(per_page), &decode_contact, po);
    walk_stats s;
    for (;;) {
        auto item = co_await pager.next();
        if (!item) throw api_error(item.error());
        if (!*item) break;
        ++s.items;
        if ((*item)->id) s.bytes_of_ids += (*item)->id->str().size();
    }
    s.requests = pager.raw().fetches();
    co_return s;
}

asio::awaitable<walk_stats> walk_json(client c, unsigned per_page, std::size_t prefetch) {
    pg::pager_options po;
    po.prefetch_depth = prefetch;
    auto pager = pg::make_json_pager(c, contacts_listing(per_page), po);
    walk_stats s;
    for (;;) {
        auto item = co_await pager.next();
        if (!item) throw api_error(item.error());
        if (!*item) break;
        ++s.items;
        s.bytes_of_ids += (**item).at("id").as_string().size();
    }
    s.requests = pager.raw().fetches();
    co_return s;
}

// role = user OR role = lead: every contact, so the count can be checked against the seed.
asio::awaitable<walk_stats> walk_search(client c, unsigned per_page, std::size_t prefetch) {
    using namespace intercom::search;
    search_request req{field("role") == "user" || field("role") == "lead", per_page, std::nullopt, std::nullopt};
    pg::pager_options po;
    po.prefetch_depth = prefetch;
    auto pager = pg::make_search_pager(std::make_shared<pg::client_page_source>(c), object_kind::contacts, req, po);
    if (!pager) throw api_error(pager.error());
    walk_stats s;
    for (;;) {
        auto item = co_await pager->next();
        if (!item) throw api_error(item.error());
        if (!*item) break;
        ++s.items;
        s.bytes_of_ids += (**item).at("id").as_string().size();
    }
    s.requests = pager->raw().fetches();
    co_return s;
}

int run_walk(const args& a, bool search) {
    auto topts = parse_target(a, 20000);
    auto per_page = static_cast<unsigned>(a.get_int("per-page", 150));
    auto prefetch = static_cast<std::size_t>(a.get_int("prefetch", 1));
    auto decode = search ? std::string("json") : a.get("decode", "typed");
    if (decode != "typed" && decode != "json") throw std::invalid_argument("--decode must be typed or json");
    runtime rt(static_cast<unsigned>(a.get_int("threads", 1)));
    client_tuning tune;
    parse_hot_path_flags(a, rt.threads(), tune);
    reject_unknown_flags(a);

    target t(topts);
    auto c = make_client(rt.executor(), t, tune);
    allocation_counting_available();  // runs the self-check outside the measured phase
    reset_peak_rss();
    double rss_start = current_rss_mb();
    auto allocs0 = allocation_count();
    double cpu0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    walk_stats s = search          ? rt.run(walk_search(c, per_page, prefetch))
                   : decode == "typed" ? rt.run(walk_typed(c, per_page, prefetch))
                                       : rt.run(walk_json(c, per_page, prefetch));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double peak = peak_rss_mb();
    double cpu = process_cpu_seconds() - cpu0;
    auto allocs = allocation_count() - allocs0;
    const char* cpu_key = t.bundled() ? "process_cpu_seconds" : "client_cpu_seconds";
    const char* op = search ? "search-paginate" : "paginate";

    table(std::string(op) + " (" + t.scheme() + ", " + decode + ")")
        .row("server", t.base_url())
        .row("items", std::uint64_t(s.items))
        .row("page requests", std::uint64_t(s.requests))
        .row("per page", std::uint64_t(per_page))
        .row("prefetch depth", std::uint64_t(prefetch))
        .row("rate limiter", std::string(tune.rate_limiting ? "on" : "off"))
        .row("transport threading", threading_name(tune))
        .row("seconds", secs, 3)
        .row("items per second", static_cast<double>(s.items) / secs, 0)
        .row("RSS at start (MiB)", rss_start, 1)
        .row("peak RSS (MiB)", peak, 1)
        .row(t.bundled() ? "process CPU seconds (incl. server)" : "client CPU seconds", cpu, 3)
        .row("peak RSS growth (MiB)", peak - rss_start, 1)
        .row(t.bundled() ? "allocations per page (incl. server)" : "allocations per page", allocs_per(allocs, s.requests))
        .row(t.bundled() ? "allocations per item (incl. server)" : "allocations per item", allocs_per(allocs, s.items))
        .print();
    result_line line("intercom-cpp", op);
    line
        .add("scheme", t.scheme())
        .add("seconds", secs)
        .add("items", std::uint64_t(s.items))
        .add("requests", std::uint64_t(s.requests))
        .add("decode", decode)
        .add("prefetch", std::uint64_t(prefetch))
        .add(cpu_key, cpu)
        .add("peak_rss_mb", peak, 1)
        .add("rss_growth_mb", peak - rss_start, 1)
        .add("allocs_per_page", allocs_per(allocs, s.requests))
        .add("allocs_per_item", allocs_per(allocs, s.items));
    add_hot_path_keys(line, tune).print();
    if (t.bundled() && s.items != topts.server.seed.contacts)
        return fail(std::string(op) + ": expected " + std::to_string(topts.server.seed.contacts) + " items, got " +
                    std::to_string(s.items));
    return 0;
}

int run_paginate(const args& a) { return run_walk(a, false); }
int run_search_paginate(const args& a) { return run_walk(a, true); }

}  // namespace

INTERCOM_BENCH_WORKLOAD("paginate", "every contact via the typed cursor pager (--contacts --per-page --prefetch --decode --no-limiter --threading)",
                        run_paginate);
INTERCOM_BENCH_WORKLOAD("search-paginate", "every contact via a validated search pager (--contacts --per-page --no-limiter --threading)",
                        run_search_paginate);

}  // namespace intercom::bench
