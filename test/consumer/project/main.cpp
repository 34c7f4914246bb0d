// A downstream program: its own Asio code (a timer and a one-shot HTTP server, header-only, in this
// translation unit) beside the intercom client, which calls that server over plain http on loopback.
// Linking and running proves the library's Asio/Beast build mode agrees with a user's header-only
// use of the same headers.
#include <intercom.hpp>
#ifdef INTERCOM_CONSUMER_PROMETHEUS
#include <intercom/prometheus/client_metrics.hpp>
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Answers one request with a canned `GET /me` body, then closes.
asio::awaitable<void> serve_once(tcp::acceptor acceptor) {
    tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
    asio::streambuf head;
    co_await asio::async_read_until(s, head, "\r\n\r\n", asio::use_awaitable);
    const std::string body = R"({"type":"admin","id":"1","name":"Consumer","email":"c@example.com"})";
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    co_await asio::async_write(s, asio::buffer(response), asio::use_awaitable);
}

asio::awaitable<std::string> call(intercom::client client) {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
    co_await t.async_wait(asio::use_awaitable);
    auto r = co_await client.request(boost::beast::http::verb::get, "/me");
    if (!r) co_return "error: " + r.error().what();
    auto j = r->json();
    if (!j) co_return "error: " + j.error().what();
    co_return std::string(j->at("name").as_string());
}

} // namespace

int main() {
    // The same inline Asio function the library's transport calls for `tls.ca_pem`, compiled here
    // with this program's settings. Were the library built with different Asio definitions (e.g.
    // BOOST_ASIO_NO_DEPRECATED, which changes this function's return type), one of the two callers
    // would run the other's incompatible copy: ASan/UBSan report it in the sanitizer build.
    {
        asio::ssl::context user_ctx(asio::ssl::context::tls_client);
        boost::system::error_code ignored;
        user_ctx.add_certificate_authority(asio::buffer(std::string("not a certificate")), ignored);
    }
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    const auto port = acceptor.local_endpoint().port();
    asio::co_spawn(ioc, serve_once(std::move(acceptor)), asio::detached);

    intercom::client_options opts;
    opts.token = "consumer-token";
    opts.base_url = "http://127.0.0.1:" + std::to_string(port);
    opts.transport.tls.ca_pem =
        "not a certificate either"; // makes the library call it too (plain http is unaffected)
#ifdef INTERCOM_CONSUMER_PROMETHEUS
    prometheus::Registry registry;
    auto metrics = intercom::prometheus::client_metrics::create(registry);
    metrics->attach(opts);
#endif
    intercom::client client(ioc.get_executor(), opts);
    auto fut = asio::co_spawn(ioc, call(client), asio::use_future);
    // Bounded: the pool's idle timers may keep the io_context busy after the call ended.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
           std::chrono::steady_clock::now() < deadline)
        ioc.run_one_for(std::chrono::milliseconds(50));
    if (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        std::cerr << "consumer: timed out\n";
        return 1;
    }
    const std::string name = fut.get();
    if (name != "Consumer") {
        std::cerr << "consumer: unexpected answer: " << name << "\n";
        return 1;
    }
    std::cout << "consumer ok (" << INTERCOM_CONSUMER_MODE << "): GET /me -> " << name
#ifdef INTERCOM_CONSUMER_PROMETHEUS
              << ", prometheus families: " << registry.Collect().size()
#endif
              << "\n";
    return 0;
}
