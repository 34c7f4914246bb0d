#include "hostile_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <string>

namespace intercom::test {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct hostile_server::state {
    state(asio::io_context& ioc, hostility h, std::chrono::milliseconds d)
        : acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0}), kind(h), drip(d) {}
    tcp::acceptor acceptor;
    hostility kind;
    std::chrono::milliseconds drip;
    std::size_t written = 0;
    std::size_t accepted = 0;
    std::size_t done = 0;
};

namespace {

// Writes `text` fully; false once the client is gone.
asio::awaitable<bool> put(tcp::socket* s, hostile_server::state* st, std::string text) {
    auto [ec, n] = co_await asio::async_write(*s, asio::buffer(text), use_tuple);
    st->written += n;
    co_return !ec;
}

asio::awaitable<void> serve(std::shared_ptr<hostile_server::state> st, tcp::socket s) {
    // A small send buffer keeps what sits in kernel buffers small next to the client's limits.
    boost::system::error_code ignored;
    s.set_option(asio::socket_base::send_buffer_size(16 * 1024), ignored);
    std::string in;
    auto [rec, rn] = co_await asio::async_read_until(s, asio::dynamic_buffer(in), "\r\n\r\n", use_tuple);
    if (rec) co_return;

    bool alive = true;
    switch (st->kind) {
    case hostility::endless_body: {
        // No length: the body runs until the connection closes (a length over the limit fails at once).
        alive = co_await put(&s, st.get(), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                           "Connection: close\r\n\r\n[");
        const std::string piece(8192, '1');
        while (alive) alive = co_await put(&s, st.get(), piece);
        break;
    }
    case hostility::endless_chunked: {
        alive = co_await put(&s, st.get(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        const std::string chunk = "1000\r\n" + std::string(4096, 'c') + "\r\n";
        while (alive) alive = co_await put(&s, st.get(), chunk);
        break;
    }
    case hostility::endless_headers: {
        alive = co_await put(&s, st.get(), "HTTP/1.1 200 OK\r\n");
        for (std::size_t i = 0; alive; ++i)
            alive = co_await put(&s, st.get(), "X-Junk-" + std::to_string(i) + ": " + std::string(200, 'j') + "\r\n");
        break;
    }
    case hostility::slow_headers: {
        alive = co_await put(&s, st.get(), "HTTP/1.1 200 OK\r\n");
        asio::steady_timer t(s.get_executor());
        const std::string header = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        for (std::size_t i = 0; alive; ++i) {
            t.expires_after(st->drip);
            co_await t.async_wait(use_tuple);
            alive = co_await put(&s, st.get(), std::string(1, header[i % header.size()]));
        }
        break;
    }
    }
    ++st->done;
}

asio::awaitable<void> accept_loop(std::shared_ptr<hostile_server::state> st) {
    for (;;) {
        auto [ec, s] = co_await st->acceptor.async_accept(use_tuple);
        if (ec) co_return;
        ++st->accepted;
        asio::co_spawn(st->acceptor.get_executor(), serve(st, std::move(s)), asio::detached);
    }
}

} // namespace

hostile_server::hostile_server(asio::io_context& ioc, hostility h, std::chrono::milliseconds drip)
    : st_(std::make_shared<state>(ioc, h, drip)) {
    asio::co_spawn(ioc, accept_loop(st_), asio::detached);
}

hostile_server::~hostile_server() {
    boost::system::error_code ignored;
    st_->acceptor.close(ignored);
}

std::uint16_t hostile_server::port() const { return st_->acceptor.local_endpoint().port(); }
std::size_t hostile_server::bytes_written() const { return st_->written; }
std::size_t hostile_server::connections() const { return st_->accepted; }
std::size_t hostile_server::finished() const { return st_->done; }

} // namespace intercom::test
