// The tolerance rules of the generated models, on hand-made JSON.
#include <intercom/json/conversion.hpp>
#include <intercom/models/models.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace m = intercom::models;
using boost::json::parse;

BOOST_AUTO_TEST_SUITE(model_rules)

BOOST_AUTO_TEST_CASE(unknown_keys_are_kept_and_written_back) {
    auto in = parse(R"({"type":"contact","id":"c1","email":"a@b.c","brand_new_field":{"x":[1,2]}})");
    m::contact c;
    BOOST_TEST_REQUIRE(decode(in, c));
    BOOST_TEST(c.id->str() == "c1");
    BOOST_TEST(*c.email == "a@b.c");
    BOOST_TEST(c.extra.size() == 1u);
    BOOST_TEST(c.extra.contains("brand_new_field"));
    boost::json::value out;
    encode(out, c);
    BOOST_TEST(out == in);
}

BOOST_AUTO_TEST_CASE(unknown_enum_values_are_kept) {
    auto in = parse(R"({"type":"conversation","id":"1","state":"paused_by_robot","priority":"priority"})");
    m::conversation c;
    BOOST_TEST_REQUIRE(decode(in, c));
    BOOST_TEST_REQUIRE(c.state.has_value());
    BOOST_TEST(c.state->str() == "paused_by_robot");
    BOOST_TEST(!(*c.state == m::conversation_state::open));
    BOOST_TEST((*c.priority == m::conversation_priority::priority));
    c.state = m::conversation_state::snoozed;
    boost::json::value out;
    encode(out, c);
    BOOST_TEST(out.at("state") == "snoozed");
}

BOOST_AUTO_TEST_CASE(ids_accept_integers_and_strings) {
    m::conversation a, b;
    BOOST_TEST_REQUIRE(decode(parse(R"({"id":"123","admin_assignee_id":456})"), a));
    BOOST_TEST_REQUIRE(decode(parse(R"({"id":123,"admin_assignee_id":"456"})"), b));
    BOOST_TEST(a.id->str() == "123");
    BOOST_TEST(b.id->str() == "123");
    BOOST_TEST(a.admin_assignee_id->str() == "456");
    BOOST_TEST(b.admin_assignee_id->str() == "456");
    BOOST_TEST(*a.admin_assignee_id->as_integer() == 456);
    boost::json::value out;
    encode(out, b);  // the JSON kind seen is written back
    BOOST_TEST(out.at("id").is_int64());
    BOOST_TEST(out.at("admin_assignee_id").is_string());
}

BOOST_AUTO_TEST_CASE(nulls_and_ill_typed_values) {
    auto in = parse(R"({"id":"1","title":null,"sla_applied":null,"open":"yes","created_at":1.5,"tags":null})");
    m::conversation c;
    BOOST_TEST_REQUIRE(decode(in, c));
    BOOST_TEST(c.title.is_null());        // declared nullable: explicit null kept in the field
    BOOST_TEST(c.sla_applied.is_null());
    BOOST_TEST(!c.open.has_value());      // ill-typed: field unset, value kept in extra
    BOOST_TEST(c.extra.at("open") == "yes");
    BOOST_TEST(!c.created_at.has_value());
    BOOST_TEST(!c.tags.has_value());      // not declared nullable: null kept in extra
    BOOST_TEST(c.extra.at("tags").is_null());
    boost::json::value out;
    encode(out, c);
    BOOST_TEST(out == in);
}

BOOST_AUTO_TEST_CASE(non_objects_fail_to_decode) {
    m::contact c;
    BOOST_TEST(!decode(parse("[1,2]"), c));
    BOOST_TEST(!decode(parse("\"x\""), c));
    BOOST_TEST(!decode(parse("null"), c));
}

BOOST_AUTO_TEST_CASE(variant_rule) {
    // by constant `message_type`
    m::conversations_manage_request r;
    BOOST_TEST_REQUIRE(decode(parse(R"({"message_type":"snoozed","type":"admin","admin_id":"1","snoozed_until":9})"), r));
    BOOST_TEST(std::holds_alternative<m::snooze_conversation_request>(r.value));
    BOOST_TEST_REQUIRE(decode(parse(R"({"message_type":"close","type":"admin","admin_id":"1"})"), r));
    BOOST_TEST(std::holds_alternative<m::close_conversation_request>(r.value));
    // nothing matches: the JSON is kept as is (index 0) and re-encodes unchanged
    auto odd = parse(R"({"message_type":"teleport"})");
    BOOST_TEST_REQUIRE(decode(odd, r));
    BOOST_TEST(r.value.index() == 0u);
    boost::json::value out;
    encode(out, r);
    BOOST_TEST(out == odd);
    // by required keys when there is no constant key: search query filter vs group
    m::multiple_or_single_filter_search_request q;
    BOOST_TEST_REQUIRE(decode(parse(R"({"field":"email","operator":"=","value":"a@b.c"})"), q));
    BOOST_TEST(std::holds_alternative<m::single_filter_search_request>(q.value));
}

BOOST_AUTO_TEST_CASE(boost_json_customisation_points) {
    m::tag t;
    t.id = "7";
    t.name = "vip";
    boost::json::value v = boost::json::value_from(t);
    BOOST_TEST(v.at("name") == "vip");
    auto back = boost::json::value_to<m::tag>(v);
    BOOST_TEST(*back.name == "vip");
}

BOOST_AUTO_TEST_SUITE_END()
