#include "scripted_server.hpp"

#include <intercom/testing/certificates.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>
#include <optional>

namespace intercom::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct scripted_server::state {
    state(asio::io_context& ioc, script s) : acceptor(ioc), run(std::move(s)) {}
    tcp::acceptor acceptor;
    script run;
    std::optional<asio::ssl::context> tls;
    std::string ca;
    std::uint16_t port = 0;
    mutable std::mutex mtx;
    std::vector<seen_request> seen;
    std::size_t accepted = 0;
    std::size_t client_closed = 0;
};

namespace {

std::size_t content_length(const std::string& head) {
    std::string lower(head);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    auto p = lower.find("\r\ncontent-length:");
    if (p == std::string::npos) return 0;
    return std::strtoul(lower.c_str() + p + 17, nullptr, 10);
}

template <class Stream>
asio::awaitable<void> serve(std::shared_ptr<scripted_server::state> st, Stream* s, std::size_t conn) {
    std::string in;
    for (std::size_t n = 0; n < scripted_server::max_requests_per_connection; ++n) {
        auto [ec, end] = co_await asio::async_read_until(*s, asio::dynamic_buffer(in, 64 * 1024), "\r\n\r\n", use_tuple);
        if (ec) break;
        seen_request r;
        r.head = in.substr(0, end);
        r.connection = conn;
        in.erase(0, end);
        std::size_t len = std::min<std::size_t>(content_length(r.head), 16 * 1024 * 1024);
        if (in.size() < len) {
            auto [bec, bn] = co_await asio::async_read(*s, asio::dynamic_buffer(in), asio::transfer_exactly(len - in.size()),
                                                       use_tuple);
            if (bec) break;
        }
        r.body = in.substr(0, len);
        in.erase(0, len);
        std::size_t index;
        {
            std::lock_guard lk(st->mtx);
            index = st->seen.size();
            st->seen.push_back(r);
        }
        scripted_reply reply = st->run(r, index);
        if (!reply.bytes.empty()) {
            auto [wec, wn] = co_await asio::async_write(*s, asio::buffer(reply.bytes), use_tuple);
            if (wec) co_return;
        }
        if (!reply.later.empty()) {
            asio::steady_timer t(s->get_executor(), reply.later_delay);
            co_await t.async_wait(use_tuple);
            auto [wec, wn] = co_await asio::async_write(*s, asio::buffer(reply.later), use_tuple);
            if (wec) co_return;
        }
        if (reply.close) co_return;
    }
    std::lock_guard lk(st->mtx);
    ++st->client_closed;
}

asio::awaitable<void> run_plain(std::shared_ptr<scripted_server::state> st, tcp::socket sock, std::size_t conn) {
    co_await serve(st, &sock, conn);
    error_code ignored;
    sock.shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> run_tls(std::shared_ptr<scripted_server::state> st, tcp::socket sock, std::size_t conn) {
    asio::ssl::stream<tcp::socket> s(std::move(sock), *st->tls);
    auto [ec] = co_await s.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) co_return;
    co_await serve(st, &s, conn);
    error_code ignored;
    s.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<scripted_server::state> st) {
    for (;;) {
        auto [ec, sock] = co_await st->acceptor.async_accept(use_tuple);
        if (ec) co_return;
        std::size_t conn;
        {
            std::lock_guard lk(st->mtx);
            conn = st->accepted++;
        }
        auto ex = st->acceptor.get_executor();
        if (st->tls) asio::co_spawn(ex, run_tls(st, std::move(sock), conn), asio::detached);
        else asio::co_spawn(ex, run_plain(st, std::move(sock), conn), asio::detached);
    }
}

} // namespace

scripted_server::scripted_server(asio::io_context& ioc, script s, bool tls)
    : st_(std::make_shared<state>(ioc, std::move(s))) {
    if (tls) {
        auto id = intercom::testing::make_tls_identity();
        st_->tls.emplace(asio::ssl::context::tls_server);
        intercom::testing::use_identity(*st_->tls, id);
        st_->ca = id.ca_cert_pem;
    }
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    st_->acceptor.open(ep.protocol());
    st_->acceptor.bind(ep);
    st_->acceptor.listen();
    st_->port = st_->acceptor.local_endpoint().port();
    asio::co_spawn(ioc, accept_loop(st_), asio::detached);
}

scripted_server::~scripted_server() {
    error_code ignored;
    st_->acceptor.close(ignored);
}

std::uint16_t scripted_server::port() const { return st_->port; }
std::string scripted_server::base_url() const {
    return std::string(st_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(st_->port);
}
std::string scripted_server::ca_pem() const { return st_->ca; }
std::vector<seen_request> scripted_server::requests() const {
    std::lock_guard lk(st_->mtx);
    return st_->seen;
}
std::size_t scripted_server::connections() const {
    std::lock_guard lk(st_->mtx);
    return st_->accepted;
}
std::size_t scripted_server::closed_by_client() const {
    std::lock_guard lk(st_->mtx);
    return st_->client_closed;
}

std::string http_response(unsigned status, const std::string& body, const std::string& headers) {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

std::string http_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

} // namespace intercom::test
