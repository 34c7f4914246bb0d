// Fault scripts as JSON (the standalone server's --faults file) and path patterns.
#include <intercom/testing/fault.hpp>

#include <boost/test/unit_test.hpp>

using namespace intercom::testing;

BOOST_AUTO_TEST_SUITE(fake_server_fault_script)

BOOST_AUTO_TEST_CASE(parses_rules) {
    auto rules = parse_fault_script(R"([
        {"method":"get","path":"/contacts/{id}","nth":3,"fault":"status","status":503},
        {"path":"/contacts","nth":2,"count":0,"fault":"slow_trickle","trickle_chunk":8,"trickle_interval_ms":5},
        {"status":429},
        {"fault":"reset_after_headers","delay_ms":20}
    ])");
    BOOST_TEST_REQUIRE(rules.size() == 4u);
    BOOST_TEST(rules[0].method == "GET");
    BOOST_TEST(rules[0].nth == 3u);
    BOOST_TEST(rules[0].count == 1u);
    BOOST_TEST((rules[0].action.kind == fault_kind::status));
    BOOST_TEST(rules[0].action.status == 503u);
    BOOST_TEST(rules[1].count == 0u);
    BOOST_TEST(rules[1].action.trickle_chunk == 8u);
    BOOST_TEST(rules[1].action.trickle_interval.count() == 5);
    BOOST_TEST((rules[2].action.kind == fault_kind::status));
    BOOST_TEST(rules[3].action.delay.count() == 20);
}

BOOST_AUTO_TEST_CASE(rejects_bad_scripts) {
    BOOST_CHECK_THROW(parse_fault_script("{"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_script(R"({"a":1})"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_script(R"([{"fault":"explode"}])"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_script(R"([{"nth":0}])"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_script(R"([{"status":99}])"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_script(R"([{"method":3}])"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_script(R"([1])"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(path_patterns) {
    BOOST_TEST(path_matches("", "/anything"));
    BOOST_TEST(path_matches("/contacts/{id}", "/contacts/abc"));
    BOOST_TEST(path_matches("/contacts/{id}", "/contacts/abc?x=1"));
    BOOST_TEST(!path_matches("/contacts/{id}", "/contacts"));
    BOOST_TEST(!path_matches("/contacts/{id}", "/contacts/"));
    BOOST_TEST(!path_matches("/contacts/{id}", "/contacts/abc/tags"));
    BOOST_TEST(path_matches("/contacts/*", "/contacts/abc/tags"));
    BOOST_TEST(!path_matches("/contacts", "/contacts/abc"));
    BOOST_TEST(path_matches("/contacts/{id}/tags/{tag}", "/contacts/a/tags/b"));
    BOOST_TEST((fault_kind_from_string("truncated_body") == fault_kind::truncated_body));
    BOOST_TEST(to_string(fault_kind::slow_trickle) == "slow_trickle");
}

BOOST_AUTO_TEST_SUITE_END()
