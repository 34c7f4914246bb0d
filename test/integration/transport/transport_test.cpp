// The HTTPS transport and its connection pool against a loopback Beast server (HTTP and HTTPS).
#include "transport_fixture.hpp"

#include <run_coro.hpp>

#include <intercom/client.hpp>
#include <intercom/pipeline/rate_limiter.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>

#include <sys/socket.h>

namespace asio = boost::asio;
using namespace intercom;
using namespace intercom::http;
using intercom::test::loopback_server;
using intercom::test::server_reply;
using intercom::test::server_request;
using intercom::test::run_coro;

namespace {

using ms = std::chrono::milliseconds;

asio::awaitable<std::size_t> sequential(https_transport* t, origin o, std::size_t n) {
    std::size_t ok = 0;
    for (std::size_t i = 0; i < n; ++i) {
        auto r = co_await t->send(o, intercom::test::make_get("/seq/" + std::to_string(i)), send_options{});
        if (r && r->status == 200 && r->body == "/seq/" + std::to_string(i)) ++ok;
        else break;
    }
    co_return ok;
}

server_reply echo_target(const server_request& r) {
    server_reply rep;
    rep.body = r.target;
    return rep;
}

asio::awaitable<void> sleep_for(ms d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

/// Sends, then sleeps, then sends again: the second request may meet a connection the server closed.
asio::awaitable<std::pair<result<response>, result<response>>> two_with_pause(https_transport* t, origin o,
                                                                               request first, request second,
                                                                               ms pause) {
    auto a = co_await t->send(o, std::move(first), send_options{});
    co_await sleep_for(pause);
    auto b = co_await t->send(o, std::move(second), send_options{});
    co_return std::make_pair(std::move(a), std::move(b));
}

request make_post(std::string target, bool idempotent) {
    request r;
    r.method = beast_http::verb::post;
    r.target = std::move(target);
    r.body = R"({"x":1})";
    r.headers.set(beast_http::field::content_type, "application/json");
    r.idempotent = idempotent;
    return r;
}

errc code_of(const result<response>& r) {
    return r ? errc{} : static_cast<errc>(r.error().code.value());
}

} // namespace

BOOST_AUTO_TEST_SUITE(https_transport_tests)

BOOST_AUTO_TEST_CASE(sequential_requests_reuse_one_connection) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            loopback_server srv(ioc, intercom::test::server_opts(tls), echo_target);
            https_transport t(ioc.get_executor(), intercom::test::transport_opts(tls));
            auto ok = run_coro(ioc, sequential(&t, srv.origin(), 1000));
            BOOST_TEST(ok == 1000u);
            BOOST_TEST(srv.accepted() == 1u);
            auto s = t.stats(srv.origin());
            BOOST_TEST_MESSAGE("tls=" << tls << ": 1000 sequential requests, server accepted " << srv.accepted()
                                      << ", created " << s.created << ", reused " << s.reused);
            BOOST_TEST(s.created == 1u);
            BOOST_TEST(s.reused == 999u);
            BOOST_TEST(s.open == 1u);
            BOOST_TEST(s.idle == 1u);
            BOOST_TEST(s.in_use == 0u);
            BOOST_TEST(s.discarded == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(concurrent_requests_never_exceed_pool_size) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            loopback_server srv(ioc, intercom::test::server_opts(tls), [](const server_request& r) {
                server_reply rep;
                rep.body = r.target;
                rep.delay = ms(2);  // keep requests overlapping
                return rep;
            });
            auto opts = intercom::test::transport_opts(tls);
            opts.pool.max_connections = 8;
            https_transport t(ioc.get_executor(), opts);
            auto results = run_coro(ioc, intercom::test::send_many(&t, srv.origin(), 200));
            std::size_t ok = 0;
            for (std::size_t i = 0; i < results.size(); ++i)
                if (results[i] && *results[i] && (*results[i])->body == "/item/" + std::to_string(i)) ++ok;
            BOOST_TEST(ok == 200u);
            auto st = t.stats(srv.origin());
            BOOST_TEST_MESSAGE("tls=" << tls << ": 200 requests, server accepted " << srv.accepted()
                                      << " (max concurrent " << srv.max_concurrent() << "), created " << st.created
                                      << ", reused " << st.reused);
            BOOST_TEST(srv.accepted() <= 8u);
            BOOST_TEST(srv.max_concurrent() <= 8u);
            BOOST_TEST(srv.accepted() >= 2u);  // the load really was concurrent
            auto s = t.stats(srv.origin());
            BOOST_TEST(s.created == srv.accepted());
            BOOST_TEST(s.open <= 8u);
            BOOST_TEST(s.in_use == 0u);
            BOOST_TEST(s.waiters == 0u);
            BOOST_TEST(s.created + s.reused == 200u);
        }
    }
}

// The server closes keep-alive connections after 30 ms of idleness. The pre-reuse liveness check
// sees the FIN and opens a fresh connection, for idempotent and non-idempotent requests alike.
BOOST_AUTO_TEST_CASE(idle_connection_closed_by_server_is_replaced) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            auto so = intercom::test::server_opts(tls);
            so.idle_close = ms(30);
            loopback_server srv(ioc, so, echo_target);
            https_transport t(ioc.get_executor(), intercom::test::transport_opts(tls));
            auto [a, b] = run_coro(ioc, two_with_pause(&t, srv.origin(), intercom::test::make_get("/a"),
                                                       make_post("/b", false), ms(150)));
            BOOST_TEST_REQUIRE(a.has_value());
            BOOST_TEST_REQUIRE(b.has_value(), (b ? "" : b.error().what()));
            BOOST_TEST(b->body == "/b");
            BOOST_TEST(!b->reused_connection);
            BOOST_TEST(srv.accepted() == 2u);
            BOOST_TEST(srv.requests() == 2u);  // nothing was sent twice
            auto s = t.stats(srv.origin());
            BOOST_TEST(s.created == 2u);
            BOOST_TEST(s.discarded == 1u);
            BOOST_TEST(s.open == 1u);
        }
    }
}

// The server reads the second request of a connection and closes without answering (the race a
// liveness check cannot catch). An idempotent request is resent once on a fresh connection; a
// fully written non-idempotent one is not resent and fails with connection_closed, stage sent.
BOOST_AUTO_TEST_CASE(reused_connection_failing_before_response_is_retried_once) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            for (bool idempotent : {true, false}) {
                BOOST_TEST_CONTEXT("idempotent=" << idempotent) {
                    asio::io_context ioc;
                    std::atomic<int> posts{0};
                    loopback_server srv(ioc, intercom::test::server_opts(tls), [&posts](const server_request& r) {
                        server_reply rep;
                        rep.body = r.target;
                        if (r.method == beast_http::verb::post) ++posts;
                        if (r.index_on_connection == 1) rep.action = server_reply::kind::close_without_response;
                        return rep;
                    });
                    https_transport t(ioc.get_executor(), intercom::test::transport_opts(tls));
                    auto [a, b] = run_coro(ioc, two_with_pause(&t, srv.origin(), intercom::test::make_get("/a"),
                                                               make_post("/b", idempotent), ms(0)));
                    BOOST_TEST_REQUIRE(a.has_value());
                    if (idempotent) {
                        BOOST_TEST_REQUIRE(b.has_value(), (b ? "" : b.error().what()));
                        BOOST_TEST(b->body == "/b");
                        BOOST_TEST(!b->reused_connection);
                        BOOST_TEST(posts.load() == 2);
                        BOOST_TEST(srv.accepted() == 2u);
                    } else {
                        BOOST_TEST_REQUIRE(!b.has_value());
                        BOOST_TEST(code_of(b) == errc::connection_closed);
                        BOOST_TEST((b.error().diag.stage == request_stage::sent));
                        BOOST_TEST(b.error().diag.attempts == 1u);
                        BOOST_TEST(posts.load() == 1);
                        BOOST_TEST(srv.accepted() == 1u);
                    }
                    auto s = t.stats(srv.origin());
                    BOOST_TEST(s.in_use == 0u);
                    BOOST_TEST(s.discarded == 1u);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(untrusted_certificate_is_rejected) {
    asio::io_context ioc;
    loopback_server srv(ioc, intercom::test::server_opts(true), echo_target);
    auto other = intercom::testing::make_tls_identity();
    auto opts = intercom::test::transport_opts(true);
    opts.tls.ca_pem = other.ca_cert_pem;  // trusts a different CA
    https_transport t(ioc.get_executor(), opts);
    auto r = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(code_of(r) == errc::tls_verification_failed);
    BOOST_TEST(r.error().diag.message.find("rejected") != std::string::npos, r.error().diag.message);
    BOOST_TEST(bool(r.error().diag.cause));
    BOOST_TEST((r.error().diag.stage == request_stage::not_sent));
    BOOST_TEST(srv.requests() == 0u);
    BOOST_TEST(t.stats(srv.origin()).open == 0u);

    // The explicitly named escape hatch is the only way to skip verification.
    opts.tls.verification = peer_verification::insecure_disabled_for_testing;
    https_transport insecure(ioc.get_executor(), opts);
    auto ok = run_coro(ioc, intercom::test::send_get(&insecure, srv.origin(), "/x"));
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->body == "/x");
}

BOOST_AUTO_TEST_CASE(wrong_host_name_is_rejected) {
    asio::io_context ioc;
    intercom::testing::identity_options io;
    io.dns_names = {"other.example"};
    io.ip_addresses = {"10.9.8.7"};
    auto id = intercom::testing::make_tls_identity(io);
    auto so = intercom::test::server_opts(true);
    so.identity = &id;
    loopback_server srv(ioc, so, echo_target);
    auto opts = intercom::test::transport_opts(true);
    opts.tls.ca_pem = id.ca_cert_pem;  // the chain is trusted, only the name is wrong
    https_transport t(ioc.get_executor(), opts);
    auto r = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(code_of(r) == errc::tls_verification_failed);
    BOOST_TEST(r.error().diag.message.find("mismatch") != std::string::npos, r.error().diag.message);
    BOOST_TEST(srv.requests() == 0u);
}

BOOST_AUTO_TEST_CASE(trusted_ca_pem_succeeds_and_bad_pem_is_reported) {
    asio::io_context ioc;
    loopback_server srv(ioc, intercom::test::server_opts(true), echo_target);
    https_transport t(ioc.get_executor(), intercom::test::transport_opts(true));
    auto r = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/secure"));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->body == "/secure");

    // By name: resolver, SNI and DNS-name verification ("localhost" is in the test certificate).
    origin by_name = srv.origin();
    by_name.host = "localhost";
    auto named = run_coro(ioc, intercom::test::send_get(&t, by_name, "/named"));
    BOOST_TEST_REQUIRE(named.has_value(), (named ? "" : named.error().what()));
    BOOST_TEST(named->body == "/named");

    auto opts = intercom::test::transport_opts(true);
    opts.tls.ca_pem = "not a certificate";
    https_transport bad(ioc.get_executor(), opts);
    auto e = run_coro(ioc, intercom::test::send_get(&bad, srv.origin(), "/"));
    BOOST_TEST_REQUIRE(!e.has_value());
    BOOST_TEST(code_of(e) == errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(connect_refused_is_connect_failed) {
    asio::io_context ioc;
    origin o;
    {
        // Bind then close a socket: nothing listens on that port any more.
        asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        o = origin{"http", "127.0.0.1", a.local_endpoint().port()};
    }
    https_transport t(ioc.get_executor(), intercom::test::transport_opts(false));
    auto r = run_coro(ioc, intercom::test::send_get(&t, o, "/"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(code_of(r) == errc::connect_failed);
    BOOST_TEST(r.error().diag.cause == asio::error::connection_refused);
    BOOST_TEST((r.error().diag.stage == request_stage::not_sent));
    auto s = t.stats(o);
    BOOST_TEST(s.open == 0u);
    BOOST_TEST(s.in_use == 0u);
    BOOST_TEST(s.created == 0u);
}

// A listener whose accept queue is full drops SYNs, so connect() hangs: the connect timeout fires.
BOOST_AUTO_TEST_CASE(connect_timeout_fires) {
    asio::io_context ioc;
    asio::ip::tcp::acceptor a(ioc);
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    a.open(ep.protocol());
    a.bind(ep);
    a.listen(0);
    std::vector<asio::ip::tcp::socket> fillers;
    for (int i = 0; i < 2; ++i) {
        fillers.emplace_back(ioc);
        fillers.back().open(asio::ip::tcp::v4());
        fillers.back().non_blocking(true);
        // Raw connect(): Asio's synchronous connect would wait for the handshake of the ones that hang.
        auto target = a.local_endpoint();
        (void)::connect(fillers.back().native_handle(), target.data(), static_cast<socklen_t>(target.size()));
    }
    auto opts = intercom::test::transport_opts(false);
    opts.connect_timeout = ms(100);
    https_transport t(ioc.get_executor(), opts);
    origin o{"http", "127.0.0.1", a.local_endpoint().port()};
    auto r = run_coro(ioc, intercom::test::send_get(&t, o, "/"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(code_of(r) == errc::connect_timeout, r.error().what());
    BOOST_TEST(t.stats(o).open == 0u);
}

BOOST_AUTO_TEST_CASE(tls_handshake_timeout_fires) {
    asio::io_context ioc;
    auto so = intercom::test::server_opts(true);
    so.silent = true;  // accepts TCP, never speaks TLS
    loopback_server srv(ioc, so);
    auto opts = intercom::test::transport_opts(true);
    opts.tls_handshake_timeout = ms(100);
    https_transport t(ioc.get_executor(), opts);
    auto r = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(code_of(r) == errc::tls_handshake_timeout, r.error().what());
    BOOST_TEST(t.stats(srv.origin()).open == 0u);
}

BOOST_AUTO_TEST_CASE(attempt_timeout_fires_when_server_never_answers) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            loopback_server srv(ioc, intercom::test::server_opts(tls), [](const server_request& r) {
                server_reply rep;
                if (r.target == "/hang") rep.action = server_reply::kind::never_answer;
                return rep;
            });
            https_transport t(ioc.get_executor(), intercom::test::transport_opts(tls));
            send_options so;
            so.attempt_timeout = ms(100);
            auto r = run_coro(ioc, intercom::test::send_one(&t, srv.origin(), intercom::test::make_get("/hang"), so));
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST(code_of(r) == errc::attempt_timeout, r.error().what());
            BOOST_TEST((r.error().diag.stage == request_stage::sent));
            auto s = t.stats(srv.origin());
            BOOST_TEST(s.open == 0u);  // a timed-out connection is never reused
            BOOST_TEST(s.discarded == 1u);
            auto next = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/ok"));
            BOOST_TEST(next.has_value());
        }
    }
}

namespace {

struct cancel_outcome {
    std::optional<result<response>> r;
    std::chrono::steady_clock::duration took{};
};

/// Starts `req`, emits a terminal cancellation after `after`, and waits for the send to finish.
asio::awaitable<cancel_outcome> send_and_cancel(https_transport* t, origin o, request req, ms after) {
    auto ex = co_await asio::this_coro::executor;
    auto sig = std::make_shared<asio::cancellation_signal>();
    auto st = std::make_shared<intercom::test::many_state>(ex, 1);
    auto start = std::chrono::steady_clock::now();
    asio::co_spawn(ex, intercom::test::send_one(t, o, std::move(req), send_options{}),
                   asio::bind_cancellation_slot(sig->slot(), [st](std::exception_ptr e, result<response> r) {
                       std::lock_guard lk(st->mtx);
                       if (!e) st->results[0] = std::move(r);
                       st->ch.try_send(boost::system::error_code{});
                   }));
    co_await sleep_for(after);
    sig->emit(asio::cancellation_type::terminal);
    co_await st->ch.async_receive(asio::as_tuple(asio::use_awaitable));
    cancel_outcome out;
    out.took = std::chrono::steady_clock::now() - start;
    out.r = std::move(st->results[0]);
    co_return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(cancelled_request_returns_promptly_and_pool_stays_consistent) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            loopback_server srv(ioc, intercom::test::server_opts(tls), [](const server_request& r) {
                server_reply rep;
                rep.body = r.target;
                if (r.target == "/slow") rep.action = server_reply::kind::never_answer;
                return rep;
            });
            https_transport t(ioc.get_executor(), intercom::test::transport_opts(tls));
            // Warm one connection so the cancelled request runs on a reused one.
            BOOST_TEST_REQUIRE(run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/warm")).has_value());
            auto out = run_coro(ioc, send_and_cancel(&t, srv.origin(), intercom::test::make_get("/slow"), ms(50)));
            BOOST_TEST_REQUIRE(out.r.has_value());  // completed, no exception escaped
            BOOST_TEST_REQUIRE(!out.r->has_value());
            BOOST_TEST(code_of(*out.r) == errc::cancelled, out.r->error().what());
            BOOST_TEST(out.took < std::chrono::seconds(5));  // far below the 30 s attempt timeout
            auto s = t.stats(srv.origin());
            BOOST_TEST(s.in_use == 0u);
            BOOST_TEST(s.open == 0u);  // the connection in use was discarded
            BOOST_TEST(s.waiters == 0u);
            BOOST_TEST(s.discarded == 1u);
            auto next = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/after"));
            BOOST_TEST_REQUIRE(next.has_value());
            BOOST_TEST(next->body == "/after");
            BOOST_TEST(t.stats(srv.origin()).open == 1u);
        }
    }
}

namespace {

/// With a pool of one: a slow request holds the connection, a second one waits and is cancelled,
/// then a third one must still be served by the (reused) connection.
asio::awaitable<std::vector<std::optional<result<response>>>> cancel_waiter(https_transport* t, origin o) {
    auto ex = co_await asio::this_coro::executor;
    auto slow = std::make_shared<intercom::test::many_state>(ex, 1);
    asio::co_spawn(ex, intercom::test::send_get(t, o, "/slow"), [slow](std::exception_ptr, result<response> r) {
        std::lock_guard lk(slow->mtx);
        slow->results[0] = std::move(r);
        slow->ch.try_send(boost::system::error_code{});
    });
    co_await sleep_for(ms(10));
    auto cancelled = co_await send_and_cancel(t, o, intercom::test::make_get("/waiting"), ms(30));
    co_await slow->ch.async_receive(asio::as_tuple(asio::use_awaitable));
    auto third = co_await t->send(o, intercom::test::make_get("/third"), send_options{});
    std::vector<std::optional<result<response>>> out;
    out.push_back(std::move(slow->results[0]));
    out.push_back(std::move(cancelled.r));
    out.emplace_back(std::move(third));
    co_return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(cancelled_waiter_leaves_pool_consistent) {
    asio::io_context ioc;
    loopback_server srv(ioc, intercom::test::server_opts(false), [](const server_request& r) {
        server_reply rep;
        rep.body = r.target;
        if (r.target == "/slow") rep.delay = ms(150);
        return rep;
    });
    auto opts = intercom::test::transport_opts(false);
    opts.pool.max_connections = 1;
    https_transport t(ioc.get_executor(), opts);
    auto out = run_coro(ioc, cancel_waiter(&t, srv.origin()));
    BOOST_TEST_REQUIRE(out.size() == 3u);
    BOOST_TEST_REQUIRE((out[0] && *out[0]));
    BOOST_TEST((*out[0])->body == "/slow");
    BOOST_TEST_REQUIRE(out[1].has_value());
    BOOST_TEST(code_of(*out[1]) == errc::cancelled);
    BOOST_TEST_REQUIRE((out[2] && *out[2]));
    BOOST_TEST((*out[2])->body == "/third");
    BOOST_TEST((*out[2])->reused_connection);
    auto s = t.stats(srv.origin());
    BOOST_TEST(s.waiters == 0u);
    BOOST_TEST(s.in_use == 0u);
    BOOST_TEST(s.open == 1u);
    BOOST_TEST(srv.accepted() == 1u);
    BOOST_TEST(srv.requests() == 2u);  // the cancelled waiter never reached the server
}

namespace {

asio::awaitable<std::vector<std::optional<result<response>>>> hold_and_wait(https_transport* t, origin o,
                                                                              bool close_midway) {
    auto ex = co_await asio::this_coro::executor;
    auto slow = std::make_shared<intercom::test::many_state>(ex, 1);
    asio::co_spawn(ex, intercom::test::send_get(t, o, "/slow"), [slow](std::exception_ptr, result<response> r) {
        std::lock_guard lk(slow->mtx);
        slow->results[0] = std::move(r);
        slow->ch.try_send(boost::system::error_code{});
    });
    co_await sleep_for(ms(10));
    auto waiting = std::make_shared<intercom::test::many_state>(ex, 1);
    asio::co_spawn(ex, intercom::test::send_get(t, o, "/waiting"), [waiting](std::exception_ptr, result<response> r) {
        std::lock_guard lk(waiting->mtx);
        waiting->results[0] = std::move(r);
        waiting->ch.try_send(boost::system::error_code{});
    });
    if (close_midway) {
        co_await sleep_for(ms(20));
        t->close();
    }
    co_await waiting->ch.async_receive(asio::as_tuple(asio::use_awaitable));
    co_await slow->ch.async_receive(asio::as_tuple(asio::use_awaitable));
    std::vector<std::optional<result<response>>> out;
    out.push_back(std::move(slow->results[0]));
    out.push_back(std::move(waiting->results[0]));
    co_return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(pool_wait_timeout_and_close_fail_waiters) {
    for (bool close_midway : {false, true}) {
        BOOST_TEST_CONTEXT("close_midway=" << close_midway) {
            asio::io_context ioc;
            loopback_server srv(ioc, intercom::test::server_opts(false), [](const server_request& r) {
                server_reply rep;
                rep.body = r.target;
                if (r.target == "/slow") rep.delay = ms(200);
                return rep;
            });
            auto opts = intercom::test::transport_opts(false);
            opts.pool.max_connections = 1;
            opts.pool.wait_timeout = close_midway ? ms(5000) : ms(50);
            https_transport t(ioc.get_executor(), opts);
            auto out = run_coro(ioc, hold_and_wait(&t, srv.origin(), close_midway));
            BOOST_TEST_REQUIRE((out[0] && *out[0]));  // the request in flight completes
            BOOST_TEST_REQUIRE(out[1].has_value());
            BOOST_TEST(code_of(*out[1]) == (close_midway ? errc::pool_closed : errc::pool_wait_timeout));
            auto s = t.stats(srv.origin());
            BOOST_TEST(s.waiters == 0u);
            BOOST_TEST(s.in_use == 0u);
            BOOST_TEST(s.open == (close_midway ? 0u : 1u));
            if (close_midway) {
                auto after = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/late"));
                BOOST_TEST(code_of(after) == errc::pool_closed);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(gzip_body_is_decoded) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            std::string big(200'000, 'x');
            for (std::size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
            std::atomic<bool> asked_gzip{false};
            loopback_server srv(ioc, intercom::test::server_opts(tls), [&](const server_request& r) {
                asked_gzip = r.headers[beast_http::field::accept_encoding] == "gzip";
                server_reply rep;
                rep.body = big;
                rep.gzip = true;
                return rep;
            });
            https_transport t(ioc.get_executor(), intercom::test::transport_opts(tls));
            auto r = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/z"));
            BOOST_TEST_REQUIRE(r.has_value());
            BOOST_TEST(asked_gzip.load());
            BOOST_TEST((r->body == big));
            BOOST_TEST(r->header("Content-Encoding").empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(size_limits_are_enforced) {
    asio::io_context ioc;
    loopback_server srv(ioc, intercom::test::server_opts(false), [](const server_request& r) {
        server_reply rep;
        if (r.target == "/big") rep.body = std::string(5000, 'b');
        if (r.target == "/bomb") {
            rep.body = std::string(1'000'000, '\0');  // ~1 KB compressed
            rep.gzip = true;
        }
        if (r.target == "/fat-header") rep.headers.emplace_back("X-Padding", std::string(4000, 'h'));
        if (r.target == "/corrupt") {
            rep.headers.emplace_back("Content-Encoding", "gzip");
            rep.body = "this is not gzip";
        }
        return rep;
    });
    auto opts = intercom::test::transport_opts(false);
    opts.limits.max_body_bytes = 1000;
    opts.limits.max_header_bytes = 1024;
    https_transport t(ioc.get_executor(), opts);
    auto big = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/big"));
    BOOST_TEST(code_of(big) == errc::body_too_large);
    auto bomb = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/bomb"));
    BOOST_TEST(code_of(bomb) == errc::body_too_large);
    auto fat = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/fat-header"));
    BOOST_TEST(code_of(fat) == errc::header_too_large);
    auto corrupt = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/corrupt"));
    BOOST_TEST(code_of(corrupt) == errc::decompression_failed);
    BOOST_TEST((corrupt.error().diag.stage == request_stage::response_started));
    auto small = run_coro(ioc, intercom::test::send_get(&t, srv.origin(), "/small"));
    BOOST_TEST_REQUIRE(small.has_value());
    BOOST_TEST(small->body == "ok");
    auto s = t.stats(srv.origin());
    BOOST_TEST(s.in_use == 0u);
    BOOST_TEST(s.open == 1u);
}

namespace {

asio::awaitable<std::pair<result<response>, result<response>>> stream_two(https_transport* t, origin o,
                                                                         std::shared_ptr<std::string> sunk,
                                                                         std::shared_ptr<std::size_t> chunks) {
    send_options so;
    so.sink = [sunk, chunks](std::string_view c) {
        sunk->append(c);
        ++*chunks;
        return boost::system::error_code{};
    };
    auto a = co_await t->send(o, intercom::test::make_get("/file"), so);
    auto b = co_await t->send(o, intercom::test::make_get("/missing"), so);
    co_return std::make_pair(std::move(a), std::move(b));
}

} // namespace

BOOST_AUTO_TEST_CASE(streaming_sink_receives_whole_body) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            std::string file(300'000, '\0');
            for (std::size_t i = 0; i < file.size(); ++i) file[i] = static_cast<char>(i * 131 % 251);
            loopback_server srv(ioc, intercom::test::server_opts(tls), [&file](const server_request& r) {
                server_reply rep;
                if (r.target == "/file") {
                    rep.body = file;
                    rep.gzip = true;
                } else {
                    rep.status = 404;
                    rep.body = R"({"type":"error.list"})";
                }
                return rep;
            });
            auto opts = intercom::test::transport_opts(tls);
            opts.limits.max_body_bytes = 1000;  // does not apply to streamed 2xx bodies
            https_transport t(ioc.get_executor(), opts);
            auto sunk = std::make_shared<std::string>();
            auto chunks = std::make_shared<std::size_t>(0);
            auto [a, b] = run_coro(ioc, stream_two(&t, srv.origin(), sunk, chunks));
            BOOST_TEST_REQUIRE(a.has_value(), (a ? "" : a.error().what()));
            BOOST_TEST(a->body.empty());
            BOOST_TEST((*sunk == file));
            BOOST_TEST(*chunks > 1u);
            BOOST_TEST_REQUIRE(b.has_value());
            BOOST_TEST(b->status == 404u);
            BOOST_TEST(b->body == R"({"type":"error.list"})");  // non-2xx bodies are collected
            BOOST_TEST(t.stats(srv.origin()).created == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(delete_with_body_and_headers_are_sent) {
    asio::io_context ioc;
    std::string seen;
    loopback_server srv(ioc, intercom::test::server_opts(false), [&seen](const server_request& r) {
        seen = std::string(beast_http::to_string(r.method)) + " " + r.target + " " + r.body + " host=" +
               std::string(r.headers[beast_http::field::host]) + " len=" +
               std::string(r.headers[beast_http::field::content_length]) + " auth=" +
               std::string(r.headers[beast_http::field::authorization]);
        server_reply rep;
        rep.status = 204;
        rep.body.clear();
        return rep;
    });
    https_transport t(ioc.get_executor(), intercom::test::transport_opts(false));
    request req;
    req.method = beast_http::verb::delete_;
    req.target = "/things/1?x=y";
    req.body = "{}";
    req.headers.set(beast_http::field::authorization, "Bearer abc");
    auto r = run_coro(ioc, intercom::test::send_one(&t, srv.origin(), req, send_options{}));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->status == 204u);
    BOOST_TEST(seen == "DELETE /things/1?x=y {} host=127.0.0.1:" + std::to_string(srv.port()) +
                           " len=2 auth=Bearer abc");
    BOOST_TEST(r->elapsed.count() > 0);
}

BOOST_AUTO_TEST_CASE(plain_http_to_remote_host_is_refused) {
    asio::io_context ioc;
    https_transport t(ioc.get_executor(), transport_options{});
    auto r = run_coro(ioc, intercom::test::send_get(&t, origin{"http", "example.com", 80}, "/"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(code_of(r) == errc::insecure_url_refused);
    BOOST_TEST((r.error().diag.stage == request_stage::not_sent));
    BOOST_TEST(t.stats(origin{"http", "example.com", 80}).created == 0u);
}

// ---------------------------------------------------------------------------------------------
// Through a client: the pipeline's retry machine and the transport's budget.

namespace {

/// Counts what the limiter admits (each admission takes one unit of window budget here).
class counting_store final : public pipeline::budget_store {
public:
    asio::awaitable<pipeline::budget_grant> try_acquire(pipeline::budget_query q) override {
        ++acquired;
        co_return co_await inner.try_acquire(q);
    }
    asio::awaitable<void> update(rate_limit_snapshot s, pipeline::budget_query q) override {
        co_await inner.update(s, q);
    }
    std::optional<rate_limit_snapshot> snapshot() const override { return inner.snapshot(); }

    std::atomic<int> acquired{0};
    pipeline::local_budget_store inner;
};

struct client_run {
    result<api_response> first = error_info{};
    result<api_response> second = error_info{};
    std::chrono::steady_clock::duration second_took{};
};

asio::awaitable<client_run> two_calls(client c, api_request a, api_request b) {
    client_run out;
    out.first = co_await c.execute(std::move(a));
    auto t0 = std::chrono::steady_clock::now();
    out.second = co_await c.execute(std::move(b));
    out.second_took = std::chrono::steady_clock::now() - t0;
    co_return out;
}

api_request api_get(std::string path) {
    api_request r;
    r.path = std::move(path);
    return r;
}

client_options client_opts(const loopback_server& srv, bool tls) {
    client_options o;
    o.token = "test-token";
    o.base_url = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(srv.origin().port);
    o.transport = intercom::test::transport_opts(tls);
    return o;
}

struct slow_and_post_run {
    std::optional<result<api_response>> slow;
    std::optional<result<api_response>> post;
    std::chrono::steady_clock::duration post_took{};
};

/// Starts `slow`, then 20 ms later `post`, and waits for both.
asio::awaitable<slow_and_post_run> slow_and_post(client c, api_request slow, api_request post) {
    auto ex = co_await asio::this_coro::executor;
    auto done = std::make_shared<intercom::test::many_state>(ex, 0);
    auto out = std::make_shared<slow_and_post_run>();
    asio::co_spawn(ex, c.execute(std::move(slow)), [out, done](std::exception_ptr, result<api_response> r) {
        out->slow = std::move(r);
        done->ch.try_send(boost::system::error_code{});
    });
    co_await sleep_for(ms(20));
    auto t0 = std::chrono::steady_clock::now();
    out->post = co_await c.execute(std::move(post));
    out->post_took = std::chrono::steady_clock::now() - t0;
    co_await done->ch.async_receive(asio::as_tuple(asio::use_awaitable));
    co_return *out;
}

} // namespace

// The server closes a kept-alive connection on its second request without answering. The pipeline
// (not the transport) resends once on a fresh connection: the resend passes the rate limiter, shows
// as a second `attempt_finished` of attempt 1, and the call reports one attempt.
BOOST_AUTO_TEST_CASE(client_resends_on_fresh_connection_through_the_limiter) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            asio::io_context ioc;
            loopback_server srv(ioc, intercom::test::server_opts(tls), [](const server_request& r) {
                server_reply rep;
                rep.body = "{}";
                if (r.index_on_connection == 1) rep.action = server_reply::kind::close_without_response;
                return rep;
            });
            auto store = std::make_shared<counting_store>();
            auto events = std::make_shared<std::vector<std::pair<pipeline::event_kind, unsigned>>>();
            auto o = client_opts(srv, tls);
            o.pipeline.limiter_options.store = store;
            o.pipeline.on_event = [events](const pipeline::event& e) { events->emplace_back(e.kind, e.attempt); };
            client c(ioc.get_executor(), o);
            auto run = run_coro(ioc, two_calls(c, api_get("/a"), api_get("/b")));
            BOOST_TEST_REQUIRE(run.first.has_value());
            BOOST_TEST_REQUIRE(run.second.has_value(), (run.second ? "" : run.second.error().what()));
            BOOST_TEST(run.second->attempts == 1u);
            BOOST_TEST(store->acquired.load() == 3);  // /a, /b on the stale connection, /b again
            BOOST_TEST(srv.accepted() == 2u);
            std::size_t finished_b = 0;
            for (std::size_t i = 2; i < events->size(); ++i)
                if ((*events)[i].first == pipeline::event_kind::attempt_finished) {
                    ++finished_b;
                    BOOST_TEST((*events)[i].second == 1u);
                }
            BOOST_TEST(finished_b == 2u);
        }
    }
}

// One connection, held by a slow call: a second call's wait for it is bounded by its attempt budget
// (not by the pool's 30 s wait), fails as not sent, and is therefore retried even as a creating POST.
BOOST_AUTO_TEST_CASE(attempt_budget_bounds_the_pool_wait) {
    asio::io_context ioc;
    std::atomic<int> posts{0};
    loopback_server srv(ioc, intercom::test::server_opts(false), [&posts](const server_request& r) {
        server_reply rep;
        rep.body = "{}";
        if (r.target == "/slow") rep.delay = ms(700);
        if (r.method == beast_http::verb::post) ++posts;
        return rep;
    });
    auto o = client_opts(srv, false);
    o.transport.pool.max_connections = 1;
    o.attempt_timeout = ms(150);
    o.pipeline.rate_limiting = false;
    auto events = std::make_shared<std::vector<pipeline::event>>();
    o.pipeline.on_event = [events](const pipeline::event& e) { events->push_back(e); };
    client c(ioc.get_executor(), o);
    // The slow call alone may take its time.
    api_request slow = api_get("/slow");
    slow.options.attempt_timeout = ms(5000);
    api_request post = api_get("/create");
    post.method = beast_http::verb::post;
    post.body = "{}";
    post.options.max_attempts = 1;
    auto out = run_coro(ioc, slow_and_post(c, std::move(slow), std::move(post)));
    auto& slow_result = out.slow;
    auto& post_result = out.post;
    auto took = out.post_took;
    BOOST_TEST_REQUIRE(slow_result.has_value());
    BOOST_TEST(slow_result->has_value());
    BOOST_TEST_REQUIRE(post_result.has_value());
    BOOST_TEST_REQUIRE(!post_result->has_value());
    const auto& e = post_result->error();
    BOOST_TEST(e.code == errc::attempt_timeout, e.what());
    BOOST_TEST((e.diag.stage == request_stage::not_sent));
    BOOST_TEST(took < ms(600));  // the budget, not the slow call, ended the wait
    BOOST_TEST(posts.load() == 0);
    bool gave_up = false;
    for (const auto& ev : *events)
        if (ev.kind == pipeline::event_kind::gave_up && ev.operation.empty()) gave_up = ev.stop == pipeline::stop_reason::policy_declined;
    BOOST_TEST(gave_up);
}

BOOST_AUTO_TEST_SUITE_END()
