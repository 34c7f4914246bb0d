// The generated `<operation>_all` pagers (issue 6 deliver 1 on the typed API) end to end against the
// fake server: typed items, request counts per pagination style, per-call options on every page, the
// search cursor in page 2's body, and breaking out early.
#include <intercom.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace m = intercom::models;
namespace pg = intercom::pagination;
namespace tst = intercom::testing;
using intercom::test::run_coro;

namespace {

struct fixture {
    asio::io_context ioc;
    tst::fake_server server;
    intercom::client cl;

    explicit fixture(tst::seed_options seed)
        : server(ioc.get_executor(),
                 {.tls = false, .seed = seed, .rate_limit = {.requests_per_window = 1000000, .window = 10s}}),
          cl(make_client()) {}

    intercom::client make_client() {
        server.start();
        intercom::client_options o;
        o.token = "typed-pager-token";
        o.base_url = server.base_url();
        o.attempt_timeout = 10s;
        o.timeout = 30s;
        return intercom::client(ioc.get_executor(), o);
    }
    ~fixture() {
        server.stop();
        ioc.restart();
        ioc.run_for(20ms);
    }

    std::vector<tst::recorded_request> requests(const std::string& method, const std::string& path) const {
        std::vector<tst::recorded_request> out;
        for (auto& r : server.requests())
            if (r.method == method && r.path == path) out.push_back(r);
        return out;
    }
};

std::string str(const std::optional<intercom::json::flex_id>& id) { return id ? id->str() : std::string(); }

// Drains a typed pager through the item view; `id_of` picks the id to collect.
template <class T, class F>
asio::awaitable<intercom::result<std::vector<std::string>>> drain(pg::pager<T>* p, F id_of, std::size_t max) {
    std::vector<std::string> ids;
    while (ids.size() < max) {
        auto r = co_await p->next();
        if (!r) co_return r.error();
        if (!*r) break;
        ids.push_back(id_of(**r));
    }
    co_return ids;
}

std::string contact_id(const m::contact& c) { return str(c.id); }
std::string company_key(const m::company& c) { return c.company_id ? c.company_id->str() : std::string(); }

bool has_header(const tst::recorded_request& r, const std::string& name, const std::string& value) {
    for (const auto& [k, v] : r.headers)
        if (boost::algorithm::iequals(k, name) && v == value) return true;
    return false;
}

std::vector<std::string> seeded_contacts(const tst::fake_server& s, std::size_t n) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(s.seeded_contact_id(i));
    return v;
}

std::vector<std::string> seeded_companies(const tst::fake_server& s, std::size_t n) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(s.seeded_company_id(i));
    return v;
}

} // namespace

BOOST_AUTO_TEST_SUITE(typed_pagers_e2e)

// Cursor style: 20,000 contacts at 150 per page are 134 requests, each carrying the per-call header.
BOOST_AUTO_TEST_CASE(contacts_list_all_20000_in_134_requests_with_options_on_every_page) {
    fixture f({.contacts = 20000});
    m::contacts_list_query q;
    q.per_page = 150;
    intercom::request_options opts;
    opts.headers.emplace_back("X-Trace", "list-all");
    auto p = f.cl.contacts().list_all(q, {}, opts);
    auto ids = run_coro(f.ioc, drain(&p, &contact_id, 1000000));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST(ids->size() == 20000u);
    BOOST_TEST((*ids == seeded_contacts(f.server, 20000)));
    auto seen = f.requests("GET", "/contacts");
    BOOST_TEST(seen.size() == 134u);
    std::size_t with_header = 0, with_per_page = 0;
    for (const auto& r : seen) {
        with_header += has_header(r, "X-Trace", "list-all");
        with_per_page += r.target.find("per_page=150") != std::string::npos;
    }
    BOOST_TEST(with_header == 134u);
    BOOST_TEST(with_per_page == 134u);  // the query's per_page is kept for every page, sent once each
    BOOST_TEST(seen[1].target.find("starting_after=") != std::string::npos);
}

// The page view: typed pages whose `next` is where the following page starts.
BOOST_AUTO_TEST_CASE(contacts_list_all_page_view) {
    fixture f({.contacts = 250});
    m::contacts_list_query q;
    q.per_page = 100;
    auto p = f.cl.contacts().list_all(q);
    std::vector<std::size_t> sizes;
    std::size_t with_next = 0;
    for (;;) {
        auto r = run_coro(f.ioc, p.next_page());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        sizes.push_back((*r)->items.size());
        if ((*r)->next) {
            ++with_next;
            BOOST_TEST((*r)->next->starting_after.has_value());
        }
        BOOST_TEST(str((*r)->items.front().id) == f.server.seeded_contact_id((*r)->index * 100));
    }
    BOOST_TEST((sizes == std::vector<std::size_t>{100, 100, 50}));
    BOOST_TEST(with_next == 2u);
    BOOST_TEST(f.server.count("GET", "/contacts") == 3u);
}

// Breaking out after 3 items: the pager is destroyed, at most the prefetch was sent, and nothing more.
BOOST_AUTO_TEST_CASE(break_after_three_items) {
    fixture f({.contacts = 1000});
    {
        m::contacts_list_query q;
        q.per_page = 150;
        auto p = f.cl.contacts().list_all(q);
        auto ids = run_coro(f.ioc, drain(&p, &contact_id, 3));
        BOOST_TEST_REQUIRE(bool(ids));
        BOOST_TEST((*ids == seeded_contacts(f.server, 3)));
    }
    f.ioc.restart();
    f.ioc.run_for(200ms);
    BOOST_TEST(f.server.count("GET", "/contacts") <= 2u);  // page 1 and at most the prefetch of page 2
    const auto after = f.server.count("GET", "/contacts");
    f.ioc.restart();
    f.ioc.run_for(100ms);
    BOOST_TEST(f.server.count("GET", "/contacts") == after);
}

// Companies scroll: typed companies, pages + 1 requests (the server ends a scroll with an empty page).
BOOST_AUTO_TEST_CASE(companies_scroll_all) {
    fixture f({.companies = 130});
    auto p = f.cl.companies().scroll_all();
    auto ids = run_coro(f.ioc, drain(&p, &company_key, 1000));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST((*ids == seeded_companies(f.server, 130)));
    BOOST_TEST(f.server.count("GET", "/companies/scroll") == 4u);  // 50 + 50 + 30 + empty
    auto seen = f.requests("GET", "/companies/scroll");
    BOOST_TEST(seen[0].target.find("scroll_param") == std::string::npos);
    BOOST_TEST(seen[1].target.find("scroll_param=") != std::string::npos);
}

// Page-number style with `pages.next` as a URL (help center collections): page 2 and 3 are asked for
// by number, and the walk stops at total_pages without an extra request.
BOOST_AUTO_TEST_CASE(help_center_list_collections_all_page_numbers) {
    fixture f({});
    for (int i = 0; i < 7; ++i) {
        m::create_collection_request c;
        c.name = "collection-" + std::to_string(i);
        auto r = run_coro(f.ioc, f.cl.help_center().try_create_collection(c));
        BOOST_TEST_REQUIRE(r.has_value());
    }
    const auto existing = f.server.object_count("collections");
    BOOST_TEST_REQUIRE(existing >= 7u);
    m::help_center_list_collections_query q;
    q.per_page = 3;
    auto p = f.cl.help_center().list_collections_all(q);
    std::vector<std::string> names;
    for (;;) {
        auto r = run_coro(f.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        names.push_back((*r)->name.value_or(""));
    }
    BOOST_TEST(names.size() == existing);
    BOOST_TEST(std::set<std::string>(names.begin(), names.end()).size() == existing);
    auto seen = f.requests("GET", "/help_center/collections");
    BOOST_TEST_REQUIRE(seen.size() == (existing + 2) / 3);
    BOOST_TEST(seen[1].target.find("page=2") != std::string::npos);
    BOOST_TEST(seen.back().target.find("page=" + std::to_string(seen.size())) != std::string::npos);
}

// GET /companies: page numbers without a filter, and a filter answering with one company is one item.
BOOST_AUTO_TEST_CASE(companies_find_all_list_and_single_company) {
    fixture f({.companies = 130});
    m::companies_find_query q;
    q.per_page = 50;
    auto p = f.cl.companies().find_all(q);
    auto ids = run_coro(f.ioc, drain(&p, &company_key, 1000));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST((*ids == seeded_companies(f.server, 130)));
    BOOST_TEST(f.server.count("GET", "/companies") == 3u);

    m::companies_find_query one;
    one.company_id = f.server.seeded_company_id(7);
    auto p1 = f.cl.companies().find_all(one);
    auto got = run_coro(f.ioc, drain(&p1, &company_key, 1000));
    BOOST_TEST_REQUIRE(bool(got));
    BOOST_TEST((*got == std::vector<std::string>{f.server.seeded_company_id(7)}));
    BOOST_TEST(f.server.count("GET", "/companies") == 4u);
}

// POST /companies/list answers `next: null` on every page: total_pages carries the walk on.
BOOST_AUTO_TEST_CASE(companies_list_all_follows_total_pages_despite_null_next) {
    fixture f({.companies = 130});
    m::companies_list_query q;
    q.per_page = 50;
    auto p = f.cl.companies().list_all(q);
    auto ids = run_coro(f.ioc, drain(&p, &company_key, 1000));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST(ids->size() == 130u);
    BOOST_TEST(std::set<std::string>(ids->begin(), ids->end()).size() == 130u);
    BOOST_TEST(f.server.count("POST", "/companies/list") == 3u);  // 50 + 50 + 30, no extra request
}

// Search: typed contacts, and page 2's body carries the cursor (page 1's does not).
BOOST_AUTO_TEST_CASE(contacts_search_all_cursor_in_body) {
    fixture f({.contacts = 400});
    m::search_request body;
    body.query = m::search_request_query{boost::json::parse(R"({"field":"role","operator":"=","value":"user"})"),
                                         nullptr};
    m::starting_after_paging pag;
    pag.per_page = 50;
    body.pagination = pag;
    auto p = f.cl.contacts().search_all(body);
    auto ids = run_coro(f.ioc, drain(&p, &contact_id, 100000));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST(std::set<std::string>(ids->begin(), ids->end()).size() == ids->size());
    auto seen = f.requests("POST", "/contacts/search");
    BOOST_TEST_REQUIRE(seen.size() >= 2u);
    BOOST_TEST(seen.size() == (ids->size() + 49) / 50);
    auto b1 = boost::json::parse(seen[0].body);
    auto b2 = boost::json::parse(seen[1].body);
    BOOST_TEST(b1.at("pagination").at("per_page") == 50);
    BOOST_TEST(!b1.at("pagination").as_object().contains("starting_after"));
    BOOST_TEST(b2.at("pagination").at("per_page") == 50);
    BOOST_TEST(b2.at("pagination").at("starting_after").is_string());
    BOOST_TEST(b1.at("query") == b2.at("query"));

    // The typed query builder gives the same items; an invalid query fails before any request.
    namespace s = intercom::search;
    auto q = f.cl.contacts().search_all(s::search_request{s::field("role") == "user", 50u, std::nullopt, std::nullopt});
    BOOST_TEST_REQUIRE(bool(q));
    auto ids2 = run_coro(f.ioc, drain(&*q, &contact_id, 100000));
    BOOST_TEST_REQUIRE(bool(ids2));
    BOOST_TEST((*ids2 == *ids));
    const auto before = f.server.count("POST", "/contacts/search");
    auto bad = f.cl.contacts().search_all(
        s::search_request{s::field("created_at") != 5, std::nullopt, std::nullopt, std::nullopt});
    BOOST_TEST_REQUIRE(!bad);
    BOOST_TEST((bad.error().code == intercom::errc::invalid_query));
    BOOST_TEST(f.server.count("POST", "/contacts/search") == before);
}

// Conversations and tickets search pagers decode their own item types.
BOOST_AUTO_TEST_CASE(conversations_search_all) {
    fixture f({.contacts = 5, .conversations = 60});
    namespace s = intercom::search;
    auto q = f.cl.conversations().search_all(
        s::search_request{s::field("created_at") > 0, 25u, std::nullopt, std::nullopt});
    BOOST_TEST_REQUIRE(bool(q));
    std::vector<std::string> ids;
    for (;;) {
        auto r = run_coro(f.ioc, q->next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        ids.push_back(str((*r)->id));
    }
    BOOST_TEST(ids.size() == 60u);
    BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 60u);
    BOOST_TEST(f.server.count("POST", "/conversations/search") == 3u);
}

// A search body without `pagination`: every page asks for the documented default size (20 for
// conversations), the first page included, so the pages are consistent.
BOOST_AUTO_TEST_CASE(conversations_search_all_default_page_size) {
    fixture f({.contacts = 5, .conversations = 45});
    m::search_request body;
    body.query = m::search_request_query{boost::json::parse(R"({"field":"created_at","operator":">","value":0})"),
                                         nullptr};
    auto p = f.cl.conversations().search_all(body);
    std::size_t n = 0;
    for (;;) {
        auto r = run_coro(f.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        ++n;
    }
    BOOST_TEST(n == 45u);
    auto seen = f.requests("POST", "/conversations/search");
    BOOST_TEST_REQUIRE(seen.size() == 3u);  // 20 + 20 + 5
    for (const auto& r : seen) BOOST_TEST(boost::json::parse(r.body).at("pagination").at("per_page") == 20);
}

// Tickets search: typed tickets, the cursor in the body of every page after the first.
BOOST_AUTO_TEST_CASE(tickets_search_all) {
    fixture f({.contacts = 3});
    auto types = run_coro(f.ioc, f.cl.ticket_types().try_list());
    BOOST_TEST_REQUIRE(types.has_value());
    BOOST_TEST_REQUIRE(types->data.has_value());  // the server sends `data` (typed since the model fix)
    BOOST_TEST_REQUIRE(!types->data->empty());
    const std::string type_id = str(types->data->front().id);
    std::set<std::string> created;
    for (int i = 0; i < 5; ++i) {
        m::create_ticket_request req;
        req.ticket_type_id = type_id;
        req.contacts = std::vector<m::create_ticket_request_contacts_item>{
            m::create_ticket_request_contacts_item::with_id(f.server.seeded_contact_id(0))};
        req.ticket_attributes = boost::json::object{{"_default_title_", "t" + std::to_string(i)}};
        auto t = run_coro(f.ioc, f.cl.tickets().try_create(req));
        BOOST_TEST_REQUIRE(t.has_value());
        created.insert(str(t->id));
    }
    m::search_request body;
    body.query = m::search_request_query{boost::json::parse(R"({"field":"created_at","operator":">","value":0})"),
                                         nullptr};
    m::starting_after_paging pag;
    pag.per_page = 2;
    body.pagination = pag;
    auto p = f.cl.tickets().search_all(body);
    std::set<std::string> found;
    for (;;) {
        auto r = run_coro(f.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        found.insert(str((*r)->id));
    }
    BOOST_TEST((found == created));
    auto seen = f.requests("POST", "/tickets/search");
    BOOST_TEST_REQUIRE(seen.size() == 3u);  // 2 + 2 + 1
    BOOST_TEST(boost::json::parse(seen[2].body).at("pagination").at("starting_after").is_string());
}

// An Unstable-only list: every page carries `Intercom-Version: Unstable`.
BOOST_AUTO_TEST_CASE(unstable_list_all_sends_the_version_on_every_page) {
    fixture f({});
    for (int i = 0; i < 3; ++i) {
        m::create_external_page_request req;
        req.title = "page " + std::to_string(i);
        req.html = "<p>x</p>";
        req.source_id = "61"; // an integer id (as text, as users hold it): sent as 61
        req.external_id = "ext-" + std::to_string(i);
        auto r = run_coro(f.ioc, f.cl.ai_content().try_create_external_page(req));
        BOOST_TEST_REQUIRE(r.has_value());
    }
    auto p = f.cl.ai_content().list_external_pages_all();
    std::vector<std::string> titles;
    for (;;) {
        auto r = run_coro(f.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        titles.push_back((*r)->title.value_or(""));
    }
    BOOST_TEST((titles == std::vector<std::string>{"page 0", "page 1", "page 2"}));
    auto seen = f.requests("GET", "/ai/external_pages");
    BOOST_TEST_REQUIRE(seen.size() == 1u);  // one page, no `next`: no second request
    BOOST_TEST(has_header(seen[0], "Intercom-Version", "Unstable"));
}

// `pages.next` as a URL (GET /events): the pager follows the server's URL.
BOOST_AUTO_TEST_CASE(data_events_list_all_follows_next_url) {
    fixture f({.contacts = 2});
    const std::string who = f.server.seeded_contact_id(0);
    for (int i = 0; i < 7; ++i) {
        m::create_data_event_request ev;
        ev.event_name = "evt-" + std::to_string(i);
        ev.created_at = 1700000000 + i;
        ev.id = who;
        auto r = run_coro(f.ioc, f.cl.data_events().try_create(ev));
        BOOST_TEST_REQUIRE(r.has_value());
    }
    m::data_events_list_query q;
    q.type = "user";
    q.intercom_user_id = who;
    q.per_page = 3;
    auto p = f.cl.data_events().list_all(q);
    std::vector<std::string> names;
    for (;;) {
        auto r = run_coro(f.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        BOOST_TEST_REQUIRE((*r)->event_name.has_value());
        names.push_back(*(*r)->event_name);
    }
    BOOST_TEST(names.size() == 7u);
    BOOST_TEST(names.front() == "evt-0");
    BOOST_TEST(names.back() == "evt-6");
    auto seen = f.requests("GET", "/events");
    BOOST_TEST_REQUIRE(seen.size() == 3u);  // 3 + 3 + 1: the last page has no `next`
    BOOST_TEST(seen[1].target.find("page=2") != std::string::npos);
}

// A single-page list (a `pages` object, no paging parameter): one request.
BOOST_AUTO_TEST_CASE(single_page_list_all) {
    fixture f({.contacts = 1});
    auto p = f.cl.segments().list_all();
    std::size_t n = 0;
    for (;;) {
        auto r = run_coro(f.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        BOOST_TEST((*r)->id.has_value());
        ++n;
    }
    BOOST_TEST(n > 0u);
    BOOST_TEST(f.server.count("GET", "/segments") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
