// The access token never appears in anything the library produces for a failing call: log lines
// (trace level, headers included), events, error codes, diagnostics (message, request id, error
// entries, body excerpt), what() of error_info and of the thrown api_error.
//
// The server is hostile on purpose: it echoes the token in error messages, fields, request ids and
// bodies, including right across the 2048-byte cut of the body excerpt.
#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/pipeline/policies.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace tst = intercom::testing;

namespace {

const std::string token = "tok_SECRET_9f8e7d6c5b4a39281706";

/// Everything the library said, as text.
struct capture {
    std::string text;
    std::size_t log_lines = 0;
    std::size_t events = 0;

    void log(pipeline::log_level l, std::string_view line) {
        ++log_lines;
        text += "[log " + std::to_string(int(l)) + "] " + std::string(line) + "\n";
    }

    void event(const pipeline::event& e) {
        ++events;
        std::ostringstream os;
        os << "[event " << int(e.kind) << "] op=" << e.operation << " " << boost::beast::http::to_string(e.method)
           << " " << e.target << " attempt=" << e.attempt << " status=" << e.http_status << " error=" << e.error
           << " (" << e.error.message() << ") reason=" << e.reason << " bytes=" << e.request_bytes << "/"
           << e.response_bytes;
        if (e.rate_limit)
            os << " rl=" << e.rate_limit->limit << "/" << e.rate_limit->remaining;
        text += os.str() + "\n";
    }

    void error(const error_info& e) {
        std::ostringstream os;
        os << "[error] " << e.code << " " << e.code.message() << " " << e.code.to_string() << "\n what: " << e.what()
           << "\n message: " << e.diag.message << "\n request_id: " << e.diag.request_id
           << "\n excerpt: " << e.diag.body_excerpt << "\n cause: " << e.diag.cause << " " << e.diag.cause.message()
           << "\n " << e.diag.method << " " << e.diag.target << " status " << e.diag.http_status;
        if (e.code.category() == error_category()) os << "\n errc: " << static_cast<errc>(e.code.value());
        for (const auto& x : e.diag.errors)
            os << "\n entry: " << x.code << " | " << x.message.value_or("") << " | " << x.field.value_or("");
        text += os.str() + "\n";
    }
};

client make_client(asio::io_context& ioc, capture* cap, std::string base_url, unsigned attempts,
                   std::chrono::milliseconds attempt_timeout) {
    client_options o;
    o.token = token;
    o.base_url = std::move(base_url);
    o.attempt_timeout = attempt_timeout;
    o.timeout = 5s;
    o.pipeline.max_attempts = attempts;
    pipeline::backoff_options bo;
    bo.initial = 5ms;
    bo.max = 20ms;
    bo.rate_limit_jitter = 1ms;
    bo.rate_limit_fallback = 10ms;
    bo.max_rate_limit_wait = 50ms;  // surface the 429 instead of waiting for the window
    o.pipeline.backoff_policy = std::make_shared<pipeline::default_backoff_policy>(bo);
    o.pipeline.logger.level = pipeline::log_level::trace;
    o.pipeline.logger.sink = [cap](pipeline::log_level l, std::string_view line) { cap->log(l, line); };
    o.pipeline.on_event = [cap](const pipeline::event& e) { cap->event(e); };
    return client(ioc.get_executor(), o);
}

/// Runs one failing call, captures its error and the exception of the throwing style.
error_info fail_once(asio::io_context& ioc, const client& c, capture& cap, std::string path) {
    auto r = test::run_coro(ioc, c.request(boost::beast::http::verb::get, std::move(path)), 20s);
    BOOST_TEST_REQUIRE(!r);
    cap.error(r.error());
    try {
        (void)r.value();
        BOOST_FAIL("value() of an error did not throw");
    } catch (const api_error& ex) {
        cap.text += std::string("[api_error] ") + ex.what() + "\n" + ex.info().what() + "\n";
    } catch (const std::exception& ex) {
        cap.text += std::string("[exception] ") + ex.what() + "\n";
    }
    return r.error();
}

void require_no_token(const capture& cap) {
    // The whole token, and either half of it (a token cut at a size limit must not leak either).
    const std::string head = token.substr(0, token.size() / 2);
    const std::string tail = token.substr(token.size() / 2);
    BOOST_TEST(cap.text.find(token) == std::string::npos, cap.text);
    BOOST_TEST(cap.text.find(head) == std::string::npos);
    BOOST_TEST(cap.text.find(tail) == std::string::npos);
}

std::string echoing_error_body(const std::string& code) {
    return R"({"type":"error.list","request_id":")" + token + R"(","errors":[{"code":")" + code +
           R"(","message":"Access Token Invalid: Bearer )" + token + R"(","field":")" + token + R"("}]})";
}

} // namespace

BOOST_AUTO_TEST_SUITE(security_redaction)

BOOST_AUTO_TEST_CASE(token_never_appears_in_any_output_of_failing_calls) {
    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(), {.seed = {.contacts = 2}, .rate_limit = {.window = 1s}});
    server.start();
    capture cap;

    // 401 echoing the token in request_id, message and field.
    server.add_fault({.method = "GET", .path = "/me", .nth = 1, .count = 0,
                      .action = {.kind = tst::fault_kind::status, .status = 401, .body = echoing_error_body("unauthorized")}});
    // 500 (retried to the end) whose body carries the token across the excerpt's 2048-byte cut.
    std::string padded = R"({"type":"error.list","errors":[{"code":"server_error","message":")";
    padded += std::string(body_excerpt_limit - 8 - padded.size(), 'p') + token + R"("}],"echo":")" + token + "\"}";
    server.add_fault({.method = "GET", .path = "/admins", .nth = 1, .count = 0,
                      .action = {.kind = tst::fault_kind::status, .status = 500, .body = padded}});
    // 429 echoing the token, and a 422-shaped {"error_key": ...} body.
    server.add_fault({.method = "GET", .path = "/tags", .nth = 1, .count = 0,
                      .action = {.kind = tst::fault_kind::status, .status = 429, .body = echoing_error_body("rate_limit_exceeded")}});
    server.add_fault({.method = "GET", .path = "/teams", .nth = 1, .count = 0,
                      .action = {.kind = tst::fault_kind::status, .status = 422,
                                 .body = R"({"error_key":")" + token + R"(","message":")" + token + R"("})"}});
    // Transport failures: reset before headers, and an answer slower than the attempt timeout.
    server.add_fault({.method = "GET", .path = "/segments", .nth = 1, .count = 0,
                      .action = {.kind = tst::fault_kind::reset_before_headers}});
    server.add_fault({.method = "GET", .path = "/data_attributes", .nth = 1, .count = 0,
                      .action = {.kind = tst::fault_kind::none, .delay = 400ms}});

    client c = make_client(ioc, &cap, server.base_url(), 2, 100ms);
    auto e401 = fail_once(ioc, c, cap, "/me");
    BOOST_TEST(e401.code == errc::unauthorized);
    BOOST_TEST(e401.diag.first_error_code() == "unauthorized");
    BOOST_TEST(e401.diag.body_excerpt.find("[redacted]") != std::string::npos);  // scrubbed, not dropped
    auto e500 = fail_once(ioc, c, cap, "/admins");
    BOOST_TEST(e500.code == errc::internal_server_error);
    BOOST_TEST(e500.diag.attempts == 2u);
    BOOST_TEST(e500.diag.body_excerpt.size() <= body_excerpt_limit);
    BOOST_TEST(e500.diag.body_excerpt.find("pppp") != std::string::npos);
    auto e429 = fail_once(ioc, c, cap, "/tags");
    BOOST_TEST(e429.code == errc::rate_limited);
    auto e422 = fail_once(ioc, c, cap, "/teams");
    BOOST_TEST(e422.code == errc::unprocessable_entity);
    BOOST_TEST(e422.diag.errors.size() == 1u);
    auto reset = fail_once(ioc, c, cap, "/segments");
    BOOST_TEST(reset.code == errc::connection_closed);
    auto slow = fail_once(ioc, c, cap, "/data_attributes");
    BOOST_TEST(slow.code == errc::attempt_timeout, slow.what());

    // Connection refused: a port that was just free.
    std::uint16_t dead_port = 0;
    {
        asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        dead_port = a.local_endpoint().port();
    }
    client refused = make_client(ioc, &cap, "http://127.0.0.1:" + std::to_string(dead_port), 1, 100ms);
    auto conn = fail_once(ioc, refused, cap, "/me");
    BOOST_TEST(conn.code == errc::connect_failed, conn.what());

    // The token really was sent (the test is not vacuous) and the output really was captured.
    std::size_t with_token = 0;
    for (const auto& r : server.requests())
        if (r.header("Authorization") == "Bearer " + token) ++with_token;
    BOOST_TEST(with_token >= 7u);
    BOOST_TEST(cap.log_lines >= 10u);
    BOOST_TEST(cap.events >= 10u);
    BOOST_TEST(cap.text.find("Authorization: [redacted]") != std::string::npos);
    BOOST_TEST(cap.text.find("HTTP 500") != std::string::npos);
    require_no_token(cap);
    server.stop();
}

BOOST_AUTO_TEST_SUITE_END()
