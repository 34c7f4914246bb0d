// The I/O side of the pagers, against in-memory page sources that count every request.
#include "fake_source.hpp"

#include <intercom/pagination/pager.hpp>

#include <run_coro.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

using namespace intercom;
using namespace intercom::pagination;
using intercom::test::fake_source;
using intercom::test::serve_style;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

using awaitable_ids = asio::awaitable<result<std::vector<std::string>>>;

std::string id_of(const json::value& v) { return std::string(v.at("id").as_string()); }

listing cursor_listing(unsigned per_page) {
    listing l;
    l.kind = style::cursor;
    l.path = "/contacts";
    l.per_page = per_page;
    return l;
}

// Drains a pager with the item view.
awaitable_ids drain(pager<json::value>* p) {
    std::vector<std::string> ids;
    for (;;) {
        auto r = co_await p->next();
        if (!r) co_return r.error();
        if (!*r) co_return ids;
        ids.push_back(id_of(**r));
    }
}

std::vector<std::string> expected_ids(std::size_t from, std::size_t to) {
    std::vector<std::string> v;
    for (std::size_t i = from; i < to; ++i) v.push_back(intercom::test::make_id(i));
    return v;
}

pager<json::value> json_pager(std::shared_ptr<page_source> src, listing l, pager_options o = {}) {
    return pager<json::value>(raw_pager(std::move(src), std::move(l), std::move(o)), &decode_json);
}

} // namespace

BOOST_AUTO_TEST_SUITE(pager_io)

BOOST_AUTO_TEST_CASE(cursor_20000_items_at_150_is_134_requests) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(20000), serve_style::cursor);
    auto p = json_pager(src, cursor_listing(150));
    auto ids = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(ids);
    BOOST_TEST(ids->size() == 20000u);
    BOOST_TEST(std::set<std::string>(ids->begin(), ids->end()).size() == 20000u);
    BOOST_TEST((*ids == expected_ids(0, 20000)));  // in order
    BOOST_TEST(src->c.fetches == 134u);
    BOOST_TEST(p.raw().fetches() == 134u);
    BOOST_TEST((p.raw().fsm().reason() == end_reason::no_next));
    // The cursor of page k is the one page k-1 announced.
    BOOST_TEST(test::query_value(src->requests[1], "starting_after") == "o150");
    BOOST_TEST(test::query_value(src->requests[133], "per_page") == "150");
}

BOOST_AUTO_TEST_CASE(cursor_ending_with_null_next) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(300), serve_style::cursor);
    src->end = test::end_shape::null;
    auto p = json_pager(src, cursor_listing(100));
    auto ids = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(ids);
    BOOST_TEST(ids->size() == 300u);
    BOOST_TEST(src->c.fetches == 3u);  // exact multiple: still no request for an empty 4th page
}

BOOST_AUTO_TEST_CASE(page_number_with_total_pages_spends_no_extra_request) {
    for (bool total : {true, false}) {
        asio::io_context ioc;
        auto src = std::make_shared<fake_source>(intercom::test::make_dataset(1000), serve_style::page_number);
        src->send_total_pages = total;  // without it, the null `next` of the last page stops
        listing l;
        l.kind = style::page_number;
        l.path = "/companies";
        l.per_page = 100;
        auto p = json_pager(src, l);
        auto ids = intercom::test::run_coro(ioc, drain(&p));
        BOOST_REQUIRE(ids);
        BOOST_TEST((*ids == expected_ids(0, 1000)));
        BOOST_TEST(src->c.fetches == 10u);
        BOOST_TEST(test::query_value(src->requests[9], "page") == "10");
        BOOST_TEST((p.raw().fsm().reason() == (total ? end_reason::total_pages_reached : end_reason::no_next)));
    }
}

BOOST_AUTO_TEST_CASE(search_pages_carry_the_cursor_in_the_body) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(250), serve_style::search);
    search::search_request req{search::field("created_at") > 1, 100u, std::nullopt, std::nullopt};
    auto p = make_search_pager(src, search::object_kind::contacts, req);
    BOOST_REQUIRE(p);
    auto ids = intercom::test::run_coro(ioc, drain(&*p));
    BOOST_REQUIRE(ids);
    BOOST_TEST(ids->size() == 250u);
    BOOST_TEST(src->c.fetches == 3u);
    // Regression for the SDKs that re-send page 1 forever: every body differs.
    BOOST_REQUIRE(src->requests.size() == 3u);
    BOOST_TEST(*src->requests[0].body != *src->requests[1].body);
    BOOST_TEST(*src->requests[1].body != *src->requests[2].body);
    auto b2 = json::parse(*src->requests[1].body);
    BOOST_TEST(b2.at("pagination").at("starting_after") == json::value("o100"));
    BOOST_TEST(src->requests[1].path == "/contacts/search");
    BOOST_TEST((src->requests[1].method == boost::beast::http::verb::post));
}

BOOST_AUTO_TEST_CASE(invalid_search_fails_before_any_request) {
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(10), serve_style::search);
    std::vector<search::expr> many;
    for (int i = 0; i < 16; ++i) many.push_back(search::field("owner_id") == i);
    const std::vector<search::expr> bad = {
        search::field("created_at") >= 5,                                          // operator for the type
        search::any_of(many),                                                       // too many filters
        search::all_of({search::any_of({search::all_of({search::field("role") == "user"})})}),  // too deep
        search::field("nope") == "x",                                               // unknown field
    };
    for (const auto& q : bad) {
        auto p = make_search_pager(src, search::object_kind::contacts, {q, 50u, std::nullopt, std::nullopt});
        BOOST_REQUIRE(!p);
        BOOST_TEST(p.error().code == make_error_code(errc::invalid_query));
        BOOST_TEST(!p.error().diag.message.empty());
    }
    BOOST_TEST(src->c.fetches == 0u);
}

BOOST_AUTO_TEST_CASE(scroll_stops_on_empty_page_and_holds_one_scroll_per_key) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(120), serve_style::scroll);
    listing l;
    l.kind = style::scroll;
    l.path = "/companies/scroll";
    pager_options o;
    o.scroll_lock_key = "workspace-1";
    auto p = json_pager(src, l, o);
    // While p is open, a second scroll on the same workspace is refused before any request.
    auto first = intercom::test::run_coro(ioc, p.next());
    BOOST_REQUIRE(first);
    auto other_src = std::make_shared<fake_source>(intercom::test::make_dataset(5), serve_style::scroll);
    {
        auto q = json_pager(other_src, l, o);
        auto r = intercom::test::run_coro(ioc, q.next());
        BOOST_REQUIRE(!r);
        BOOST_TEST(r.error().code == make_error_code(errc::invalid_argument));
        BOOST_TEST(r.error().diag.message.find("scroll is already open") != std::string::npos);
        BOOST_TEST(other_src->c.fetches == 0u);
    }
    auto rest = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(rest);
    BOOST_TEST(rest->size() + 1 == 120u);
    BOOST_TEST(src->c.fetches == 4u);  // 50 + 50 + 20 + the empty page that ends a scroll
    BOOST_TEST(test::query_value(src->requests[0], "scroll_param").empty());
    BOOST_TEST(test::query_value(src->requests[3], "scroll_param") == "scroll-1");
    BOOST_TEST((p.raw().fsm().reason() == end_reason::empty_page));
    // The lock was released at the end of the scroll.
    auto q2 = json_pager(other_src, l, o);
    auto ids2 = intercom::test::run_coro(ioc, drain(&q2));
    BOOST_REQUIRE(ids2);
    BOOST_TEST(ids2->size() == 5u);
}

BOOST_AUTO_TEST_CASE(scroll_lock_released_by_destroying_the_pager) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(120), serve_style::scroll);
    listing l;
    l.kind = style::scroll;
    l.path = "/companies/scroll";
    pager_options o;
    o.scroll_lock_key = "workspace-2";
    {
        auto p = json_pager(src, l, o);
        BOOST_REQUIRE(intercom::test::run_coro(ioc, p.next()));
    }
    auto q = json_pager(src, l, o);
    BOOST_TEST(intercom::test::run_coro(ioc, q.next()).has_value());
}

BOOST_AUTO_TEST_CASE(expired_scroll_fails_or_restarts) {
    listing l;
    l.kind = style::scroll;
    l.path = "/companies/scroll";
    {
        asio::io_context ioc;
        auto src = std::make_shared<fake_source>(intercom::test::make_dataset(200), serve_style::scroll);
        src->expire_scroll_at = 3;
        auto p = json_pager(src, l);
        auto r = intercom::test::run_coro(ioc, drain(&p));
        BOOST_REQUIRE(!r);
        BOOST_TEST(r.error().code == make_error_code(errc::scroll_expired));
        BOOST_TEST(r.error().diag.cause == make_error_code(errc::not_found));
        BOOST_TEST(r.error().diag.http_status == 404u);
        BOOST_TEST(src->c.fetches == 3u);
        auto after = intercom::test::run_coro(ioc, p.next());
        BOOST_TEST((after && !*after));  // the error ended the walk
        BOOST_TEST(src->c.fetches == 3u);
    }
    {
        asio::io_context ioc;
        auto src = std::make_shared<fake_source>(intercom::test::make_dataset(200), serve_style::scroll);
        src->expire_scroll_at = 3;
        pager_options o;
        o.on_scroll_expired = scroll_expiry::restart;
        auto p = json_pager(src, l, o);
        std::size_t pages = 0, items = 0, restarted_at = 0;
        for (;;) {
            auto pg = intercom::test::run_coro(ioc, p.next_page());
            BOOST_REQUIRE(pg);
            if (!*pg) break;
            ++pages;
            items += (*pg)->items.size();
            if ((*pg)->restarted) restarted_at = pages;
        }
        BOOST_TEST(restarted_at == 3u);   // the page after the failed request starts over
        BOOST_TEST(items == 100u + 200u); // two pages before the expiry, then the full scroll
        BOOST_TEST(src->c.fetches == 2u + 1u + 5u);
        BOOST_TEST(test::query_value(src->requests[3], "scroll_param").empty());  // restarted from scratch
    }
}

BOOST_AUTO_TEST_CASE(next_url_is_followed_with_path_and_query) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(250), serve_style::next_url);
    listing l;
    l.kind = style::next_url;
    l.path = "/events";
    l.query = {{"type", "user"}, {"user_id", "u1"}};
    l.list_field = "events";
    auto p = json_pager(src, l);
    auto ids = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(ids);
    BOOST_TEST((*ids == expected_ids(0, 250)));
    BOOST_TEST(src->c.fetches == 3u);
    BOOST_TEST(src->requests[2].path == "/events");
    BOOST_TEST(test::query_value(src->requests[2], "page_token") == "200");
    BOOST_TEST(test::query_value(src->requests[2], "user_id") == "u1");
}

BOOST_AUTO_TEST_CASE(single_page_is_one_request) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(42), serve_style::single_page);
    listing l;
    l.kind = style::single_page;
    l.path = "/tags";
    auto p = json_pager(src, l);
    auto ids = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(ids);
    BOOST_TEST(ids->size() == 42u);
    BOOST_TEST(src->c.fetches == 1u);
}

BOOST_AUTO_TEST_CASE(nested_list_field) {
    asio::io_context ioc;
    auto src = std::make_shared<test::scripted_source>(std::vector<json::value>{
        json::parse(R"({"type":"list","data":{"articles":[{"id":"1"},{"id":"2"}],"highlights":[]},
                        "pages":{"page":1,"total_pages":1}})")});
    listing l;
    l.kind = style::page_number;
    l.path = "/articles/search";
    l.list_field = "data.articles";
    auto p = json_pager(src, l);
    auto ids = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(ids);
    BOOST_TEST(ids->size() == 2u);
    BOOST_TEST(src->requests.size() == 1u);
}

BOOST_AUTO_TEST_CASE(stuck_cursor_guard_fires_on_a_scripted_repeating_cursor) {
    asio::io_context ioc;
    std::vector<json::value> bodies;
    for (const char* c : {"A", "B", "A", "B"})
        bodies.push_back(json::object{
            {"data", json::array{json::object{{"id", std::string("x") + c + std::to_string(bodies.size())}}}},
            {"pages", json::object{{"next", json::object{{"starting_after", c}}}}}});
    auto src = std::make_shared<test::scripted_source>(bodies);
    auto p = json_pager(src, cursor_listing(1));
    auto r = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == make_error_code(errc::pagination_stuck));
    BOOST_TEST(src->requests.size() == 3u);  // start, A, B; the third page announces A again
    auto after = intercom::test::run_coro(ioc, p.next());
    BOOST_TEST((after && !*after));
    BOOST_TEST(src->requests.size() == 3u);
}

BOOST_AUTO_TEST_CASE(same_page_again_is_stuck) {
    asio::io_context ioc;
    std::vector<json::value> bodies;
    for (int i = 0; i < 5; ++i)
        bodies.push_back(json::parse(R"({"data":[{"id":"1"},{"id":"2"}],"pages":{"next":{"starting_after":"c)" +
                                     std::to_string(i) + R"("}}})"));
    auto src = std::make_shared<test::scripted_source>(bodies);
    auto p = json_pager(src, cursor_listing(2));
    auto r = intercom::test::run_coro(ioc, drain(&p));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == make_error_code(errc::pagination_stuck));
    BOOST_TEST(src->requests.size() == 2u);
}

BOOST_AUTO_TEST_CASE(breaking_early_leaves_no_request_in_flight) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(1000), serve_style::cursor);
    // Page 1 answers at once; page 2 (the prefetch) would take 10 s unless cancelled.
    src->latency = std::chrono::milliseconds(10000);
    src->slow_from = 2;
    {
        auto p = json_pager(src, cursor_listing(150));
        for (int i = 0; i < 3; ++i) {
            auto r = intercom::test::run_coro(ioc, p.next());
            BOOST_REQUIRE((r && *r));
        }
        // The prefetch of page 2 is in flight now.
        BOOST_TEST(src->c.fetches == 2u);
        BOOST_TEST(src->c.in_flight == 1u);
    }
    // Let the cancelled operations unwind (well before the 10 s latency).
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(50));
    BOOST_TEST(src->c.in_flight == 0u);
    BOOST_TEST(src->c.cancelled == 1u);
    BOOST_TEST(src->c.completed == 1u);
    BOOST_TEST(src->c.fetches == 2u);  // nothing new was started after the pager died
}

BOOST_AUTO_TEST_CASE(resume_from_a_saved_point_continues_exactly) {
    asio::io_context ioc;
    auto data = intercom::test::make_dataset(1000);
    auto src = std::make_shared<fake_source>(data, serve_style::cursor);
    std::optional<resume_point> saved;
    std::vector<std::string> seen;
    {
        auto p = json_pager(src, cursor_listing(150));
        for (int i = 0; i < 170; ++i) {  // into the second page
            auto r = intercom::test::run_coro(ioc, p.next());
            BOOST_REQUIRE((r && *r));
            seen.push_back(id_of(**r));
        }
        saved = p.resume();
    }
    BOOST_REQUIRE(saved);
    BOOST_TEST(*saved->at.starting_after == "o150");
    BOOST_TEST(saved->skip == 20u);
    auto src2 = std::make_shared<fake_source>(data, serve_style::cursor);
    pager_options o;
    o.start = saved->at;
    o.skip_items = saved->skip;
    auto q = json_pager(src2, cursor_listing(150), o);
    auto rest = intercom::test::run_coro(ioc, drain(&q));
    BOOST_REQUIRE(rest);
    seen.insert(seen.end(), rest->begin(), rest->end());
    BOOST_TEST((seen == expected_ids(0, 1000)));
    BOOST_TEST(src2->c.fetches == 6u);  // pages 2..7 only
    BOOST_TEST(!q.resume());            // complete

    // Page-level resume from a page's `next`.
    auto src3 = std::make_shared<fake_source>(data, serve_style::cursor);
    auto r3 = json_pager(src3, cursor_listing(150));
    auto pg = intercom::test::run_coro(ioc, r3.next_page());
    BOOST_REQUIRE((pg && *pg && (*pg)->next));
    pager_options o4;
    o4.start = *(*pg)->next;
    auto r4 = json_pager(src3, cursor_listing(150), o4);
    auto pg4 = intercom::test::run_coro(ioc, r4.next_page());
    BOOST_REQUIRE((pg4 && *pg4));
    BOOST_TEST(id_of((*pg4)->items.front()) == intercom::test::make_id(150));
}

BOOST_AUTO_TEST_CASE(limits_end_the_walk_without_extra_requests) {
    asio::io_context ioc;
    auto data = intercom::test::make_dataset(1000);
    {
        auto src = std::make_shared<fake_source>(data, serve_style::cursor);
        pager_options o;
        o.limits.max_items = 160;
        auto p = json_pager(src, cursor_listing(150), o);
        auto ids = intercom::test::run_coro(ioc, drain(&p));
        BOOST_REQUIRE(ids);
        BOOST_TEST((*ids == expected_ids(0, 160)));
        BOOST_TEST(src->c.fetches == 2u);
        auto rp = p.resume();  // resumes inside the cut page
        BOOST_REQUIRE(rp);
        BOOST_TEST(*rp->at.starting_after == "o150");
        BOOST_TEST(rp->skip == 10u);
    }
    {
        auto src = std::make_shared<fake_source>(data, serve_style::cursor);
        pager_options o;
        o.limits.max_pages = 3;
        auto p = json_pager(src, cursor_listing(100), o);
        auto ids = intercom::test::run_coro(ioc, drain(&p));
        BOOST_REQUIRE(ids);
        BOOST_TEST(ids->size() == 300u);
        BOOST_TEST(src->c.fetches == 3u);
    }
}

BOOST_AUTO_TEST_CASE(request_options_apply_to_every_page) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(500), serve_style::cursor);
    auto l = cursor_listing(100);
    l.options.version = "2.11";
    l.options.headers = {{"X-Trace-Id", "t-1"}};
    l.options.max_attempts = 2;
    l.query = {{"filter", "keep"}};
    auto p = json_pager(src, l);
    BOOST_REQUIRE(intercom::test::run_coro(ioc, drain(&p)));
    BOOST_TEST(src->requests.size() == 5u);
    for (const auto& r : src->requests) {
        BOOST_TEST(*r.options.version == "2.11");
        BOOST_TEST(r.options.headers.at(0).second == "t-1");
        BOOST_TEST(*r.options.max_attempts == 2u);
        BOOST_TEST(test::query_value(r, "filter") == "keep");
    }
}

BOOST_AUTO_TEST_CASE(first_error_ends_the_sequence_with_diagnostics) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(1000), serve_style::cursor);
    src->fail_at = 3;
    auto p = json_pager(src, cursor_listing(100));
    std::size_t got = 0;
    result<std::optional<json::value>> r = std::optional<json::value>{};
    for (;;) {
        r = intercom::test::run_coro(ioc, p.next());
        if (!r || !*r) break;
        ++got;
    }
    BOOST_REQUIRE(!r);
    BOOST_TEST(got == 200u);  // both good pages were delivered before the error
    BOOST_TEST(r.error().code == make_error_code(errc::internal_server_error));
    BOOST_TEST(r.error().diag.http_status == 500u);
    BOOST_TEST(r.error().diag.request_id == "req-500");
    BOOST_TEST(r.error().diag.message.find("scripted server error") != std::string::npos);
    BOOST_TEST(r.error().diag.message.find("page 2 at starting_after=o200") != std::string::npos,
               r.error().diag.message);
    auto after = intercom::test::run_coro(ioc, p.next());
    BOOST_TEST((after && !*after));
    BOOST_TEST(src->c.fetches == 3u);
}

BOOST_AUTO_TEST_CASE(decoder_errors_name_the_item) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(10), serve_style::cursor);
    item_decoder<std::string> dec = [](const json::value& v) -> result<std::string> {
        if (v.at("id") == json::value("c000004")) {
            error_info e{errc::decode_error};
            e.diag.message = "bad contact";
            return e;
        }
        return std::string(v.at("id").as_string());
    };
    pager<std::string> p(raw_pager(src, cursor_listing(50)), dec);
    for (int i = 0; i < 4; ++i) BOOST_TEST(intercom::test::run_coro(ioc, p.next()).has_value());
    auto r = intercom::test::run_coro(ioc, p.next());
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == make_error_code(errc::decode_error));
    BOOST_TEST(r.error().diag.message.find("item 4 of page 0") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Prefetch: shown by instrumentation (which request was made before which page was consumed).

namespace {

struct consumer_log {
    std::vector<std::size_t> pages_received_at_request;  // unused slot per request
    std::size_t max_ahead = 0;                            // requests made minus pages received
};

asio::awaitable<result<std::size_t>> consume_pages(pager<json::value>* p, fake_source* src, consumer_log* log) {
    std::size_t received = 0;
    for (;;) {
        auto pg = co_await p->next_page();
        if (!pg) co_return pg.error();
        if (!*pg) co_return received;
        ++received;
        log->max_ahead = std::max(log->max_ahead, src->c.fetches - received);
        // "Process" the page: yield a few times so background work can run.
        for (int i = 0; i < 5; ++i) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        log->max_ahead = std::max(log->max_ahead, src->c.fetches - received);
        src->consumed = received;
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(prefetch)

BOOST_AUTO_TEST_CASE(next_page_is_requested_before_the_current_one_is_consumed) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(1000), serve_style::cursor);
    auto p = json_pager(src, cursor_listing(100));
    consumer_log log;
    auto n = intercom::test::run_coro(ioc, consume_pages(&p, src.get(), &log));
    BOOST_REQUIRE(n);
    BOOST_TEST(*n == 10u);
    BOOST_TEST(src->c.fetches == 10u);
    // Request k (0-based) fetches page k+1; with prefetch it arrives while page k (1-based) is
    // still being processed, i.e. when only k-1 pages were consumed.
    for (std::size_t k = 1; k < src->consumed_at_request.size(); ++k)
        BOOST_TEST(src->consumed_at_request[k] == k - 1, "request " << k);
    BOOST_TEST(log.max_ahead == 1u);  // memory bound: depth 1
}

BOOST_AUTO_TEST_CASE(prefetch_depth_bounds_pages_in_memory) {
    for (std::size_t depth : {0u, 1u, 3u}) {
        asio::io_context ioc;
        auto src = std::make_shared<fake_source>(intercom::test::make_dataset(2000), serve_style::cursor);
        pager_options o;
        o.prefetch_depth = depth;
        auto p = json_pager(src, cursor_listing(100), o);
        consumer_log log;
        auto n = intercom::test::run_coro(ioc, consume_pages(&p, src.get(), &log));
        BOOST_REQUIRE(n);
        BOOST_TEST(*n == 20u);
        BOOST_TEST(src->c.fetches == 20u);
        BOOST_TEST(log.max_ahead == depth, "depth " << depth);
        if (depth == 0) {
            for (std::size_t k = 0; k < src->consumed_at_request.size(); ++k)
                BOOST_TEST(src->consumed_at_request[k] == k);  // strictly on demand
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Through a real intercom::client over a fake http::transport.

namespace {

class list_transport : public http::transport {
public:
    explicit list_transport(asio::any_io_executor ex) : ex_(std::move(ex)) {}
    std::vector<http::request> seen;

    asio::awaitable<result<http::response>> send(http::origin, http::request req, http::send_options) override {
        seen.push_back(req);
        auto u = boost::urls::parse_origin_form(req.target);
        std::size_t off = 0;
        for (auto p : u->params())
            if (p.key == "starting_after") off = std::stoul(p.value);
        json::array data;
        for (std::size_t i = off; i < std::min<std::size_t>(off + 2, 5); ++i)
            data.push_back(json::object{{"id", std::to_string(i)}});
        json::object body{{"type", "list"}, {"data", data}};
        if (off + 2 < 5)
            body["pages"] = json::object{{"next", json::object{{"starting_after", std::to_string(off + 2)}}}};
        http::response res;
        res.status = 200;
        res.body = json::serialize(body);
        co_return res;
    }
    asio::any_io_executor get_executor() override { return ex_; }

private:
    asio::any_io_executor ex_;
};

} // namespace

BOOST_AUTO_TEST_CASE(pager_over_client_execute) {
    asio::io_context ioc;
    auto t = std::make_shared<list_transport>(ioc.get_executor());
    client_options co;
    co.token = "tok";
    co.base_url = "http://127.0.0.1:1";
    client c(t, co);
    listing l = cursor_listing(2);
    l.options.headers = {{"X-Trace-Id", "abc"}};
    auto p = make_json_pager(c, l);
    std::vector<std::string> ids;
    for (;;) {
        auto r = intercom::test::run_coro(ioc, p.next());
        BOOST_REQUIRE(r);
        if (!*r) break;
        ids.push_back(std::string((*r)->at("id").as_string()));
    }
    BOOST_TEST((ids == std::vector<std::string>{"0", "1", "2", "3", "4"}));
    BOOST_REQUIRE(t->seen.size() == 3u);
    BOOST_TEST(t->seen[0].target == "/contacts?per_page=2");
    BOOST_TEST(t->seen[2].target == "/contacts?per_page=2&starting_after=4");
    for (const auto& r : t->seen) BOOST_TEST(r.headers["X-Trace-Id"] == "abc");
}
