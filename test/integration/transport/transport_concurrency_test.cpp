// One shared transport used from an io_context run by four threads (run this under TSan too).
#include "transport_fixture.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <thread>

namespace asio = boost::asio;
using namespace intercom;
using namespace intercom::http;
using intercom::test::loopback_server;
using intercom::test::server_reply;
using intercom::test::server_request;

namespace {

struct threaded_run {
    asio::io_context ioc{4};
    asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
    std::vector<std::thread> threads;

    void start() {
        for (int i = 0; i < 4; ++i) threads.emplace_back([this] { ioc.run(); });
    }
    ~threaded_run() {
        guard.reset();
        ioc.stop();
        for (auto& t : threads) t.join();
    }
};

asio::awaitable<std::size_t> waves(https_transport* t, origin o, std::size_t waves, std::size_t width) {
    std::size_t ok = 0;
    for (std::size_t w = 0; w < waves; ++w) {
        auto results = co_await intercom::test::send_many(t, o, width);
        for (std::size_t i = 0; i < results.size(); ++i)
            if (results[i] && *results[i] && (*results[i])->body == "/item/" + std::to_string(i)) ++ok;
    }
    co_return ok;
}

} // namespace

BOOST_AUTO_TEST_SUITE(transport_concurrency)

BOOST_AUTO_TEST_CASE(many_requests_from_four_threads) {
    for (bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("tls=" << tls) {
            threaded_run run;
            loopback_server srv(run.ioc, intercom::test::server_opts(tls), [](const server_request& r) {
                server_reply rep;
                rep.body = r.target;
                if (r.index_on_connection % 7 == 6) rep.close_after = true;  // some churn
                return rep;
            });
            auto opts = intercom::test::transport_opts(tls);
            opts.pool.max_connections = 6;
            auto t = std::make_unique<https_transport>(run.ioc.get_executor(), opts);
            run.start();
            auto fut = asio::co_spawn(run.ioc, waves(t.get(), srv.origin(), 4, 60), asio::use_future);
            BOOST_TEST_REQUIRE((fut.wait_for(std::chrono::seconds(60)) == std::future_status::ready));
            BOOST_TEST(fut.get() == 240u);
            auto s = t->stats(srv.origin());
            BOOST_TEST_MESSAGE("tls=" << tls << ": 240 requests on 4 threads, created " << s.created << ", reused "
                                      << s.reused << ", discarded " << s.discarded << ", server max concurrent "
                                      << srv.max_concurrent());
            BOOST_TEST(s.in_use == 0u);
            BOOST_TEST(s.waiters == 0u);
            BOOST_TEST(s.open <= 6u);
            BOOST_TEST(s.open == s.idle);
            BOOST_TEST(s.created + s.reused == 240u);
            BOOST_TEST(s.created >= 2u);  // close_after forced new connections
            t->close();
            BOOST_TEST(t->stats(srv.origin()).open == 0u);
            srv.stop();
        }
    }
}

BOOST_AUTO_TEST_CASE(close_while_busy_from_another_thread) {
    threaded_run run;
    loopback_server srv(run.ioc, intercom::test::server_opts(false), [](const server_request& r) {
        server_reply rep;
        rep.body = r.target;
        rep.delay = std::chrono::milliseconds(5);
        return rep;
    });
    auto opts = intercom::test::transport_opts(false);
    opts.pool.max_connections = 2;
    auto t = std::make_unique<https_transport>(run.ioc.get_executor(), opts);
    run.start();
    auto fut = asio::co_spawn(run.ioc, intercom::test::send_many(t.get(), srv.origin(), 40), asio::use_future);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    t->close();  // from the test thread, while requests run and wait
    BOOST_TEST_REQUIRE((fut.wait_for(std::chrono::seconds(30)) == std::future_status::ready));
    auto results = fut.get();
    std::size_t ok = 0, closed = 0;
    for (auto& r : results) {
        BOOST_TEST_REQUIRE(r.has_value());
        if (*r) ++ok;
        else if (r->error().code == errc::pool_closed) ++closed;
    }
    BOOST_TEST(ok + closed == 40u);
    BOOST_TEST(closed >= 1u);
    auto s = t->stats(srv.origin());
    BOOST_TEST(s.in_use == 0u);
    BOOST_TEST(s.open == 0u);
    BOOST_TEST(s.waiters == 0u);
    t.reset();  // destruction after close never hangs
    srv.stop();
}

BOOST_AUTO_TEST_SUITE_END()
