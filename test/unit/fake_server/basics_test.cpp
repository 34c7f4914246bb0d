// Auth, version check, rate limiter, headers on every response, TLS, request record.
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <thread>

namespace json = boost::json;
using intercom::test::running_server;
using intercom::testing::fake_server_options;

namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Sleeps until the clock-aligned limiter window has at least `room` left, so a sequence of requests
// that must share one window does.
void wait_for_room(std::chrono::milliseconds window, std::chrono::milliseconds room) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    auto left = window.count() - ms % window.count();
    if (left < room.count()) std::this_thread::sleep_for(std::chrono::milliseconds(left + 5));
}

void check_error_list(const intercom::test::http_result& r, unsigned status, const std::string& code) {
    BOOST_TEST(r.status == status);
    auto v = r.json();
    BOOST_TEST(v.at("type").as_string() == "error.list");
    BOOST_TEST(v.at("request_id").as_string() == r.header("x-request-id"));
    BOOST_TEST(!r.header("x-request-id").empty());
    BOOST_TEST(v.at("errors").as_array().at(0).at("code").as_string() == code);
}

} // namespace

BOOST_AUTO_TEST_SUITE(fake_server_basics)

BOOST_AUTO_TEST_CASE(missing_or_bad_token_gets_401_error_list) {
    running_server rs({.seed = {.contacts = 3}});
    auto c = rs.client();
    auto r = c.request("GET", "/contacts", {}, {});
    check_error_list(r, 401, "unauthorized");
    BOOST_TEST(r.json().at("errors").at(0).at("message").as_string() == "Access Token Invalid");
    check_error_list(c.request("GET", "/contacts", {}, {{"Authorization", "Bearer "}}), 401, "unauthorized");
    check_error_list(c.request("GET", "/contacts", {}, {{"Authorization", "Basic dXNlcjpwYXNz"}}), 401,
                     "unauthorized");
    BOOST_TEST(c.request("GET", "/contacts", {}, {{"Authorization", "Bearer abc"}}).status == 200u);
    BOOST_TEST(rs.server.count("GET", "/contacts") == 4u);
}

BOOST_AUTO_TEST_CASE(intercom_version_check) {
    running_server rs;
    auto c = rs.client();
    auto with_version = [&](const std::string& v) {
        return c.request("GET", "/me", {}, {{"Authorization", "Bearer t"}, {"Intercom-Version", v}});
    };
    check_error_list(with_version("3.7"), 400, "intercom_version_invalid");
    check_error_list(with_version("latest"), 400, "intercom_version_invalid");
    for (std::string ok : {"2.11", "2.10", "1.0", "Unstable", "Preview"})
        BOOST_TEST(with_version(ok).status == 200u, ok);
    BOOST_TEST(c.get("/me").status == 200u); // missing header: app default
}

BOOST_AUTO_TEST_CASE(every_response_has_rate_limit_and_request_id_headers) {
    running_server rs({.rate_limit = {.requests_per_window = 50}});
    auto c = rs.client();
    for (auto* target : {"/me", "/nope", "/contacts/missing"}) {
        auto r = c.get(target);
        BOOST_TEST(r.header("x-ratelimit-limit") == "50");
        BOOST_TEST(!r.header("x-ratelimit-remaining").empty());
        BOOST_TEST(!r.header("x-ratelimit-reset").empty());
        BOOST_TEST(!r.header("x-request-id").empty());
    }
    check_error_list(c.get("/nope"), 404, "not_found");
    check_error_list(c.get("/contacts/missing"), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(limiter_answers_429_once_budget_is_spent) {
    wait_for_room(std::chrono::seconds(10), std::chrono::seconds(2));
    running_server rs({.rate_limit = {.requests_per_window = 5, .window = std::chrono::seconds(10)}});
    auto c = rs.client();
    for (int i = 0; i < 5; ++i) {
        auto r = c.get("/me");
        BOOST_TEST(r.status == 200u);
        BOOST_TEST(r.header("x-ratelimit-remaining") == std::to_string(4 - i));
    }
    auto r = c.get("/me");
    check_error_list(r, 429, "rate_limit_exceeded");
    BOOST_TEST(r.json().at("errors").at(0).at("message").as_string() ==
               "Exceeded rate limit of 5 in 10_seconds");
    BOOST_TEST(r.header("x-ratelimit-limit") == "5");
    BOOST_TEST(r.header("x-ratelimit-remaining") == "0");
    // The end of the current clock-aligned 10-second window.
    auto reset = std::stoll(r.header("x-ratelimit-reset"));
    BOOST_TEST(reset % 10 == 0);
    BOOST_TEST(reset > unix_now());
    BOOST_TEST(reset <= unix_now() + 10);
    // Each token is its own app with its own budget.
    BOOST_TEST(c.request("GET", "/me", {}, {{"Authorization", "Bearer other"}}).status == 200u);
    BOOST_TEST(c.get("/me").status == 429u);
}

BOOST_AUTO_TEST_CASE(limiter_window_resets) {
    running_server rs({.rate_limit = {.requests_per_window = 2, .window = std::chrono::milliseconds(300)}});
    auto c = rs.client();
    wait_for_room(std::chrono::milliseconds(300), std::chrono::milliseconds(150));
    BOOST_TEST(c.get("/me").status == 200u);
    BOOST_TEST(c.get("/me").status == 200u);
    BOOST_TEST(c.get("/me").status == 429u);
    std::this_thread::sleep_for(std::chrono::milliseconds(450));
    auto r = c.get("/me");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("x-ratelimit-remaining") == "1");
}

BOOST_AUTO_TEST_CASE(record_holds_method_target_headers_body) {
    running_server rs({.seed = {.contacts = 2}});
    auto c = rs.client();
    c.request("POST", "/contacts?x=1", R"({"email":"rec@example.com"})",
              {{"Authorization", "Bearer rec"}, {"X-Custom", "yes"}});
    auto rec = rs.server.requests();
    BOOST_TEST_REQUIRE(rec.size() == 1u);
    BOOST_TEST(rec[0].method == "POST");
    BOOST_TEST(rec[0].target == "/contacts?x=1");
    BOOST_TEST(rec[0].path == "/contacts");
    BOOST_TEST(rec[0].body == R"({"email":"rec@example.com"})");
    BOOST_TEST(rec[0].header("authorization") == "Bearer rec");
    BOOST_TEST(rec[0].header("x-custom") == "yes");
    BOOST_TEST(rec[0].status == 200u);
    BOOST_TEST(rec[0].sequence == 1u);
    BOOST_TEST((rec[0].fault == intercom::testing::fault_kind::none));
    rs.server.clear_record();
    BOOST_TEST(rs.server.requests().empty());
}

BOOST_AUTO_TEST_CASE(tls_server_serves_with_generated_ca) {
    running_server rs({.tls = true, .seed = {.contacts = 3}});
    BOOST_TEST(rs.server.base_url().rfind("https://127.0.0.1:", 0) == 0u);
    BOOST_TEST(rs.server.ca_pem().find("BEGIN CERTIFICATE") != std::string::npos);
    auto c = rs.client();
    auto r = c.get("/contacts");
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.json().at("data").as_array().size() == 3u);
    BOOST_TEST(c.get("/me").status == 200u);
    BOOST_TEST(c.connects() == 1); // keep-alive over TLS
}

// Regression: bodies larger than one TLS record (16 KiB) used to stall after the headers.
BOOST_AUTO_TEST_CASE(tls_server_sends_bodies_larger_than_a_tls_record) {
    running_server rs({.tls = true, .seed = {.contacts = 200}});
    auto c = rs.client();
    auto r = c.get("/contacts?per_page=150");
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body.size() > 200'000u);
    BOOST_TEST(r.json().at("data").as_array().size() == 150u);
}

BOOST_AUTO_TEST_CASE(start_stop_and_seeding_are_deterministic) {
    std::string first_body;
    for (int i = 0; i < 2; ++i) {
        running_server rs({.seed = {.contacts = 10, .companies = 2, .conversations = 3}});
        auto c = rs.client();
        auto r = c.get("/contacts/" + rs.server.seeded_contact_id(7));
        BOOST_TEST(r.status == 200u);
        if (i == 0)
            first_body = r.body;
        else
            BOOST_TEST(r.body == first_body);
        BOOST_TEST(rs.server.object_count("contacts") == 10u);
        BOOST_TEST(rs.server.object_count("companies") == 2u);
        BOOST_TEST(rs.server.object_count("conversations") == 3u);
    }
    // Roughly the size of a real 2.11 contact.
    BOOST_TEST(first_body.size() > 1200u);
    BOOST_TEST(first_body.size() < 3000u);
}

BOOST_AUTO_TEST_CASE(io_context_run_by_several_threads) {
    running_server rs({.seed = {.contacts = 20}}, 3);
    std::vector<std::thread> clients;
    std::vector<std::vector<std::string>> created(4);
    for (int t = 0; t < 4; ++t)
        clients.emplace_back([&, t] {
            auto c = rs.client();
            for (int i = 0; i < 40; ++i) {
                auto r = c.post("/contacts", json::object{{"email", "t" + std::to_string(t) + "-" +
                                                                        std::to_string(i) + "@x.io"}});
                if (r.status == 200u)
                    created[static_cast<std::size_t>(t)].emplace_back(r.json().at("id").as_string());
                c.get("/contacts/" + rs.server.seeded_contact_id(static_cast<std::size_t>(i % 20)));
            }
        });
    for (auto& t : clients)
        t.join();
    std::set<std::string> ids;
    for (auto& v : created)
        ids.insert(v.begin(), v.end());
    BOOST_TEST(ids.size() == 160u);
    BOOST_TEST(rs.server.object_count("contacts") == 180u);
    BOOST_TEST(rs.server.requests().size() == 320u);
    BOOST_TEST(rs.server.count("POST", "/contacts") == 160u);
    BOOST_TEST(rs.server.max_in_flight() >= 1u);
    BOOST_TEST(rs.server.max_in_flight() <= 4u);
}

BOOST_AUTO_TEST_CASE(stop_closes_listener_and_open_connections) {
    running_server rs;
    auto c = rs.client();
    BOOST_TEST(c.get("/me").status == 200u);
    rs.server.stop();
    auto after = c.get("/me"); // the kept-alive connection is closed by stop()
    BOOST_TEST(static_cast<bool>(after.ec));
    auto fresh = rs.client().get("/me"); // and nothing listens any more
    BOOST_TEST(static_cast<bool>(fresh.ec));
    rs.server.stop(); // idempotent
}

BOOST_AUTO_TEST_SUITE_END()
