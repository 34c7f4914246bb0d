#include <intercom/diagnostics.hpp>
#include <intercom/error.hpp>
#include <intercom/rate_limit.hpp>
#include <intercom/result.hpp>

#include <boost/test/unit_test.hpp>

using namespace intercom;

BOOST_AUTO_TEST_SUITE(error_model)

BOOST_AUTO_TEST_CASE(http_status_maps_to_codes) {
    BOOST_TEST(!error_from_http_status(200));
    BOOST_TEST(!error_from_http_status(204));
    BOOST_TEST(error_from_http_status(400) == errc::bad_request);
    BOOST_TEST(error_from_http_status(401) == errc::unauthorized);
    BOOST_TEST(error_from_http_status(404) == errc::not_found);
    BOOST_TEST(error_from_http_status(418) == errc::client_error);
    BOOST_TEST(error_from_http_status(429) == errc::rate_limited);
    BOOST_TEST(error_from_http_status(503) == errc::service_unavailable);
    BOOST_TEST(error_from_http_status(599) == errc::server_error);
    BOOST_TEST(error_from_http_status(302) == errc::unexpected_status);
    BOOST_TEST(is_http_error(make_error_code(errc::gateway_timeout)));
    BOOST_TEST(!is_http_error(make_error_code(errc::connect_failed)));
}

BOOST_AUTO_TEST_CASE(transient_classification) {
    BOOST_TEST(is_transient(errc::rate_limited));
    BOOST_TEST(is_transient(errc::bad_gateway));
    BOOST_TEST(is_transient(errc::connection_closed));
    BOOST_TEST(!is_transient(errc::not_found));
    BOOST_TEST(!is_transient(errc::tls_verification_failed));
    BOOST_TEST(!is_transient(errc::cancelled));
    BOOST_TEST(!is_transient(boost::system::error_code{}));
}

BOOST_AUTO_TEST_CASE(category_messages_are_distinct) {
    BOOST_TEST(error_category().name() == std::string("intercom"));
    BOOST_TEST(make_error_code(errc::rate_limited).message() != make_error_code(errc::not_found).message());
    BOOST_TEST(make_error_code(static_cast<errc>(9999)).message().find("9999") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parses_error_list_with_every_entry) {
    diagnostics d;
    d.parse_error_body(R"({"type":"error.list","request_id":"b2i3mhcboc6pcbe33q80","errors":[
        {"code":"parameter_invalid","message":"Email invalid","field":"email"},
        {"code":"not_found","message":null}]})");
    BOOST_TEST(d.request_id == "b2i3mhcboc6pcbe33q80");
    BOOST_TEST_REQUIRE(d.errors.size() == 2u);
    BOOST_TEST(d.errors[0].code == "parameter_invalid");
    BOOST_TEST(*d.errors[0].field == "email");
    BOOST_TEST(!d.errors[1].message.has_value());
    BOOST_TEST(d.first_error_code() == "parameter_invalid");
}

BOOST_AUTO_TEST_CASE(tolerates_other_and_broken_bodies) {
    diagnostics a;
    a.parse_error_body(R"({"error_key":"invalid_phone_number","message":"bad number"})");
    BOOST_TEST_REQUIRE(a.errors.size() == 1u);
    BOOST_TEST(a.errors[0].code == "invalid_phone_number");
    diagnostics b;
    b.parse_error_body("<html>502 Bad Gateway</html>");
    b.parse_error_body(R"({"errors":[1,"x",{"code":5}]})");
    BOOST_TEST(b.errors.size() == 1u);  // only the object entry, with an empty code
    diagnostics c;
    c.set_body_excerpt(std::string(10000, 'x'));
    BOOST_TEST(c.body_excerpt.size() == body_excerpt_limit);
}

BOOST_AUTO_TEST_CASE(rate_limit_headers) {
    boost::beast::http::fields h;
    BOOST_TEST(!rate_limit_snapshot::from_headers(h));
    h.set("X-RateLimit-Limit", "167");
    h.set("X-RateLimit-Remaining", " 12 ");
    h.set("X-RateLimit-Reset", "1487332520");
    const std::chrono::system_clock::time_point now{std::chrono::seconds{1487332512}};
    auto s = rate_limit_snapshot::from_headers(h, now);
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(s->limit == 167);
    BOOST_TEST(s->remaining == 12);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(s->reset.time_since_epoch()).count() == 1487332520);
    // With the server's Date, the reset is moved onto our clock: the server is 100 s ahead of us here
    // and its window ends 8 s after its own now.
    h.set("Date", "Fri, 17 Feb 2017 11:56:52 GMT");  // 1487332612
    h.set("X-RateLimit-Reset", "1487332620");
    s = rate_limit_snapshot::from_headers(h, now);
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST((s->reset == now + std::chrono::seconds(8)));
    h.erase("Date");
    h.set("X-RateLimit-Limit", "0");  // a zero limit would lock the client out: unusable
    BOOST_TEST(!rate_limit_snapshot::from_headers(h, now));
    h.set("X-RateLimit-Limit", "10");  // remaining is at most the limit
    BOOST_TEST(rate_limit_snapshot::from_headers(h, now)->remaining == 10);
    h.set("X-RateLimit-Remaining", "abc");
    BOOST_TEST(!rate_limit_snapshot::from_headers(h));
}

BOOST_AUTO_TEST_CASE(result_throws_api_error_with_diagnostics) {
    error_info e{errc::not_found};
    e.diag.http_status = 404;
    e.diag.request_id = "req-1";
    e.diag.errors.push_back({"not_found", "Resource Not Found", std::nullopt});
    result<int> r = e;
    BOOST_TEST(!r.has_value());
    try {
        (void)r.value();
        BOOST_FAIL("value() should throw");
    } catch (const api_error& ex) {
        BOOST_TEST(ex.code() == errc::not_found);
        BOOST_TEST(ex.diagnostics().request_id == "req-1");
        std::string what = ex.what();
        BOOST_TEST(what.find("HTTP 404") != std::string::npos);
        BOOST_TEST(what.find("request_id=req-1") != std::string::npos);
        BOOST_TEST(what.find("not_found: Resource Not Found") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
