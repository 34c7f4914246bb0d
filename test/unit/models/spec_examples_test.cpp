// Every example of the 2.11 description (responses, request bodies, schemas) decodes into its
// model and re-encodes to the same JSON (up to key order and 5 vs 5.0).
#include "spec_fixtures.hpp"

#include <intercom/models/registry.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>

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
    std::size_t ok = 0, responses = 0, requests = 0, schemas = 0, properties = 0, typed = 0;
    std::vector<std::string> untyped;
    for (const auto& e : examples) {
        std::string where(e.at("where").as_string());
        std::string model(e.at("model").as_string());
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
        // rules from the examples (tools/codegen README): no top-level key of a response, request or
        // schema example is left in `extra`
        // Exceptions, each kept in `extra` on purpose or not solved yet:
        // - request examples of deliberately invalid bodies, answered with a 4xx (an object or objects
        //   where the schema has a list of strings, `null` for a required string, an unknown key):
        //   keeping those values as sent is right;
        // - GET /news/news_items/{id}: `reactions` is `[null, null, ...]`, a list of strings with null
        //   items; typing it needs `std::vector<nullable<std::string>>` (not done yet, issue 16).
        const bool invalid_request = where.find("(too_few_options_in_list)") != std::string::npos ||
                                     where.find("(too_few_options_for_list)") != std::string::npos ||
                                     where.find("(no_body_supplied_for") != std::string::npos ||
                                     where == "request POST /tags (invalid_parameters)";
        const bool null_list_items = where == "response GET /news/news_items/{news_item_id} 200 (successful)";
        if (where.rfind("property", 0) != 0 && !invalid_request && !null_list_items)
            BOOST_TEST(unknown == 0u, where << " (" << model << "): " << unknown << " top-level keys in extra");
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
    std::printf("spec_examples: round-tripped %zu/%zu examples (%zu responses, %zu request bodies, %zu schemas, "
                "%zu property examples of which %zu decode into their typed field)\n",
                ok, examples.size(), responses, requests, schemas, properties, typed);
    for (const auto& u : untyped) std::printf("  kept in extra (spec example disagrees with its type): %s\n", u.c_str());
    // property examples that contradict their declared type are expected (§7 of intercom-api.md),
    // but they must stay a small minority
    BOOST_TEST(typed * 10 >= properties * 9);
}

BOOST_AUTO_TEST_SUITE_END()
