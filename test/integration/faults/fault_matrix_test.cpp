// Fault matrix (issue 8, item 3): every fault kind the fake server injects x three operation
// classes, through the real client (request pipeline + HTTPS transport, TLS for the handshake row).
//
// Each cell: a fresh fake server, a fresh transport (so the first attempt always runs on a new
// connection: the transport's one transparent retry on *reused* connections never hides a fault
// here, every resend below is the pipeline's), one call, then a follow-up `GET /contacts` proving
// the client still works. The fault hits the first matching request only.
//
// Expected outcomes, derived from the rules (pipeline/policies.hpp, error.hpp, transport docs):
// - 429: always retried (the server rejected before processing): success, 2 requests, even for a
//   creating POST (exactly one object created).
// - 500/502/503/504: safe GET and idempotent PUT retry -> success, 2 requests; a creating POST is
//   not replay-safe and may have been processed -> the typed status error, 1 attempt, 1 request,
//   nothing created (the fake answers the status without running the handler).
// - reset before headers / reset mid-body / truncated body: the transport reports
//   `connection_closed` (stage sent / response_started); GET/PUT retry -> success, 2 requests; the
//   creating POST is not resent -> `connection_closed`, 1 request. The fake *did* apply it (the
//   handler ran before the connection broke), so exactly one contact exists: never duplicated.
// - slow trickle past the attempt timeout: `attempt_timeout` (transient); GET/PUT retry ->
//   success, 2 requests; POST -> `attempt_timeout`, 1 request, applied once.
// - malformed JSON on a 200: the pipeline returns the response (attempts 1, 1 request);
//   decoding is the caller's: `api_response::json()` fails with `errc::decode_error`.
// - wrong content type (valid JSON labelled text/html): success, 1 request; the body decodes.
// - keep-alive close (`Connection: close`): success, 1 request; the follow-up call runs on a new
//   connection (2 connections accepted).
// - TLS handshake failure (server writes non-TLS bytes): `tls_handshake_failed`, which is not a
//   transient error (a broken handshake is a configuration problem, retrying cannot fix it):
//   1 attempt, no HTTP request reaches the server, nothing created.
#include <intercom/client.hpp>
#include <intercom/error.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <iterator>
#include <optional>
#include <sstream>
#include <string>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace tst = intercom::testing;

namespace {

enum class op { get, put, create };

const char* to_string(op o) {
    switch (o) {
    case op::get: return "safe GET /contacts/{id}";
    case op::put: return "idempotent PUT /contacts/{id}";
    case op::create: return "creating POST /contacts";
    }
    return "?";
}

constexpr operation_info retrieve_contact{"contacts.retrieve", "ShowContact", bhttp::verb::get,
                                          "/contacts/{contact_id}", retry_class::safe};
constexpr operation_info update_contact{"contacts.update", "UpdateContact", bhttp::verb::put,
                                        "/contacts/{contact_id}", retry_class::idempotent};
constexpr operation_info create_contact{"contacts.create", "CreateContact", bhttp::verb::post, "/contacts",
                                        retry_class::create};

struct expected {
    std::optional<errc> error;  ///< nullopt: success
    unsigned attempts = 1;      ///< as reported by the client (result or diagnostics)
    std::size_t requests = 1;   ///< requests the server recorded for the cell's method and path
    bool decode_error = false;  ///< the 2xx body fails api_response::json()
};

struct cell {
    const char* fault_name;
    tst::fault action;
    op operation;
    expected want;
};

tst::fault status(unsigned s) { return {.kind = tst::fault_kind::status, .status = s}; }
tst::fault kind(tst::fault_kind k) { return {.kind = k}; }
// 16 bytes per 20 ms: a ~1-2 KB contact body takes > 1 s, far past the 300 ms attempt timeout.
const tst::fault trickle{.kind = tst::fault_kind::slow_trickle, .trickle_chunk = 16, .trickle_interval = 20ms};

constexpr expected ok_after_retry{std::nullopt, 2, 2};
constexpr expected ok_first{std::nullopt, 1, 1};
constexpr expected ok_undecodable{std::nullopt, 1, 1, true};
constexpr expected fails_once(errc e) { return {e, 1, 1}; }
constexpr expected handshake_refused{errc::tls_handshake_failed, 1, 0};

using fk = tst::fault_kind;

// clang-format off
const cell cells[] = {
    {"429",                   status(429), op::get,    ok_after_retry},
    {"429",                   status(429), op::put,    ok_after_retry},
    {"429",                   status(429), op::create, ok_after_retry},
    {"500",                   status(500), op::get,    ok_after_retry},
    {"500",                   status(500), op::put,    ok_after_retry},
    {"500",                   status(500), op::create, fails_once(errc::internal_server_error)},
    {"502",                   status(502), op::get,    ok_after_retry},
    {"502",                   status(502), op::put,    ok_after_retry},
    {"502",                   status(502), op::create, fails_once(errc::bad_gateway)},
    {"503",                   status(503), op::get,    ok_after_retry},
    {"503",                   status(503), op::put,    ok_after_retry},
    {"503",                   status(503), op::create, fails_once(errc::service_unavailable)},
    {"504",                   status(504), op::get,    ok_after_retry},
    {"504",                   status(504), op::put,    ok_after_retry},
    {"504",                   status(504), op::create, fails_once(errc::gateway_timeout)},
    {"reset_before_headers",  kind(fk::reset_before_headers), op::get,    ok_after_retry},
    {"reset_before_headers",  kind(fk::reset_before_headers), op::put,    ok_after_retry},
    {"reset_before_headers",  kind(fk::reset_before_headers), op::create, fails_once(errc::connection_closed)},
    {"reset_after_headers",   kind(fk::reset_after_headers),  op::get,    ok_after_retry},
    {"reset_after_headers",   kind(fk::reset_after_headers),  op::put,    ok_after_retry},
    {"reset_after_headers",   kind(fk::reset_after_headers),  op::create, fails_once(errc::connection_closed)},
    {"truncated_body",        kind(fk::truncated_body),       op::get,    ok_after_retry},
    {"truncated_body",        kind(fk::truncated_body),       op::put,    ok_after_retry},
    {"truncated_body",        kind(fk::truncated_body),       op::create, fails_once(errc::connection_closed)},
    {"malformed_json",        kind(fk::malformed_json),       op::get,    ok_undecodable},
    {"malformed_json",        kind(fk::malformed_json),       op::put,    ok_undecodable},
    {"malformed_json",        kind(fk::malformed_json),       op::create, ok_undecodable},
    {"wrong_content_type",    kind(fk::wrong_content_type),   op::get,    ok_first},
    {"wrong_content_type",    kind(fk::wrong_content_type),   op::put,    ok_first},
    {"wrong_content_type",    kind(fk::wrong_content_type),   op::create, ok_first},
    {"slow_trickle",          trickle,                        op::get,    ok_after_retry},
    {"slow_trickle",          trickle,                        op::put,    ok_after_retry},
    {"slow_trickle",          trickle,                        op::create, fails_once(errc::attempt_timeout)},
    {"connection_close",      kind(fk::connection_close),     op::get,    ok_first},
    {"connection_close",      kind(fk::connection_close),     op::put,    ok_first},
    {"connection_close",      kind(fk::connection_close),     op::create, ok_first},
    {"tls_handshake_failure", kind(fk::tls_handshake_failure), op::get,    handshake_refused},
    {"tls_handshake_failure", kind(fk::tls_handshake_failure), op::put,    handshake_refused},
    {"tls_handshake_failure", kind(fk::tls_handshake_failure), op::create, handshake_refused},
};
// clang-format on

// How many objects the cell must leave created (creating POST only): applied once unless the
// server rejected it before processing (status faults) or never saw it (handshake).
std::size_t created_by(const cell& c) {
    if (c.operation != op::create) return 0;
    if (c.action.kind == fk::tls_handshake_failure) return 0;
    if (c.action.kind == fk::status) return c.want.error ? 0 : 1; // 429 retried: one create
    return 1;
}

struct cell_result {
    result<api_response> first = error_info{};
    result<api_response> follow_up = error_info{};
};

// (No co_await inside the aggregate initialiser: g++ 12 miscompiles that.)
asio::awaitable<cell_result> run_cell(client c, api_request req, api_request follow) {
    cell_result out;
    auto first = co_await c.execute(std::move(req));
    out.first = std::move(first);
    auto second = co_await c.execute(std::move(follow));
    out.follow_up = std::move(second);
    co_return out;
}

std::string describe(const result<api_response>& r) {
    std::ostringstream os;
    if (r)
        os << "ok status " << r->status << " attempts " << r->attempts;
    else
        os << "error " << r.error().code.message() << " (http " << r.error().diag.http_status << ", attempts "
           << r.error().diag.attempts << ", stage " << int(r.error().diag.stage) << ", cause "
           << r.error().diag.cause.message() << ")";
    return os.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(fault_matrix)

BOOST_DATA_TEST_CASE(cell_outcome, boost::unit_test::data::xrange(std::size(cells)), index) {
    const cell& c = cells[index];
    const bool tls = c.action.kind == fk::tls_handshake_failure;
    BOOST_TEST_CONTEXT("cell " << index << ": fault " << c.fault_name << " x " << to_string(c.operation)) {
        asio::io_context ioc;
        tst::fake_server server(ioc.get_executor(),
                                {.tls = tls,
                                 .seed = {.contacts = 5},
                                 // 1 s windows: a 429's X-RateLimit-Reset is at most ~2 s away.
                                 .rate_limit = {.requests_per_window = 100000, .window = 1s}});
        server.start();

        http::transport_options topts;
        if (tls) {
            topts.tls.use_system_trust_store = false;
            topts.tls.ca_pem = server.ca_pem();
        }
        auto transport = std::make_shared<http::https_transport>(ioc.get_executor(), topts);

        client_options o;
        o.token = "matrix-token";
        o.base_url = server.base_url();
        o.attempt_timeout = 300ms;
        o.timeout = 10s;
        o.pipeline.max_attempts = 3;
        pipeline::backoff_options bo;
        bo.initial = 10ms;
        bo.max = 50ms;
        bo.rate_limit_jitter = 50ms;
        bo.max_rate_limit_wait = 5s;
        o.pipeline.backoff_policy = std::make_shared<pipeline::default_backoff_policy>(bo);
        client cl(transport, o);

        const std::string id = server.seeded_contact_id(1);
        api_request req;
        std::string method, pattern;
        switch (c.operation) {
        case op::get:
            req.operation = &retrieve_contact;
            req.method = bhttp::verb::get;
            req.path = "/contacts/" + id;
            method = "GET", pattern = "/contacts/{id}";
            break;
        case op::put:
            req.operation = &update_contact;
            req.method = bhttp::verb::put;
            req.path = "/contacts/" + id;
            req.body = R"({"name":"Updated By Matrix"})";
            method = "PUT", pattern = "/contacts/{id}";
            break;
        case op::create:
            req.operation = &create_contact;
            req.method = bhttp::verb::post;
            req.path = "/contacts";
            req.body = R"({"role":"user","email":"matrix-)" + std::to_string(index) + R"(@example.com"})";
            method = "POST", pattern = "/contacts";
            break;
        }
        server.add_fault({.method = method, .path = pattern, .nth = 1, .count = 1, .action = c.action});
        const std::size_t contacts_before = server.object_count("contacts");

        // A different route than every cell's, so it does not change the counts below.
        api_request follow;
        follow.path = "/contacts";
        follow.query = {{"per_page", "1"}};

        auto r = test::run_coro(ioc, run_cell(cl, req, follow), 30s);
        BOOST_TEST_MESSAGE("cell " << index << " " << c.fault_name << " x " << to_string(c.operation) << ": "
                                   << describe(r.first));

        // The outcome.
        if (!c.want.error) {
            BOOST_TEST_REQUIRE(bool(r.first), describe(r.first));
            BOOST_TEST(r.first->attempts == c.want.attempts);
            BOOST_TEST(r.first->status >= 200u);
            BOOST_TEST(r.first->status < 300u);
            auto j = r.first->json();
            if (c.want.decode_error) {
                BOOST_TEST_REQUIRE(!j);
                BOOST_TEST(j.error().code == errc::decode_error);
            } else {
                BOOST_TEST_REQUIRE(bool(j));
                BOOST_TEST(j->is_object());
            }
        } else {
            BOOST_TEST_REQUIRE(!r.first, describe(r.first));
            BOOST_TEST(r.first.error().code == *c.want.error, describe(r.first));
            BOOST_TEST(r.first.error().diag.attempts == c.want.attempts);
            BOOST_TEST(r.first.error().diag.method == method);
            if (c.action.kind == fk::status) {
                BOOST_TEST(r.first.error().diag.http_status == c.action.status);
                BOOST_TEST(r.first.error().diag.first_error_code() == "server_error");
                BOOST_TEST(!r.first.error().diag.request_id.empty());
            }
        }

        // What the server saw, and that a creating POST was never applied twice.
        BOOST_TEST(server.count(method, pattern) == c.want.requests);
        BOOST_TEST(server.object_count("contacts") == contacts_before + created_by(c));
        if (tls) {
            // The refused handshake is recorded as one entry with an empty method.
            std::size_t handshakes = 0;
            for (const auto& rec : server.requests())
                if (rec.method.empty()) ++handshakes;
            BOOST_TEST(handshakes == 1u);
        }
        if (c.action.kind == fk::connection_close) {
            // The closed connection was not reused: the follow-up needed a new one.
            BOOST_TEST(server.connections_accepted() == 2u);
        }

        // The client is still usable after the fault.
        BOOST_TEST(bool(r.follow_up), "follow-up: " << describe(r.follow_up));

        transport->close();
        server.stop();
        ioc.restart();
        ioc.run_for(20ms);
    }
}

BOOST_AUTO_TEST_SUITE_END()
