// The connection pool's bookkeeping without sockets, with injected time.
#include <intercom/http/detail/connection_pool.hpp>

#include <run_coro.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

namespace asio = boost::asio;
using namespace intercom;
using namespace intercom::http;
using intercom::http::detail::connection;
using intercom::http::detail::connection_pool;
using intercom::http::detail::pool_lease;
using intercom::test::run_coro;

namespace {

struct fake_clock {
    std::shared_ptr<detail::steady_clock::time_point> t =
        std::make_shared<detail::steady_clock::time_point>(detail::steady_clock::time_point{} + std::chrono::hours(1));
    connection_pool::clock_function fn() const {
        return [p = t] { return *p; };
    }
    void advance(std::chrono::milliseconds d) { *t += d; }
};

struct fixture {
    asio::io_context ioc;
    fake_clock clock;

    std::shared_ptr<connection_pool> make(pool_options o) {
        return std::make_shared<connection_pool>(o, clock.fn());
    }
    pool_lease acquire(const std::shared_ptr<connection_pool>& p, bool fresh = false) {
        auto r = run_coro(ioc, connection_pool::acquire(p, fresh));
        BOOST_TEST_REQUIRE(r.has_value());
        return std::move(*r);
    }
    /// Fills a permit with an "established" socket-less connection.
    void establish(pool_lease& l, const std::shared_ptr<connection_pool>& p) {
        auto c = std::make_unique<connection>(asio::make_strand(ioc.get_executor()));
        c->established = true;
        c->created_at = c->last_used = p->now();
        c->requests_served = 1;
        l.adopt(std::move(c));
        l.mark_created();
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(connection_pool_tests, fixture)

BOOST_AUTO_TEST_CASE(idle_connection_is_reused) {
    auto p = make({});
    auto a = acquire(p);
    BOOST_TEST(!a.get());  // a permit
    establish(a, p);
    a.release(true);
    auto s = p->stats();
    BOOST_TEST(s.open == 1u);
    BOOST_TEST(s.idle == 1u);
    BOOST_TEST(s.created == 1u);
    auto b = acquire(p);
    BOOST_TEST(b.get() != nullptr);
    BOOST_TEST(b.reused());
    BOOST_TEST(p->stats().reused == 1u);
    BOOST_TEST(p->stats().in_use == 1u);
}

BOOST_AUTO_TEST_CASE(idle_timeout_prunes_lazily) {
    pool_options o;
    o.idle_timeout = std::chrono::milliseconds(1000);
    auto p = make(o);
    auto a = acquire(p);
    establish(a, p);
    a.release(true);
    clock.advance(std::chrono::milliseconds(999));
    auto b = acquire(p);
    BOOST_TEST(b.get() != nullptr);
    b.release(true);
    clock.advance(std::chrono::milliseconds(1000));
    auto c = acquire(p);
    BOOST_TEST(!c.get());  // the idle one was too old: a permit for a new one
    auto s = p->stats();
    BOOST_TEST(s.discarded == 1u);
    BOOST_TEST(s.open == 1u);
    BOOST_TEST(s.idle == 0u);
}

BOOST_AUTO_TEST_CASE(lifetime_and_request_limits_retire_connections) {
    pool_options o;
    o.max_lifetime = std::chrono::milliseconds(5000);
    o.max_requests_per_connection = 3;
    auto p = make(o);
    auto a = acquire(p);
    establish(a, p);
    a.get()->requests_served = 3;
    a.release(true);
    BOOST_TEST(p->stats().open == 0u);
    BOOST_TEST(p->stats().discarded == 1u);

    auto b = acquire(p);
    establish(b, p);
    clock.advance(std::chrono::milliseconds(5000));
    b.release(true);
    BOOST_TEST(p->stats().open == 0u);
    BOOST_TEST(p->stats().discarded == 2u);
}

BOOST_AUTO_TEST_CASE(unreleased_lease_discards_its_connection) {
    auto p = make({});
    {
        auto a = acquire(p);
        establish(a, p);
    }
    auto s = p->stats();
    BOOST_TEST(s.open == 0u);
    BOOST_TEST(s.in_use == 0u);
    BOOST_TEST(s.discarded == 1u);
    {
        auto permit = acquire(p);  // a permit whose connect failed: not counted as discarded
    }
    BOOST_TEST(p->stats().open == 0u);
    BOOST_TEST(p->stats().discarded == 1u);
}

BOOST_AUTO_TEST_CASE(waiters_are_served_fifo_by_hand_over) {
    pool_options o;
    o.max_connections = 1;
    auto p = make(o);
    auto a = acquire(p);
    establish(a, p);
    std::vector<int> order;
    std::vector<pool_lease> got;
    for (int i = 0; i < 2; ++i) {
        asio::co_spawn(ioc, connection_pool::acquire(p, false),
                       [&order, &got, i](std::exception_ptr, result<pool_lease> r) {
                           BOOST_TEST_REQUIRE(r.has_value());
                           order.push_back(i);
                           got.push_back(std::move(*r));
                       });
    }
    ioc.restart();
    ioc.poll();
    BOOST_TEST(p->stats().waiters == 2u);
    a.release(true);
    ioc.restart();
    ioc.poll();
    BOOST_TEST_REQUIRE(order.size() == 1u);
    BOOST_TEST(order[0] == 0);
    BOOST_TEST(got[0].reused());
    got[0].release(false);  // broken: the next waiter gets a permit for a new connection
    ioc.restart();
    ioc.poll();
    BOOST_TEST_REQUIRE(order.size() == 2u);
    BOOST_TEST(order[1] == 1);
    BOOST_TEST(!got[1].get());
    auto s = p->stats();
    BOOST_TEST(s.open == 1u);
    BOOST_TEST(s.in_use == 1u);
    BOOST_TEST(s.waiters == 0u);
}

BOOST_AUTO_TEST_CASE(fresh_only_makes_room_in_a_full_pool) {
    pool_options o;
    o.max_connections = 1;
    auto p = make(o);
    auto a = acquire(p);
    establish(a, p);
    a.release(true);
    auto b = acquire(p, true);
    BOOST_TEST(!b.get());
    auto s = p->stats();
    BOOST_TEST(s.open == 1u);
    BOOST_TEST(s.idle == 0u);
    BOOST_TEST(s.discarded == 1u);
}

BOOST_AUTO_TEST_CASE(close_fails_waiters_and_later_acquires) {
    pool_options o;
    o.max_connections = 1;
    auto p = make(o);
    auto a = acquire(p);
    establish(a, p);
    std::optional<result<pool_lease>> waiting;
    asio::co_spawn(ioc, connection_pool::acquire(p, false),
                   [&waiting](std::exception_ptr, result<pool_lease> r) { waiting = std::move(r); });
    ioc.restart();
    ioc.poll();
    BOOST_TEST(!waiting.has_value());
    BOOST_TEST(p->stats().waiters == 1u);
    p->close();
    ioc.restart();
    ioc.poll();
    BOOST_TEST_REQUIRE(waiting.has_value());
    BOOST_TEST_REQUIRE(!waiting->has_value());
    BOOST_TEST(waiting->error().code == errc::pool_closed);
    a.release(true);  // closed: discarded, not kept
    BOOST_TEST(p->stats().open == 0u);
    auto late = run_coro(ioc, connection_pool::acquire(p, false));
    BOOST_TEST(!late.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
