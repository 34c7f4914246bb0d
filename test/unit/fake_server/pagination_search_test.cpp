// Cursor pagination over 20,000 contacts and the search query language, checked against sets computed
// independently in the test from the listed data.
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <set>

namespace json = boost::json;
using intercom::test::running_server;
using intercom::test::sync_client;

namespace {

std::vector<json::object> list_all_contacts(sync_client& c, std::size_t per_page,
                                            std::size_t* requests = nullptr) {
    std::vector<json::object> out;
    std::string cursor;
    std::size_t n = 0;
    for (;;) {
        std::string target = "/contacts?per_page=" + std::to_string(per_page);
        if (!cursor.empty()) target += "&starting_after=" + cursor;
        auto r = c.get(target);
        ++n;
        BOOST_REQUIRE_EQUAL(r.status, 200u);
        auto v = r.json().as_object();
        BOOST_REQUIRE(v.at("type").as_string() == "list");
        for (auto& x : v.at("data").as_array())
            out.push_back(x.as_object());
        const auto& pages = v.at("pages").as_object();
        BOOST_REQUIRE(pages.at("type").as_string() == "pages");
        auto* next = pages.if_contains("next");
        if (!next || next->is_null()) break;
        cursor = std::string(next->at("starting_after").as_string());
        BOOST_REQUIRE(n < 100000);
    }
    if (requests) *requests = n;
    return out;
}

std::set<std::string> search_ids(sync_client& c, const std::string& path, const json::value& query,
                                 std::size_t per_page, std::size_t* pages_seen = nullptr,
                                 std::string list_field = "data") {
    std::set<std::string> ids;
    json::value cursor = nullptr;
    std::size_t n = 0;
    for (;;) {
        json::object body{{"query", query},
                          {"pagination", json::object{{"per_page", per_page}, {"starting_after", cursor}}}};
        auto r = c.post(path, body);
        ++n;
        BOOST_REQUIRE_EQUAL(r.status, 200u);
        auto v = r.json().as_object();
        for (auto& x : v.at(list_field).as_array()) {
            bool fresh = ids.insert(std::string(x.at("id").as_string())).second;
            BOOST_TEST(fresh); // never twice
        }
        auto* next = v.at("pages").as_object().if_contains("next");
        if (!next || next->is_null()) {
            BOOST_TEST(v.at("total_count").to_number<std::size_t>() == ids.size());
            break;
        }
        cursor = next->at("starting_after");
        BOOST_REQUIRE(n < 10000);
    }
    if (pages_seen) *pages_seen = n;
    return ids;
}

std::string lower(std::string_view s) {
    std::string o(s);
    for (auto& ch : o)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return o;
}
std::string str(const json::object& o, std::string_view k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
std::int64_t seats(const json::object& o) {
    return o.at("custom_attributes").at("seats").as_int64();
}
std::string country(const json::object& o) {
    return str(o.at("location").as_object(), "country");
}

std::set<std::string> expected(const std::vector<json::object>& all,
                               const std::function<bool(const json::object&)>& pred) {
    std::set<std::string> out;
    for (auto& o : all)
        if (pred(o)) out.insert(str(o, "id"));
    return out;
}

json::object filter(std::string field, std::string op, json::value value) {
    return json::object{{"field", field}, {"operator", op}, {"value", value}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(fake_server_pagination_search)

BOOST_AUTO_TEST_CASE(cursor_pagination_of_20000_contacts_visits_each_once) {
    running_server rs({.seed = {.contacts = 20000}});
    auto c = rs.client();
    std::size_t requests = 0;
    auto all = list_all_contacts(c, 150, &requests);
    BOOST_TEST(requests == 134u);
    BOOST_TEST(all.size() == 20000u);
    std::set<std::string> ids;
    for (auto& o : all)
        ids.insert(str(o, "id"));
    BOOST_TEST(ids.size() == 20000u);
    BOOST_TEST(ids.count(rs.server.seeded_contact_id(0)) == 1u);
    BOOST_TEST(ids.count(rs.server.seeded_contact_id(19999)) == 1u);
    BOOST_TEST(rs.server.count("GET", "/contacts") == 134u);
    BOOST_TEST(c.connects() == 1);
}

BOOST_AUTO_TEST_CASE(list_parameters_are_validated) {
    running_server rs({.seed = {.contacts = 5}});
    auto c = rs.client();
    BOOST_TEST(c.get("/contacts?per_page=151").status == 400u);
    BOOST_TEST(c.get("/contacts?per_page=0").status == 400u);
    auto r = c.get("/contacts?starting_after=garbage");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(r.json().at("errors").at(0).at("code").as_string() == "parameter_invalid");
    auto first = c.get("/contacts?per_page=2").json();
    BOOST_TEST(first.at("pages").at("page").as_int64() == 1);
    BOOST_TEST(first.at("pages").at("total_pages").as_int64() == 3);
    BOOST_TEST(first.at("total_count").as_int64() == 5);
}

struct search_fixture {
    running_server rs{{.seed = {.contacts = 1500}}};
    sync_client c = rs.client();
    std::vector<json::object> all = list_all_contacts(c, 150);
};

BOOST_FIXTURE_TEST_CASE(nested_and_or_returns_exactly_the_matching_set, search_fixture) {
    // (role = user AND (country = Ireland OR seats > 150)) OR (email ~ "hopper" AND browser IN [chrome,
    // firefox])
    json::value q = json::object{
        {"operator", "OR"},
        {"value",
         json::array{
             json::object{
                 {"operator", "AND"},
                 {"value",
                  json::array{
                      filter("role", "=", "user"),
                      json::object{{"operator", "OR"},
                                   {"value", json::array{filter("location.country", "=", "Ireland"),
                                                         filter("custom_attributes.seats", ">", 150)}}}}}},
             json::object{
                 {"operator", "AND"},
                 {"value", json::array{filter("email", "~", "hopper"),
                                       filter("browser", "IN", json::array{"chrome", "firefox"})}}}}}};
    auto want = expected(all, [](const json::object& o) {
        bool a = str(o, "role") == "user" && (country(o) == "Ireland" || seats(o) > 150);
        bool b = lower(str(o, "email")).find("hopper") != std::string::npos &&
                 (str(o, "browser") == "chrome" || str(o, "browser") == "firefox");
        return a || b;
    });
    BOOST_TEST_REQUIRE(want.size() > 100u);
    BOOST_TEST_REQUIRE(want.size() < all.size());
    std::size_t pages = 0;
    auto got = search_ids(c, "/contacts/search", q, 50, &pages);
    BOOST_TEST((got == want));
    BOOST_TEST(pages == (want.size() + 49) / 50);
}

BOOST_FIXTURE_TEST_CASE(every_operator, search_fixture) {
    struct tc {
        json::object f;
        std::function<bool(const json::object&)> pred;
    };
    std::vector<tc> cases{
        {filter("role", "=", "lead"), [](auto& o) { return str(o, "role") == "lead"; }},
        {filter("role", "!=", "lead"), [](auto& o) { return str(o, "role") != "lead"; }},
        {filter("location.country", "IN", json::array{"Japan", "Brazil"}),
         [](auto& o) { return country(o) == "Japan" || country(o) == "Brazil"; }},
        {filter("browser", "NIN", json::array{"chrome", "safari"}),
         [](auto& o) { return str(o, "browser") != "chrome" && str(o, "browser") != "safari"; }},
        {filter("custom_attributes.seats", "<", 50), [](auto& o) { return seats(o) < 50; }},
        {filter("custom_attributes.seats", "<=", 50), [](auto& o) { return seats(o) <= 50; }},
        {filter("custom_attributes.seats", ">", 150), [](auto& o) { return seats(o) > 150; }},
        {filter("custom_attributes.seats", ">=", 150), [](auto& o) { return seats(o) >= 150; }},
        {filter("email", "~", "LOVELACE"),
         [](auto& o) { return str(o, "email").find("lovelace") != std::string::npos; }},
        {filter("email", "!~", "example"),
         [](auto& o) { return str(o, "email").find("example") == std::string::npos; }},
        {filter("name", "^", "Ada "), [](auto& o) { return str(o, "name").rfind("Ada ", 0) == 0; }},
        {filter("email", "$", ".org"),
         [](auto& o) {
             auto e = str(o, "email");
             return e.size() > 4 && e.compare(e.size() - 4, 4, ".org") == 0;
         }},
        {filter("owner_id", "=", nullptr), [](auto& o) { return o.at("owner_id").is_null(); }},
        {filter("unsubscribed_from_emails", "=", true),
         [](auto& o) { return o.at("unsubscribed_from_emails").as_bool(); }},
    };
    for (auto& t : cases) {
        auto want = expected(all, t.pred);
        BOOST_TEST_CONTEXT(json::serialize(t.f)) {
            BOOST_TEST(!want.empty());
            BOOST_TEST(want.size() < all.size());
            auto got = search_ids(c, "/contacts/search", t.f, 150);
            BOOST_TEST((got == want));
        }
    }
}

BOOST_FIXTURE_TEST_CASE(dates_compare_by_day_and_reject_other_operators, search_fixture) {
    std::int64_t t = all[800].at("created_at").as_int64();
    std::int64_t day = t / 86400;
    auto day_of = [](const json::object& o) { return o.at("created_at").as_int64() / 86400; };
    auto eq = search_ids(c, "/contacts/search", filter("created_at", "=", t), 150);
    BOOST_TEST((eq == expected(all, [&](auto& o) { return day_of(o) == day; })));
    auto gt =
        search_ids(c, "/contacts/search", filter("created_at", ">", json::string(std::to_string(t))), 150);
    BOOST_TEST((gt == expected(all, [&](auto& o) { return day_of(o) > day; })));
    auto lt = search_ids(c, "/contacts/search", filter("created_at", "<", t), 150);
    BOOST_TEST((lt == expected(all, [&](auto& o) { return day_of(o) < day; })));
    for (auto* op : {">=", "<=", "!="}) {
        auto r = c.post("/contacts/search", json::object{{"query", filter("created_at", op, t)}});
        BOOST_TEST(r.status == 400u, op);
        BOOST_TEST(r.json().at("errors").at(0).at("code").as_string() == "parameter_invalid");
    }
}

BOOST_FIXTURE_TEST_CASE(malformed_queries_are_rejected, search_fixture) {
    auto bad = [&](json::value q) {
        auto r = c.post("/contacts/search", json::object{{"query", q}});
        BOOST_TEST(r.status == 400u, json::serialize(q));
    };
    bad(filter("role", "LIKE", "user"));
    bad(filter("role", "IN", "user"));
    bad(filter("custom_attributes.seats", ">", "many"));
    bad(json::object{{"operator", "XOR"}, {"value", json::array{filter("role", "=", "user")}}});
    bad(json::object{{"operator", "AND"}, {"value", json::array{}}});
    json::value deep = filter("role", "=", "user");
    for (int i = 0; i < 4; ++i)
        deep = json::object{{"operator", "AND"}, {"value", json::array{deep}}};
    bad(deep);
    json::array many;
    for (int i = 0; i < 16; ++i)
        many.push_back(filter("role", "=", "user"));
    bad(json::object{{"operator", "OR"}, {"value", many}});
    BOOST_TEST(c.request("POST", "/contacts/search", "{not json").status == 400u);
    BOOST_TEST(c.post("/contacts/search", json::object{}).status == 400u);
    auto r = c.post("/contacts/search", json::object{{"query", filter("role", "=", "user")},
                                                     {"pagination", json::object{{"per_page", 151}}}});
    BOOST_TEST(r.status == 400u);
}

BOOST_AUTO_TEST_SUITE_END()
