// Each fault kind happens exactly as scripted: the client-observed effect and the server's record.
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

namespace json = boost::json;
namespace http = boost::beast::http;
using intercom::test::running_server;
using intercom::testing::fault_kind;
using intercom::testing::fault_rule;

namespace {

std::vector<intercom::testing::recorded_request> faulted(const intercom::testing::fake_server& s) {
    std::vector<intercom::testing::recorded_request> out;
    for (auto& r : s.requests())
        if (r.fault != fault_kind::none) out.push_back(r);
    return out;
}

struct fault_fixture {
    running_server rs{{.seed = {.contacts = 5}}};
    intercom::test::sync_client c = rs.client();
    std::string id = rs.server.seeded_contact_id(0);
    std::string target = "/contacts/" + id;
};

} // namespace

BOOST_AUTO_TEST_SUITE(fake_server_faults)

BOOST_FIXTURE_TEST_CASE(nth_request_gets_status, fault_fixture) {
    int rule = rs.server.add_fault({.method = "GET",
                                    .path = "/contacts/{id}",
                                    .nth = 3,
                                    .action = {.kind = fault_kind::status, .status = 503}});
    std::vector<unsigned> statuses;
    for (int i = 0; i < 4; ++i)
        statuses.push_back(c.get(target).status);
    BOOST_TEST((statuses == std::vector<unsigned>{200, 200, 503, 200}));
    BOOST_TEST(c.get("/contacts").status == 200u); // other routes are not affected
    auto f = faulted(rs.server);
    BOOST_TEST_REQUIRE(f.size() == 1u);
    BOOST_TEST(f[0].sequence == 3u);
    BOOST_TEST(f[0].fault_rule == rule);
    BOOST_TEST(f[0].status == 503u);
    BOOST_TEST((f[0].fault == fault_kind::status));
}

BOOST_FIXTURE_TEST_CASE(every_request_from_the_second_on, fault_fixture) {
    rs.server.add_fault(
        {.path = "/contacts/*", .nth = 2, .count = 0, .action = {.kind = fault_kind::status, .status = 502}});
    std::vector<unsigned> statuses;
    for (int i = 0; i < 5; ++i)
        statuses.push_back(c.get(target).status);
    BOOST_TEST((statuses == std::vector<unsigned>{200, 502, 502, 502, 502}));
    auto r = c.get(target);
    BOOST_TEST(r.json().at("type").as_string() == "error.list");
    BOOST_TEST(r.json().at("errors").at(0).at("code").as_string() == "server_error");
    BOOST_TEST(faulted(rs.server).size() == 5u);
}

BOOST_FIXTURE_TEST_CASE(injected_429_carries_rate_limit_headers, fault_fixture) {
    rs.server.add_fault({.action = {.kind = fault_kind::status, .status = 429}});
    auto r = c.get(target);
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(r.header("x-ratelimit-remaining") == "0");
    BOOST_TEST(!r.header("x-ratelimit-limit").empty());
    BOOST_TEST(!r.header("x-ratelimit-reset").empty());
    BOOST_TEST(r.json().at("errors").at(0).at("code").as_string() == "rate_limit_exceeded");
    BOOST_TEST(c.get(target).status == 200u);
}

BOOST_FIXTURE_TEST_CASE(status_with_custom_body_and_statuses, fault_fixture) {
    rs.server.add_fault(
        {.nth = 1, .action = {.kind = fault_kind::status, .status = 500, .body = "<html>oops</html>"}});
    rs.server.add_fault({.nth = 2, .action = {.kind = fault_kind::status, .status = 504}});
    auto a = c.get(target);
    BOOST_TEST(a.status == 500u);
    BOOST_TEST(a.body == "<html>oops</html>");
    BOOST_TEST(c.get(target).status == 504u);
}

BOOST_FIXTURE_TEST_CASE(delay, fault_fixture) {
    rs.server.add_fault(
        {.method = "GET", .action = {.kind = fault_kind::none, .delay = std::chrono::milliseconds(150)}});
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.get(target);
    auto waited = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(waited >= std::chrono::milliseconds(150));
    BOOST_TEST(rs.server.requests().at(0).fault_rule == 0);
}

BOOST_FIXTURE_TEST_CASE(reset_before_headers_applies_the_request_but_loses_the_answer, fault_fixture) {
    rs.server.add_fault(
        {.method = "POST", .path = "/contacts", .action = {.kind = fault_kind::reset_before_headers}});
    auto r = c.post("/contacts", json::object{{"email", "lost@example.com"}});
    BOOST_TEST(static_cast<bool>(r.ec));
    BOOST_TEST(r.status == 0u);
    BOOST_TEST(rs.server.object_count("contacts") == 6u); // it was applied
    auto f = faulted(rs.server);
    BOOST_TEST_REQUIRE(f.size() == 1u);
    BOOST_TEST(f[0].status == 0u);
    BOOST_TEST((f[0].fault == fault_kind::reset_before_headers));
    // The retry is now a conflict, as with the real API.
    BOOST_TEST(c.post("/contacts", json::object{{"email", "lost@example.com"}}).status == 409u);
}

BOOST_FIXTURE_TEST_CASE(reset_after_headers, fault_fixture) {
    rs.server.add_fault({.action = {.kind = fault_kind::reset_after_headers}});
    auto r = c.get(target);
    BOOST_TEST(static_cast<bool>(r.ec));
    BOOST_TEST(r.status == 200u); // headers arrived
    BOOST_TEST(!r.header("content-length").empty());
    BOOST_TEST(r.body.size() < std::stoul(r.header("content-length")));
    BOOST_TEST(c.get(target).status == 200u);
    BOOST_TEST(c.connects() == 2);
}

BOOST_FIXTURE_TEST_CASE(truncated_body, fault_fixture) {
    rs.server.add_fault({.action = {.kind = fault_kind::truncated_body}});
    auto r = c.get(target);
    BOOST_TEST((r.ec == http::error::partial_message), r.ec.message());
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body.size() < std::stoul(r.header("content-length")));
    BOOST_TEST((faulted(rs.server).at(0).fault == fault_kind::truncated_body));
}

BOOST_FIXTURE_TEST_CASE(malformed_json, fault_fixture) {
    rs.server.add_fault({.action = {.kind = fault_kind::malformed_json}});
    auto r = c.get(target);
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body.size() == std::stoul(r.header("content-length")));
    boost::system::error_code ec;
    json::parse(r.body, ec);
    BOOST_TEST(static_cast<bool>(ec));
}

BOOST_FIXTURE_TEST_CASE(wrong_content_type, fault_fixture) {
    rs.server.add_fault({.action = {.kind = fault_kind::wrong_content_type}});
    auto r = c.get(target);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("content-type").find("text/html") == 0u);
    BOOST_TEST(c.get(target).header("content-type").find("application/json") == 0u);
}

BOOST_FIXTURE_TEST_CASE(connection_close, fault_fixture) {
    rs.server.add_fault({.action = {.kind = fault_kind::connection_close}});
    auto r = c.get(target);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("connection") == "close");
    BOOST_TEST(!r.keep_alive);
    BOOST_TEST(c.get(target).status == 200u);
    BOOST_TEST(c.connects() == 2);
    BOOST_TEST(rs.server.connections_accepted() == 2u);
}

BOOST_FIXTURE_TEST_CASE(slow_trickle, fault_fixture) {
    rs.server.add_fault({.action = {.kind = fault_kind::slow_trickle,
                                    .trickle_chunk = 256,
                                    .trickle_interval = std::chrono::milliseconds(2)}});
    auto expected = c.get("/contacts/" + id); // trickled
    auto plain = c.get("/contacts/" + id);
    BOOST_TEST(!expected.ec);
    BOOST_TEST(expected.status == 200u);
    BOOST_TEST(expected.body == plain.body);
    BOOST_TEST((rs.server.requests().at(0).fault == fault_kind::slow_trickle));
    BOOST_TEST((rs.server.requests().at(1).fault == fault_kind::none));
}

BOOST_AUTO_TEST_CASE(tls_handshake_failure) {
    running_server rs({.tls = true});
    rs.server.add_fault({.nth = 1, .action = {.kind = fault_kind::tls_handshake_failure}});
    auto c = rs.client();
    auto r = c.get("/me");
    BOOST_TEST(static_cast<bool>(r.ec));
    BOOST_TEST(c.get("/me").status == 200u); // the next connection is fine
    auto rec = rs.server.requests();
    BOOST_TEST_REQUIRE(rec.size() == 2u);
    BOOST_TEST((rec[0].fault == fault_kind::tls_handshake_failure));
    BOOST_TEST(rec[0].method.empty());
    BOOST_TEST(rs.server.count("GET", "/me") == 1u);
}

BOOST_FIXTURE_TEST_CASE(max_in_flight_is_recorded, fault_fixture) {
    rs.server.add_fault({.count = 0, .action = {.delay = std::chrono::milliseconds(400)}});
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            auto cl = rs.client();
            if (cl.get(target).status == 200u) ++ok;
        });
    for (auto& t : threads)
        t.join();
    BOOST_TEST(ok == 4);
    BOOST_TEST(rs.server.max_in_flight() == 4u);
    BOOST_TEST(rs.server.connections_accepted() == 4u); // the fixture client connects lazily, never used here
}

BOOST_AUTO_TEST_SUITE_END()
