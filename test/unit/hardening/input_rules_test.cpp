// The pure rules behind issue 14: what may become a request line or header, dot segments, and
// header numbers that saturate instead of overflowing (UBSan checks the arithmetic here).
#include <intercom/detail/header_values.hpp>
#include <intercom/http/request_rules.hpp>
#include <intercom/pipeline/policies.hpp>
#include <intercom/rate_limit.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace intercom;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(input_rules)

BOOST_AUTO_TEST_CASE(header_names_and_values) {
    BOOST_TEST(http::is_valid_header_name("X-Custom_1.a~"));
    for (const std::string& bad : std::vector<std::string>{"", "X Y", "X:Y", "X\rY", "X\nY", "X(Y)", "X\"Y",
                                                           std::string("X\0Y", 3), "Ä"})
        BOOST_TEST(!http::is_valid_header_name(bad), bad);
    BOOST_TEST(http::is_valid_header_value(""));
    BOOST_TEST(http::is_valid_header_value("a b\tc \xC3\xA9"));
    for (const std::string& bad :
         std::vector<std::string>{"a\r\nb", "a\nb", "a\rb", std::string("a\0b", 3), "a\x7f", "a\x1b[0m"})
        BOOST_TEST(!http::is_valid_header_value(bad));
}

BOOST_AUTO_TEST_CASE(paths_and_targets) {
    for (std::string ok : {"/", "/contacts", "/contacts/a..b", "/contacts/.a", "/contacts/a%2Fb", "/x/%2e%2e%2e",
                           "/contacts/c1/tags/t1"})
        BOOST_TEST(!http::check_path(ok), ok);
    for (std::string bad : {"", "contacts", "/contacts/", "//", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a/%2e",
                            "/a/%2E%2e", "/a/.%2E/", "/a b", "/a#b", "/a?b", "/a\r\nb", "/a%", "/a%4", "/a%zz"})
        BOOST_TEST(http::check_path(bad).has_value(), bad);
    BOOST_TEST(!http::check_target("/contacts?per_page=5&starting_after=WzE2%3D"));
    BOOST_TEST(!http::check_target("/contacts?a=/?:@"));
    BOOST_TEST(http::check_target("/contacts?a=b c").has_value());
    BOOST_TEST(http::check_target("/contacts?a=%g1").has_value());
    BOOST_TEST(http::check_target("/contacts/..?a=b").has_value());

    http::request r;
    r.target = "/me";
    r.headers.set("Authorization", "Bearer t");
    BOOST_TEST(!http::check_request(r));
    r.headers.set("X-Evil", "1\r\n\r\nGET / HTTP/1.1");
    auto why = http::check_request(r);
    BOOST_TEST_REQUIRE(why.has_value());
    BOOST_TEST(why->find("X-Evil") != std::string::npos);
    BOOST_TEST(why->find("GET /") == std::string::npos);  // the value is not quoted
}

BOOST_AUTO_TEST_CASE(header_numbers_saturate) {
    using detail::parse_header_number;
    BOOST_TEST(*parse_header_number(" 42 ") == 42);
    BOOST_TEST(*parse_header_number("9223372037") == detail::header_number_max);
    BOOST_TEST(*parse_header_number("18446744074") == detail::header_number_max);
    BOOST_TEST(*parse_header_number(std::string(400, '9')) == detail::header_number_max);
    for (std::string bad : {"", "-1", "+1", "1.5", "1e3", "12abc", "0x10"}) BOOST_TEST(!parse_header_number(bad), bad);
    BOOST_TEST(detail::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").has_value());
    BOOST_TEST(!detail::parse_http_date("Sun, 06 Nov 9999 08:49:37 GMT").has_value());  // beyond the clock
    BOOST_TEST(!detail::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
}

BOOST_AUTO_TEST_CASE(retry_after_and_reset_waits_never_overflow) {
    const std::chrono::system_clock::time_point now{std::chrono::seconds{1700000000}};
    for (std::string v : {"9223372037", "18446744074", "99999999999999999999999"}) {
        auto d = pipeline::parse_retry_after(v, now);
        BOOST_TEST_REQUIRE(d.has_value());
        BOOST_TEST(d->count() > 0);  // saturated, never negative or wrapped
    }
    pipeline::default_backoff_policy backoff;
    boost::beast::http::fields h;
    pipeline::backoff_input in;
    in.http_status = 429;
    in.headers = &h;
    in.wall_now = now;
    h.set("Retry-After", "9223372037");
    BOOST_TEST(!backoff.delay(in).has_value());  // longer than max_rate_limit_wait: give up, don't storm
    h.erase("Retry-After");
    for (std::string reset : {"9300000000", "18446744073709551616", "17952505619"}) {
        h.set("X-RateLimit-Reset", reset);
        auto d = backoff.delay(in);
        BOOST_TEST_REQUIRE(d.has_value());
        BOOST_TEST((*d >= std::chrono::nanoseconds(rate_limit_snapshot::max_reset_ahead)));  // capped, not 0.8 ms
        BOOST_TEST((*d <= rate_limit_snapshot::max_reset_ahead + backoff.options().rate_limit_jitter));
    }
}

BOOST_AUTO_TEST_SUITE_END()
