// Issue 16, last gaps: list items that may be null, integer ids that cannot be sent failing every
// form of an operation (single page and `_all` pagers) before anything is sent, and path parameters
// the spec types as integers.
#include "fake_transport.hpp"
#include "spec_fixtures.hpp"

#include <intercom/resources/all.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/url_view.hpp>

#include <run_coro.hpp>

namespace m = intercom::models;
using intercom::test::fake_client;
using intercom::test::run_coro;

BOOST_AUTO_TEST_SUITE(typed_v2_gaps)

// ---- list items that may be null --------------------------------------------------------------

// `news_item.reactions` declares `items: {nullable: true}`; the spec's GET /news/news_items/{id}
// example sends `[null, null, null, null]`.
BOOST_AUTO_TEST_CASE(null_list_items_are_typed) {
    auto in = boost::json::parse(R"({"type":"news-item","id":"29","reactions":[null,"\u2764",null],"labels":[]})");
    auto item = boost::json::value_to<m::news_item>(in);
    BOOST_TEST(item.extra.empty());
    BOOST_TEST_REQUIRE(item.reactions.has_value());
    BOOST_TEST_REQUIRE(item.reactions->size() == 3u);
    BOOST_TEST((*item.reactions)[0].is_null());
    BOOST_TEST(*(*item.reactions)[1] == "\u2764");
    BOOST_TEST((*item.reactions)[2].is_null());
    BOOST_TEST(boost::json::value_from(item) == in);

    // a list that is not a list of strings or nulls is kept as sent
    auto odd = boost::json::value_to<m::news_item>(boost::json::parse(R"({"reactions":[1,null]})"));
    BOOST_TEST(!odd.reactions.has_value());
    BOOST_TEST(odd.extra.contains("reactions"));
}

BOOST_AUTO_TEST_CASE(null_list_items_in_a_request) {
    fake_client f;
    f.transport->reply(200, R"({"type":"news-item","id":"1"})");
    m::news_item_request body;
    body.title = "t";
    body.sender_id = 7;
    body.reactions = std::vector<intercom::nullable<std::string>>{"\U0001F606", nullptr, "\U0001F605"};
    auto r = run_coro(f.ioc, f.cl.news().try_create_item(body));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(boost::json::parse(f.last().body).at("reactions") ==
               boost::json::parse(R"(["\ud83d\ude06",null,"\ud83d\ude05"])"));
}

BOOST_AUTO_TEST_CASE(news_item_example_has_nothing_in_extra,
                     *boost::unit_test::precondition(intercom::test::spec_precondition{})) {
    std::size_t seen = 0;
    for (const auto& e : intercom::test::spec_fixtures().at("examples").as_array()) {
        if (!e.at("where").as_string().starts_with("response GET /news/news_items/{news_item_id} 200")) continue;
        ++seen;
        auto item = boost::json::value_to<m::news_item>(e.at("value"));
        BOOST_TEST(item.extra.empty(), boost::json::serialize(item.extra));
        BOOST_TEST_REQUIRE(item.reactions.has_value());
        BOOST_TEST(item.reactions->size() == e.at("value").at("reactions").as_array().size());
    }
    BOOST_TEST(seen >= 1u);
}

// ---- integer ids that cannot be sent: every form fails before sending ----------------------------

BOOST_AUTO_TEST_CASE(non_numeric_query_id_single_page) {
    fake_client f;
    m::articles_search_query q;
    q.help_center_id = "hc-1";
    auto r = run_coro(f.ioc, f.cl.articles().try_search(q));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == intercom::errc::invalid_argument));
    BOOST_TEST(r.error().diag.message.find("hc-1") != std::string::npos);
    BOOST_TEST(f.transport->seen.empty());
}

BOOST_AUTO_TEST_CASE(non_numeric_query_id_pager_items) {
    fake_client f;
    m::articles_search_query q;
    q.phrase = "x";
    q.help_center_id = "hc-1";
    auto p = f.cl.articles().search_all(q);
    auto first = run_coro(f.ioc, p.next());
    BOOST_TEST_REQUIRE(!first.has_value());
    BOOST_TEST((first.error().code == intercom::errc::invalid_argument));
    BOOST_TEST(first.error().diag.message.find("hc-1") != std::string::npos);
    BOOST_TEST(f.transport->seen.empty());
    // the walk has ended: nothing is sent later either
    auto again = run_coro(f.ioc, p.next());
    BOOST_TEST((again.has_value() && !again->has_value()));
    BOOST_TEST(f.transport->seen.empty());
}

BOOST_AUTO_TEST_CASE(non_numeric_query_id_pager_pages) {
    fake_client f;
    m::articles_search_query q;
    q.help_center_id = "12a";
    intercom::pagination::pager_options no_prefetch;
    no_prefetch.prefetch_depth = 0;
    auto p = f.cl.articles().search_all(q, no_prefetch);
    auto page = run_coro(f.ioc, p.next_page());
    BOOST_TEST_REQUIRE(!page.has_value());
    BOOST_TEST((page.error().code == intercom::errc::invalid_argument));
    BOOST_TEST(f.transport->seen.empty());
}

BOOST_AUTO_TEST_CASE(numeric_query_id_pager_is_sent_as_an_integer) {
    fake_client f;
    f.transport->reply(200, R"({"type":"list","total_count":1,"data":{"articles":[{"type":"article","id":"5"}]}})");
    m::articles_search_query q;
    q.help_center_id = "12";  // as copied from a decoded `help_center.id`
    auto p = f.cl.articles().search_all(q);
    auto first = run_coro(f.ioc, p.next());
    BOOST_TEST_REQUIRE(first.has_value(), first.error().what());
    BOOST_TEST_REQUIRE(first->has_value());
    BOOST_TEST_REQUIRE(f.transport->seen.size() == 1u);
    BOOST_TEST(boost::urls::url_view(f.last().target).encoded_query() == "help_center_id=12");
}

// ---- path parameters typed as integers ------------------------------------------------------------

// DELETE /conversations/{id} (Unstable only) declares `id` an integer: text copied from an answer and
// an integer both work and are sent as the decimal value; other text fails before sending.
BOOST_AUTO_TEST_CASE(integer_path_parameter) {
    fake_client f;
    for (int i = 0; i < 3; ++i) f.transport->reply(200, R"({"id":"123","object":"conversation","deleted":true})");
    m::conversation c;
    c.id = "123";  // a decoded conversation carries its id as a string
    auto from_text = run_coro(f.ioc, f.cl.conversations().try_remove(c.id->str()));
    BOOST_TEST(from_text.has_value());
    BOOST_TEST(f.last().target == "/conversations/123");
    BOOST_TEST((f.last().method == boost::beast::http::verb::delete_));
    auto from_int = run_coro(f.ioc, f.cl.conversations().try_remove(123));
    BOOST_TEST(from_int.has_value());
    BOOST_TEST(f.last().target == "/conversations/123");
    auto from_id = run_coro(f.ioc, f.cl.conversations().try_remove(*c.id));  // a flex_id as is
    BOOST_TEST(from_id.has_value());
    BOOST_TEST(f.transport->seen.size() == 3u);

    for (const char* bad : {"abc", "12/3", "", " 12", "0x10", "1e3"}) {
        auto r = run_coro(f.ioc, f.cl.conversations().try_remove(bad));
        BOOST_TEST_REQUIRE(!r.has_value(), bad);
        BOOST_TEST((r.error().code == intercom::errc::invalid_argument), bad);
        BOOST_TEST(r.error().diag.message.find("`id`") != std::string::npos, r.error().diag.message);
    }
    BOOST_CHECK_THROW(run_coro(f.ioc, f.cl.conversations().remove("abc")), intercom::api_error);
    BOOST_TEST(f.transport->seen.size() == 3u);  // nothing sent for the invalid ones
}

// String path parameters stay text (ids such as contact ids are not numbers).
BOOST_AUTO_TEST_CASE(string_path_parameters_stay_text) {
    fake_client f;
    f.transport->reply(200, R"({"type":"list","data":[]})");
    run_coro(f.ioc, f.cl.notes().try_list("6687d15060233569304d21cd"));
    BOOST_TEST(f.last().target == "/contacts/6687d15060233569304d21cd/notes");
}

BOOST_AUTO_TEST_SUITE_END()
