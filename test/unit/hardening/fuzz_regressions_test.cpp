// Regression tests of the fuzzers' findings (tools/fuzz.sh). Each keeps the crashing input inline and
// checks the behaviour its fix guarantees.
#include <intercom/error.hpp>
#include <intercom/search/query.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace intercom;
namespace s = intercom::search;

BOOST_AUTO_TEST_SUITE(fuzz_regressions)

// fuzz_search_query, input 20 00 d1 ed 04 ff: decodes (see fuzz/fuzz_search_query.cpp) to
// `raw_field("\xff") == null` for every object kind. It validated, and to_json() produced a body whose
// JSON text no parser accepts (Boost.JSON writes string bytes as they are). Fixed in
// src/search/query.cpp: field names and string values must be valid UTF-8 (errc::invalid_query).
BOOST_AUTO_TEST_CASE(search_rejects_invalid_utf8_instead_of_sending_invalid_json) {
    const unsigned char reproducer[] = {0x20, 0x00, 0xd1, 0xed, 0x04, 0xff};
    const std::string field(reinterpret_cast<const char*>(reproducer) + 5, 1);  // the text bytes: "\xff"
    for (auto kind : {s::object_kind::contacts, s::object_kind::conversations, s::object_kind::tickets}) {
        s::search_request req{s::raw_field(field) == nullptr};
        auto v = s::validate(req.query, kind);
        BOOST_TEST_REQUIRE(!v);
        BOOST_TEST(v.error().code == errc::invalid_query);
        BOOST_TEST(v.error().diag.message.find("UTF-8") != std::string::npos, v.error().diag.message);
        auto j = s::to_json(req, kind);
        BOOST_TEST_REQUIRE(!j);
        BOOST_TEST(j.error().code == errc::invalid_query);
    }

    // The same rule for values, array elements, the cursor and the sort field; overlong forms and
    // surrogates are not UTF-8 either.
    const std::string bad[] = {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"};
    for (const auto& b : bad) {
        BOOST_TEST_CONTEXT("bytes of size " << b.size()) {
            BOOST_TEST(!s::validate(s::field("email") == b, s::object_kind::contacts));
            BOOST_TEST(!s::validate(s::field("email").in({"ok", b}), s::object_kind::contacts));
            s::search_request cursor{s::field("email") == "a@b.c", 10, b, std::nullopt};
            BOOST_TEST(!s::to_json(cursor, s::object_kind::contacts));
            s::validation_options any;
            any.allow_unknown_fields = true;
            s::search_request sort{s::field("email") == "a@b.c", 10, std::nullopt, s::sort_spec{b, true}};
            BOOST_TEST(!s::to_json(sort, s::object_kind::contacts, any));
        }
    }

    // Valid UTF-8 (2-, 3- and 4-byte sequences) still goes through, and the body parses back.
    s::search_request ok{s::field("name") == "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80", 10, "c\xc3\xa9", std::nullopt};
    auto j = s::to_json(ok, s::object_kind::contacts);
    BOOST_TEST_REQUIRE(bool(j), j.error().diag.message);
    boost::system::error_code ec;
    auto back = boost::json::parse(boost::json::serialize(*j), ec);
    BOOST_TEST(!ec);
    BOOST_TEST(back.at("query").at("value").as_string() == "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80");
}

BOOST_AUTO_TEST_SUITE_END()
