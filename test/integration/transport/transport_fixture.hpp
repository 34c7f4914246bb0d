// Shared helpers of the transport integration tests.
#pragma once

#include <cstdlib>
#include <string_view>

#include "loopback_server.hpp"

#include <intercom/http/https_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>
#include <optional>
#include <vector>

namespace intercom::test {

/// One CA + server certificate per test process (generated at run time).
inline const intercom::testing::tls_identity& test_identity() {
    static const auto id = intercom::testing::make_tls_identity();
    return id;
}

/// `INTERCOM_TEST_THREADING=one_thread` runs the suite with attempts inline in the caller's
/// coroutine (ctest registers the transport and hostile-input suites once per mode).
inline http::io_threading threading_under_test() {
    const char* v = std::getenv("INTERCOM_TEST_THREADING");
    return v && std::string_view(v) == "one_thread" ? http::io_threading::one_thread : http::io_threading::any_thread;
}

inline http::transport_options transport_opts(bool tls) {
    http::transport_options o;
    o.threading = threading_under_test();
    if (tls) {
        o.tls.use_system_trust_store = false;
        o.tls.ca_pem = test_identity().ca_cert_pem;
    }
    return o;
}

inline loopback_server::options server_opts(bool tls) {
    loopback_server::options o;
    o.tls = tls;
    o.identity = &test_identity();
    return o;
}

inline http::request make_get(std::string target = "/") {
    http::request r;
    r.target = std::move(target);
    return r;
}

inline boost::asio::awaitable<result<http::response>> send_one(http::https_transport* t, http::origin o,
                                                               http::request r, http::send_options so) {
    co_return co_await t->send(std::move(o), std::move(r), std::move(so));
}

inline boost::asio::awaitable<result<http::response>> send_get(http::https_transport* t, http::origin o,
                                                               std::string target) {
    co_return co_await t->send(std::move(o), make_get(std::move(target)), http::send_options{});
}

/// Runs `n` sends concurrently on the current executor and returns every result.
struct many_state {
    many_state(const boost::asio::any_io_executor& ex, std::size_t n) : ch(ex, 1), results(n) {}
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> ch;
    std::mutex mtx;
    std::vector<std::optional<result<http::response>>> results;
    std::size_t done = 0;
};

inline boost::asio::awaitable<std::vector<std::optional<result<http::response>>>> send_many(
    http::https_transport* t, http::origin o, std::size_t n) {
    auto ex = co_await boost::asio::this_coro::executor;
    auto st = std::make_shared<many_state>(ex, n);
    for (std::size_t i = 0; i < n; ++i) {
        boost::asio::co_spawn(ex, send_get(t, o, "/item/" + std::to_string(i)),
                              [st, i](std::exception_ptr e, result<http::response> r) {
                                  std::lock_guard lk(st->mtx);
                                  if (!e) st->results[i] = std::move(r);
                                  if (++st->done == st->results.size()) st->ch.try_send(boost::system::error_code{});
                              });
    }
    co_await st->ch.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    std::lock_guard lk(st->mtx);
    co_return std::move(st->results);
}

} // namespace intercom::test
