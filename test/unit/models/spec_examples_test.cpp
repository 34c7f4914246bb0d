// Every example of the 2.11 description (responses, request bodies, schemas) decodes into its
// model and re-encodes to the same JSON (up to key order and 5 vs 5.0).
#include "spec_fixtures.hpp"

#include <intercom/models/registry.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <map>
#include <string>

namespace {

bool json_equal(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.kind() == b.kind()) return a == b;
        return a.to_number<double>() == b.to_number<double>();
    }
    if (a.kind() != b.kind()) return false;
    if (a.is_object()) {
        const auto& x = a.get_object();
        const auto& y = b.get_object();
        if (x.size() != y.size()) return false;
        for (const auto& kv : x) {
            const auto* o = y.if_contains(kv.key());
            if (!o || !json_equal(kv.value(), *o)) return false;
        }
        return true;
    }
    if (a.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!json_equal(x[i], y[i])) return false;
        return true;
    }
    return a == b;
}

} // namespace

BOOST_AUTO_TEST_SUITE(spec_examples)

BOOST_AUTO_TEST_CASE(json_equal_is_strict_enough) {
    BOOST_TEST(json_equal(boost::json::parse(R"({"a":1,"b":[1,2]})"), boost::json::parse(R"({"b":[1,2],"a":1.0})")));
    BOOST_TEST(!json_equal(boost::json::parse(R"({"a":1})"), boost::json::parse(R"({"a":1,"b":null})")));
    BOOST_TEST(!json_equal(boost::json::parse(R"({"a":"1"})"), boost::json::parse(R"({"a":1})")));
    BOOST_TEST(!json_equal(boost::json::parse(R"([1,2])"), boost::json::parse(R"([2,1])")));
}

BOOST_AUTO_TEST_CASE(every_example_round_trips, *boost::unit_test::precondition(intercom::test::spec_precondition{})) {
    const auto& examples = intercom::test::spec_fixtures().at("examples").as_array();
    std::size_t ok = 0, responses = 0, requests = 0, schemas = 0, properties = 0, typed = 0, checked_extra = 0;
    std::size_t unstable = 0;
    std::vector<std::string> untyped;
    for (const auto& e : examples) {
        std::string where(e.at("where").as_string());
        std::string model(e.at("model").as_string());
        unstable += where.find("[Unstable]") != std::string::npos;
        const auto* codec = intercom::models::find_model_codec(model);
        BOOST_TEST_REQUIRE(codec != nullptr, "no model " << model << " for " << where);
        boost::json::value out;
        std::size_t unknown = 0;
        bool decoded = codec->roundtrip(e.at("value"), out, &unknown);
        BOOST_TEST(decoded, where << ": does not decode as " << model);
        if (!decoded) continue;
        bool same = json_equal(e.at("value"), out);
        BOOST_TEST(same, where << " (" << model << "): re-encoded JSON differs\n in:  "
                               << boost::json::serialize(e.at("value")) << "\n out: " << boost::json::serialize(out));
        // rules from the examples (tools/codegen README): no top-level key of any response, request or
        // schema example (2.11, and Unstable for its own operations) is left in `extra`. The only
        // exceptions are request bodies that the server rejects because of exactly that value (their
        // 4xx example has the same name); each keeps that one key, as sent, and nothing else:
        // - PUT /data_attributes/{id} (too_few_options_in_list): `options` is an object, not a list;
        // - POST /messages (no_body_supplied_for_*): `body` is `null` (a required string);
        // - POST /tags (invalid_parameters): `test` is not a parameter of any tag request.
        static const std::map<std::string, std::size_t> rejected_values = {
            {"request PUT /data_attributes/{data_attribute_id} (too_few_options_in_list)", 1},
            {"request POST /messages (no_body_supplied_for_email_message)", 1},
            {"request POST /messages (no_body_supplied_for_message)", 1},
            {"request POST /tags (invalid_parameters)", 1},
        };
        if (where.rfind("property", 0) != 0) {
            const auto it = rejected_values.find(where);
            const std::size_t allowed = it == rejected_values.end() ? 0u : it->second;
            if (it != rejected_values.end()) BOOST_TEST(e.at("rejected").as_bool(), where << " is not a rejected body");
            BOOST_TEST(unknown == allowed, where << " (" << model << "): " << unknown << " top-level keys in extra");
            ++checked_extra;
        }
        if (same) {
            ++ok;
            if (where.rfind("response", 0) == 0) ++responses;
            else if (where.rfind("request", 0) == 0) ++requests;
            else if (where.rfind("property", 0) == 0) {
                ++properties;
                if (unknown == 0) ++typed;
                else untyped.push_back(where);
            } else ++schemas;
        }
    }
    BOOST_TEST(ok == examples.size());
    BOOST_TEST(responses > 100u); // the 2.11 description has well over a hundred response examples
    BOOST_TEST(unstable >= 20u);  // and the Unstable-only operations about twenty request and response examples
    BOOST_TEST(checked_extra + properties == examples.size());
    std::printf("spec_examples: round-tripped %zu/%zu examples (%zu responses, %zu request bodies, %zu schemas, "
                "%zu property examples of which %zu decode into their typed field)\n",
                ok, examples.size(), responses, requests, schemas, properties, typed);
    for (const auto& u : untyped) std::printf("  kept in extra (spec example disagrees with its type): %s\n", u.c_str());
    // property examples that contradict their declared type are expected (§7 of intercom-api.md),
    // but they must stay a small minority
    BOOST_TEST(typed * 10 >= properties * 9);
}

BOOST_AUTO_TEST_SUITE_END()
