#include <intercom/http/origin.hpp>

#include <boost/test/unit_test.hpp>

using intercom::http::origin;

BOOST_AUTO_TEST_SUITE(origin_parsing)

BOOST_AUTO_TEST_CASE(parses_regions_and_ports) {
    auto a = origin::parse("https://api.eu.intercom.io");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->host == "api.eu.intercom.io");
    BOOST_TEST(a->port == 443);
    BOOST_TEST(a->is_tls());
    BOOST_TEST(a->to_string() == "https://api.eu.intercom.io");
    auto b = origin::parse("HTTP://127.0.0.1:8080/base/");
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(b->scheme == "http");
    BOOST_TEST(b->port == 8080);
    BOOST_TEST(b->is_loopback());
    BOOST_TEST(b->to_string() == "http://127.0.0.1:8080");
    auto c = origin::parse("https://[::1]:9443");
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->host == "::1");
    BOOST_TEST(c->is_loopback());
}

BOOST_AUTO_TEST_CASE(rejects_bad_urls) {
    for (const char* bad : {"", "api.intercom.io", "ftp://x", "https://", "https://user:pw@host", "https://h:0",
                            "https://h:99999"}) {
        auto r = origin::parse(bad);
        BOOST_TEST(!r.has_value(), bad);
        if (!r) BOOST_TEST(r.error().code == intercom::errc::invalid_url);
    }
}

BOOST_AUTO_TEST_CASE(loopback_detection) {
    BOOST_TEST(!origin::parse("http://10.0.0.1")->is_loopback());
    BOOST_TEST(!origin::parse("http://127.evil.com")->is_loopback());
    BOOST_TEST(origin::parse("http://localhost:1")->is_loopback());
}

BOOST_AUTO_TEST_SUITE_END()
