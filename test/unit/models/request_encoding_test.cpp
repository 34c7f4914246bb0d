// Request bodies, path segments and query strings as they reach the transport.
#include "fake_transport.hpp"

#include <intercom/resources/all.hpp>

#include <boost/json.hpp>
#include <boost/url/url_view.hpp>
#include <boost/test/unit_test.hpp>

#include <run_coro.hpp>

namespace m = intercom::models;
using intercom::test::fake_client;
using intercom::test::run_coro;

BOOST_AUTO_TEST_SUITE(request_encoding)

BOOST_AUTO_TEST_CASE(unset_fields_are_omitted_and_explicit_nulls_kept) {
    fake_client f;
    f.transport->reply(200, R"({"type":"contact","id":"c1"})");
    m::update_contact_request body;
    body.name = "Ada";
    body.phone = nullptr;           // clear the phone number
    body.owner_id = std::int64_t{42};
    body.extra["custom_flag"] = true;
    auto r = run_coro(f.ioc, f.cl.contacts().try_update("c1", body));
    BOOST_TEST_REQUIRE(r.has_value());
    auto sent = boost::json::parse(f.last().body);
    BOOST_TEST(sent == boost::json::parse(R"({"name":"Ada","phone":null,"owner_id":42,"custom_flag":true})"));
    BOOST_TEST(f.header("Content-Type") == "application/json");
}

BOOST_AUTO_TEST_CASE(empty_body_struct_sends_empty_object) {
    fake_client f;
    f.transport->reply(200, R"({"type":"contact","id":"c1"})");
    auto r = run_coro(f.ioc, f.cl.contacts().try_update("c1", {}));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(f.last().body == "{}");
}

BOOST_AUTO_TEST_CASE(path_ids_are_one_encoded_segment) {
    fake_client f;
    for (int i = 0; i < 4; ++i) f.transport->reply(200, R"({"type":"contact"})");
    run_coro(f.ioc, f.cl.contacts().try_retrieve("a/b"));
    BOOST_TEST(f.last().target == "/contacts/a%2Fb");
    run_coro(f.ioc, f.cl.contacts().try_retrieve("with space"));
    BOOST_TEST(f.last().target == "/contacts/with%20space");
    run_coro(f.ioc, f.cl.contacts().try_retrieve("100%"));
    BOOST_TEST(f.last().target == "/contacts/100%25");
    run_coro(f.ioc, f.cl.contacts().try_retrieve("z\xC3\xBC?x#y"));  // "zü?x#y"
    BOOST_TEST(f.last().target == "/contacts/z%C3%BC%3Fx%23y");
}

BOOST_AUTO_TEST_CASE(two_path_parameters) {
    fake_client f;
    f.transport->reply(200, R"({"type":"tag","id":"7"})");
    m::tags_detach_conversation_request body;
    body.admin_id = "9";
    run_coro(f.ioc, f.cl.tags().try_detach_conversation("c/1", "t 2", body));
    BOOST_TEST(f.last().target == "/conversations/c%2F1/tags/t%202");
    BOOST_TEST((f.last().method == boost::beast::http::verb::delete_));
    BOOST_TEST(boost::json::parse(f.last().body) == boost::json::parse(R"({"admin_id":"9"})"));
}

BOOST_AUTO_TEST_CASE(query_parameters) {
    fake_client f;
    f.transport->reply(200, R"({"type":"list","data":[]})");
    m::contacts_list_query q;
    q.per_page = 50;
    q.starting_after = "abc=/&";
    run_coro(f.ioc, f.cl.contacts().try_list(q));
    boost::urls::url_view u(f.last().target);
    BOOST_TEST(u.path() == "/contacts");
    BOOST_TEST_REQUIRE(u.params().size() == 2u);
    BOOST_TEST((*u.params().begin()).key == "per_page");
    BOOST_TEST((*u.params().begin()).value == "50");
    BOOST_TEST((*std::next(u.params().begin())).value == "abc=/&");
}

BOOST_AUTO_TEST_CASE(object_valued_filter_becomes_top_level_keys) {
    fake_client f;
    f.transport->reply(200, R"({"type":"event.list","events":[]})");
    m::data_events_list_query q;
    q.type = "user";
    q.email = "a+b@c.d";
    q.summary = true;
    run_coro(f.ioc, f.cl.data_events().try_list(q));
    boost::urls::url_view u(f.last().target);
    std::vector<std::string> keys;
    for (auto p : u.params()) keys.emplace_back(p.key);
    BOOST_TEST(keys == (std::vector<std::string>{"email", "type", "summary"}), boost::test_tools::per_element());
    BOOST_TEST(u.path() == "/events");
}

// Intercom (like most servers) reads `+` in a query string as a space, so a `+` in a value must be
// sent as %2B (src/client.cpp, encode_target).
BOOST_AUTO_TEST_CASE(plus_in_query_values_is_escaped) {
    fake_client f;
    f.transport->reply(200, R"({"type":"event.list","events":[]})");
    m::data_events_list_query q;
    q.type = "user";
    q.email = "a+b@c.d";
    run_coro(f.ioc, f.cl.data_events().try_list(q));
    BOOST_TEST(f.last().target == "/events?email=a%2Bb@c.d&type=user");
}

BOOST_AUTO_TEST_SUITE_END()
