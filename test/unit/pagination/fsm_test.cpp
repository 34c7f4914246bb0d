// The pure pagination logic: pages decoding, stop rules, guards and limits, without any I/O.
#include <intercom/pagination/fsm.hpp>
#include <intercom/pagination/listing.hpp>
#include <intercom/pagination/pages.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace intercom;
using namespace intercom::pagination;
namespace json = boost::json;

namespace {

json::value j(const char* s) { return json::parse(s); }

page_summary items(std::size_t n, std::string first = "a", std::string last = "z") {
    return page_summary{n, n ? first : "", n ? last : ""};
}

// Unique ids per call so the "same page again" guard stays quiet unless a test wants it.
page_summary fresh(std::size_t n) {
    static int k = 0;
    ++k;
    return items(n, "f" + std::to_string(k), "l" + std::to_string(k));
}

} // namespace

BOOST_AUTO_TEST_SUITE(pages_decoding)

BOOST_AUTO_TEST_CASE(next_as_object) {
    auto p = decode_pages(j(R"({"pages":{"type":"pages","page":1,"per_page":"50","total_pages":4,
                                          "next":{"page":2,"starting_after":"WzE3MF0="}},"total_count":"170"})"));
    BOOST_REQUIRE(p);
    BOOST_TEST(p->present);
    BOOST_TEST((p->next == next_shape::object));
    BOOST_TEST(*p->next_starting_after == "WzE3MF0=");
    BOOST_TEST(*p->next_page == 2);
    BOOST_TEST(*p->per_page == 50);  // string accepted
    BOOST_TEST(*p->total_pages == 4);
    BOOST_TEST(*p->total_count == 170);
}

BOOST_AUTO_TEST_CASE(next_as_url_null_absent) {
    auto u = decode_pages(j(R"({"pages":{"next":"https://api.intercom.io/companies?per_page=50&page=2","per_page":50}})"));
    BOOST_REQUIRE(u);
    BOOST_TEST((u->next == next_shape::url));
    BOOST_TEST(u->next_url == "https://api.intercom.io/companies?per_page=50&page=2");
    auto n = decode_pages(j(R"({"pages":{"next":null,"page":3,"total_pages":3}})"));
    BOOST_REQUIRE(n);
    BOOST_TEST((n->next == next_shape::null));
    auto a = decode_pages(j(R"({"pages":{"page":1}})"));
    BOOST_REQUIRE(a);
    BOOST_TEST((a->next == next_shape::absent));
    auto none = decode_pages(j(R"({"data":[]})"));
    BOOST_REQUIRE(none);
    BOOST_TEST(!none->present);
    auto nullpages = decode_pages(j(R"({"data":[],"pages":null,"scroll_param":"abc"})"));
    BOOST_REQUIRE(nullpages);
    BOOST_TEST(!nullpages->present);
    BOOST_TEST(*nullpages->scroll_param == "abc");
    auto empty_str = decode_pages(j(R"({"pages":{"next":""}})"));
    BOOST_TEST((empty_str->next == next_shape::null));
}

BOOST_AUTO_TEST_CASE(bad_shapes_are_decode_errors) {
    for (const char* s : {R"({"pages":[]})", R"({"pages":{"next":5}})", R"({"pages":{"next":{"starting_after":7}}})",
                          R"({"scroll_param":12})"}) {
        auto r = decode_pages(j(s));
        BOOST_TEST(!r, s);
        if (!r) BOOST_TEST(r.error().code == make_error_code(errc::decode_error));
    }
    BOOST_TEST(!lenient_int(j(R"("12a")")));
    BOOST_TEST(*lenient_int(j("3.0")) == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fsm_stop_rules)

BOOST_AUTO_TEST_CASE(cursor_follows_object_and_stops_on_null_absent_or_missing_pages) {
    for (const char* last : {R"({"pages":{"next":null}})", R"({"pages":{"page":2}})", R"({})",
                             R"({"pages":{"next":{"page":3}}})"}) {
        pager_fsm f(style::cursor);
        BOOST_TEST((*f.pending() == position{}));
        auto o = f.on_page(j(R"({"pages":{"next":{"page":2,"starting_after":"c2"}}})"), fresh(10));
        BOOST_REQUIRE(o);
        BOOST_TEST((o->reason == end_reason::more));
        BOOST_TEST(*f.pending()->starting_after == "c2");
        auto o2 = f.on_page(j(last), fresh(10));
        BOOST_REQUIRE(o2);
        BOOST_TEST(f.done(), last);
        BOOST_TEST((o2->reason == end_reason::no_next));
        BOOST_TEST(!o2->next);
        BOOST_TEST(f.pages_fetched() == 2u);
    }
}

BOOST_AUTO_TEST_CASE(url_next_is_followed_by_any_cursor_style) {
    for (auto s : {style::cursor, style::search, style::next_url}) {
        pager_fsm f(s);
        auto o = f.on_page(j(R"({"pages":{"next":"https://api.intercom.io/events?page_token=7"}})"), fresh(3));
        BOOST_REQUIRE(o);
        BOOST_TEST(*f.pending()->url == "https://api.intercom.io/events?page_token=7");
    }
}

BOOST_AUTO_TEST_CASE(empty_page_stops_even_with_next) {
    pager_fsm f(style::cursor);
    auto o = f.on_page(j(R"({"pages":{"next":{"starting_after":"c2"}}})"), items(0));
    BOOST_REQUIRE(o);
    BOOST_TEST(f.done());
    BOOST_TEST((o->reason == end_reason::empty_page));
}

BOOST_AUTO_TEST_CASE(page_number_stops_at_total_pages_or_null_next) {
    pager_fsm f(style::page_number, position{std::nullopt, 1});
    auto o1 = f.on_page(j(R"({"pages":{"page":1,"total_pages":2,"next":{"page":2}}})"), fresh(5));
    BOOST_REQUIRE(o1);
    BOOST_TEST(*f.pending()->page == 2);
    // total_pages reached: no request for page 3 even though `next` claims one.
    auto o2 = f.on_page(j(R"({"pages":{"page":2,"total_pages":2,"next":{"page":3}}})"), fresh(5));
    BOOST_REQUIRE(o2);
    BOOST_TEST((o2->reason == end_reason::total_pages_reached));
    BOOST_TEST(f.done());

    pager_fsm g(style::page_number);
    auto u = g.on_page(j(R"({"pages":{"page":1,"next":"https://api.intercom.io/companies?per_page=5&page=2"}})"), fresh(5));
    BOOST_REQUIRE(u);
    BOOST_TEST(*g.pending()->page == 2);  // the URL's page number, so our per_page and filters stay
    auto n = g.on_page(j(R"({"pages":{"page":2,"next":null}})"), fresh(5));
    BOOST_REQUIRE(n);
    BOOST_TEST((n->reason == end_reason::no_next));
    BOOST_TEST(g.done());
}

BOOST_AUTO_TEST_CASE(page_number_null_next_below_total_pages_continues) {
    // POST /companies/list answers `next: null` on every page; total_pages decides.
    pager_fsm f(style::page_number, position{std::nullopt, 1});
    auto o1 = f.on_page(j(R"({"pages":{"page":1,"total_pages":3,"next":null}})"), fresh(5));
    BOOST_REQUIRE(o1);
    BOOST_REQUIRE(f.pending());
    BOOST_TEST(*f.pending()->page == 2);
    auto o2 = f.on_page(j(R"({"pages":{"page":2,"total_pages":3}})"), fresh(5));
    BOOST_REQUIRE(o2);
    BOOST_TEST(*f.pending()->page == 3);
    auto o3 = f.on_page(j(R"({"pages":{"page":3,"total_pages":3,"next":null}})"), fresh(5));
    BOOST_REQUIRE(o3);
    BOOST_TEST((o3->reason == end_reason::total_pages_reached));
    BOOST_TEST(f.done());
}

BOOST_AUTO_TEST_CASE(page_number_must_increase) {
    pager_fsm f(style::page_number, position{std::nullopt, 3});
    auto o = f.on_page(j(R"({"pages":{"page":3,"next":{"page":3}}})"), fresh(5));
    BOOST_REQUIRE(!o);
    BOOST_TEST(o.error().code == make_error_code(errc::pagination_stuck));
    BOOST_TEST(f.done());
}

BOOST_AUTO_TEST_CASE(scroll_continues_with_same_param_and_stops_on_empty_page) {
    pager_fsm f(style::scroll);
    for (int i = 0; i < 3; ++i) {
        auto o = f.on_page(j(R"({"data":[],"scroll_param":"s-1","pages":null})"), fresh(50));
        BOOST_REQUIRE(o);
        BOOST_TEST(*f.pending()->scroll_param == "s-1");
    }
    auto last = f.on_page(j(R"({"data":[],"scroll_param":"s-1"})"), items(0));
    BOOST_REQUIRE(last);
    BOOST_TEST((last->reason == end_reason::empty_page));
    BOOST_TEST(f.done());
    pager_fsm g(style::scroll);
    auto none = g.on_page(j(R"({"data":[]})"), fresh(5));
    BOOST_TEST((none->reason == end_reason::no_next));
}

BOOST_AUTO_TEST_CASE(single_page_never_continues) {
    pager_fsm f(style::single_page);
    auto o = f.on_page(j(R"({"pages":{"next":{"starting_after":"x"}}})"), fresh(5));
    BOOST_REQUIRE(o);
    BOOST_TEST((o->reason == end_reason::single_page));
    BOOST_TEST(f.done());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fsm_guards_and_limits)

BOOST_AUTO_TEST_CASE(repeated_cursor_is_stuck) {
    pager_fsm f(style::cursor);
    BOOST_TEST(f.on_page(j(R"({"pages":{"next":{"starting_after":"A"}}})"), fresh(2)).has_value());
    BOOST_TEST(f.on_page(j(R"({"pages":{"next":{"starting_after":"B"}}})"), fresh(2)).has_value());
    auto o = f.on_page(j(R"({"pages":{"next":{"starting_after":"A"}}})"), fresh(2));
    BOOST_REQUIRE(!o);
    BOOST_TEST(o.error().code == make_error_code(errc::pagination_stuck));
    BOOST_TEST(o.error().diag.message.find("starting_after=A") != std::string::npos, o.error().diag.message);
    BOOST_TEST(f.done());
}

BOOST_AUTO_TEST_CASE(repeated_url_is_stuck) {
    pager_fsm f(style::next_url);
    BOOST_TEST(f.on_page(j(R"({"pages":{"next":"https://x/e?p=1"}})"), fresh(2)).has_value());
    auto o = f.on_page(j(R"({"pages":{"next":"https://x/e?p=1"}})"), fresh(2));
    BOOST_REQUIRE(!o);
    BOOST_TEST(o.error().code == make_error_code(errc::pagination_stuck));
}

BOOST_AUTO_TEST_CASE(page_that_does_not_advance_is_stuck) {
    // New cursors every time, but the same items: a server ignoring the cursor.
    pager_fsm f(style::search);
    BOOST_TEST(f.on_page(j(R"({"pages":{"next":{"starting_after":"A"}}})"), items(50, "c1", "c50")).has_value());
    auto o = f.on_page(j(R"({"pages":{"next":{"starting_after":"B"}}})"), items(50, "c1", "c50"));
    BOOST_REQUIRE(!o);
    BOOST_TEST(o.error().code == make_error_code(errc::pagination_stuck));
    BOOST_TEST(o.error().diag.message.find("repeats the previous page") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(max_items_cuts_and_keeps_resume_point) {
    pager_fsm f(style::cursor, {}, pager_limits{std::nullopt, 120});
    auto o1 = f.on_page(j(R"({"pages":{"next":{"starting_after":"A"}}})"), fresh(50));
    BOOST_TEST(o1->keep == 50u);
    auto o2 = f.on_page(j(R"({"pages":{"next":{"starting_after":"B"}}})"), fresh(50));
    BOOST_TEST(o2->keep == 50u);
    auto o3 = f.on_page(j(R"({"pages":{"next":{"starting_after":"C"}}})"), fresh(50));
    BOOST_TEST(o3->keep == 20u);
    BOOST_TEST((o3->reason == end_reason::max_items));
    BOOST_TEST(*o3->next->starting_after == "C");
    BOOST_TEST(f.done());
    BOOST_TEST(f.items_delivered() == 120u);
}

BOOST_AUTO_TEST_CASE(max_pages_and_skip_first) {
    pager_fsm f(style::cursor, position{std::string("X")}, pager_limits{2, std::nullopt}, 7);
    auto o1 = f.on_page(j(R"({"pages":{"next":{"starting_after":"A"}}})"), fresh(10));
    BOOST_TEST(o1->skip == 7u);
    BOOST_TEST(o1->keep == 3u);
    auto o2 = f.on_page(j(R"({"pages":{"next":{"starting_after":"B"}}})"), fresh(10));
    BOOST_TEST(o2->skip == 0u);
    BOOST_TEST((o2->reason == end_reason::max_pages));
    BOOST_TEST(f.done());
    pager_fsm zero(style::cursor, {}, pager_limits{0, std::nullopt});
    BOOST_TEST(zero.done());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(request_building)

BOOST_AUTO_TEST_CASE(cursor_page_scroll_url_and_search_requests) {
    listing l;
    l.path = "/contacts";
    l.per_page = 150;
    l.query = {{"role", "user"}};
    l.options.headers = {{"X-Trace", "1"}};
    auto r = build_request(l, position{std::string("c9")});
    BOOST_TEST((r.query == query_params{{"role", "user"}, {"per_page", "150"}, {"starting_after", "c9"}}));
    BOOST_TEST(r.options.headers.size() == 1u);
    BOOST_TEST(!r.body);

    l.kind = style::page_number;
    r = build_request(l, position{std::nullopt, 3});
    BOOST_TEST((r.query == query_params{{"role", "user"}, {"page", "3"}, {"per_page", "150"}}));

    l.kind = style::scroll;
    l.path = "/companies/scroll";
    l.per_page.reset();
    l.query.clear();
    r = build_request(l, position{std::nullopt, std::nullopt, std::string("s1")});
    BOOST_TEST((r.query == query_params{{"scroll_param", "s1"}}));

    l.kind = style::next_url;
    r = build_request(l, position{std::nullopt, std::nullopt, std::nullopt,
                                  std::string("https://elsewhere.example/events?type=user&page_token=a%20b")});
    BOOST_TEST(r.path == "/events");
    BOOST_TEST((r.query == query_params{{"type", "user"}, {"page_token", "a b"}}));

    auto sl = search_listing(search::object_kind::contacts,
                             search::search_request{search::field("role") == "user", 25u, std::nullopt, std::nullopt});
    BOOST_REQUIRE(sl);
    BOOST_TEST(sl->path == "/contacts/search");
    auto p1 = build_request(*sl, position{});
    auto p2 = build_request(*sl, position{std::string("WzE3MF0=")});
    BOOST_TEST(json::parse(*p1.body) == j(R"({"query":{"field":"role","operator":"=","value":"user"},
                                               "pagination":{"per_page":25}})"));
    BOOST_TEST(json::parse(*p2.body) == j(R"({"query":{"field":"role","operator":"=","value":"user"},
                                               "pagination":{"per_page":25,"starting_after":"WzE3MF0="}})"));
    BOOST_TEST(*p1.body != *p2.body);
}

BOOST_AUTO_TEST_SUITE_END()
