#include "loopback_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <zlib.h>

#include <mutex>
#include <stdexcept>

namespace intercom::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

std::string gzip_compress(const std::string& in) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2");
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
    out.resize(z.total_out);
    return out;
}

struct loopback_server::state : std::enable_shared_from_this<loopback_server::state> {
    state(asio::io_context& ioc, options o, handler h)
        : ioc(ioc), opts(o), on_request(std::move(h)), acceptor_strand(asio::make_strand(ioc)),
          acceptor(acceptor_strand) {}

    asio::io_context& ioc;
    options opts;
    handler on_request;
    std::optional<asio::ssl::context> ctx;
    asio::strand<asio::io_context::executor_type> acceptor_strand;
    tcp::acceptor acceptor;
    std::uint16_t port = 0;

    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> current{0};
    std::atomic<std::size_t> max_concurrent{0};
    std::atomic<std::size_t> requests{0};
    std::atomic<bool> stopped{false};

    void note_open() {
        auto now = ++current;
        auto prev = max_concurrent.load();
        while (prev < now && !max_concurrent.compare_exchange_weak(prev, now)) {
        }
    }
};

namespace {

using server_state = loopback_server::state;

template <class Stream>
awaitable<void> serve(std::shared_ptr<server_state> st, std::shared_ptr<Stream> s, beast::tcp_stream* tcp,
                      std::size_t conn_index) {
    beast::flat_buffer buf;
    for (std::size_t n = 0;; ++n) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        if (n > 0 && st->opts.idle_close.count() > 0) tcp->expires_after(st->opts.idle_close);
        else tcp->expires_never();
        auto [ec, bytes] = co_await bhttp::async_read(*s, buf, parser, use_tuple);
        tcp->expires_never();
        if (ec) break;
        ++st->requests;
        auto& msg = parser.get();
        server_request req{msg.method(), std::string(msg.target()), msg.body(),
                           static_cast<const bhttp::fields&>(msg), conn_index, n};
        server_reply reply = st->on_request ? st->on_request(req) : server_reply{};
        if (reply.delay.count() > 0) {
            asio::steady_timer t(co_await asio::this_coro::executor, reply.delay);
            co_await t.async_wait(use_tuple);
        }
        if (reply.action == server_reply::kind::close_without_response) break;
        if (reply.action == server_reply::kind::never_answer) {
            asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(30));
            co_await t.async_wait(use_tuple);
            break;
        }
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
        for (auto& [k, v] : reply.headers) res.set(k, v);
        if (reply.gzip) {
            res.set(bhttp::field::content_encoding, "gzip");
            res.body() = gzip_compress(reply.body);
        } else {
            res.body() = reply.body;
        }
        res.keep_alive(!reply.close_after && msg.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await bhttp::async_write(*s, res, use_tuple);
        if (wec || !res.keep_alive()) break;
    }
    error_code ignored;
    tcp->socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp->socket().close(ignored);
    --st->current;
}

awaitable<void> run_plain(std::shared_ptr<server_state> st, tcp::socket sock, std::size_t index) {
    auto s = std::make_shared<beast::tcp_stream>(std::move(sock));
    co_await serve(st, s, s.get(), index);
}

awaitable<void> run_tls(std::shared_ptr<server_state> st, tcp::socket sock, std::size_t index) {
    auto s = std::make_shared<asio::ssl::stream<beast::tcp_stream>>(beast::tcp_stream(std::move(sock)), *st->ctx);
    s->next_layer().expires_after(std::chrono::seconds(10));
    auto [ec] = co_await s->async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) {
        error_code ignored;
        s->next_layer().socket().close(ignored);
        --st->current;
        co_return;
    }
    co_await serve(st, s, &s->next_layer(), index);
}

awaitable<void> hold_silently(std::shared_ptr<server_state> st, tcp::socket sock) {
    auto s = std::make_shared<tcp::socket>(std::move(sock));
    asio::steady_timer t(s->get_executor(), std::chrono::seconds(30));
    co_await t.async_wait(use_tuple);
    error_code ignored;
    s->close(ignored);
    --st->current;
}

awaitable<void> accept_loop(std::shared_ptr<server_state> st) {
    for (;;) {
        auto strand = asio::make_strand(st->ioc);
        auto [ec, sock] = co_await st->acceptor.async_accept(strand, use_tuple);
        if (ec || st->stopped) co_return;
        std::size_t index = st->accepted++;
        st->note_open();
        if (st->opts.silent) asio::co_spawn(strand, hold_silently(st, std::move(sock)), asio::detached);
        else if (st->opts.tls) asio::co_spawn(strand, run_tls(st, std::move(sock), index), asio::detached);
        else asio::co_spawn(strand, run_plain(st, std::move(sock), index), asio::detached);
    }
}

} // namespace

loopback_server::loopback_server(asio::io_context& ioc, options opts, handler h)
    : st_(std::make_shared<state>(ioc, opts, std::move(h))) {
    if (opts.tls) {
        if (!opts.identity) throw std::invalid_argument("loopback_server: tls needs an identity");
        st_->ctx.emplace(asio::ssl::context::tls_server);
        intercom::testing::use_identity(*st_->ctx, *opts.identity);
    }
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    st_->acceptor.open(ep.protocol());
    st_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    st_->acceptor.bind(ep);
    st_->acceptor.listen();
    st_->port = st_->acceptor.local_endpoint().port();
    asio::co_spawn(st_->acceptor_strand, accept_loop(st_), asio::detached);
}

loopback_server::~loopback_server() { stop(); }

http::origin loopback_server::origin() const {
    http::origin o;
    o.scheme = st_->opts.tls ? "https" : "http";
    o.host = "127.0.0.1";
    o.port = st_->port;
    return o;
}

std::uint16_t loopback_server::port() const { return st_->port; }
std::size_t loopback_server::accepted() const { return st_->accepted; }
std::size_t loopback_server::max_concurrent() const { return st_->max_concurrent; }
std::size_t loopback_server::requests() const { return st_->requests; }

void loopback_server::stop() {
    if (st_->stopped.exchange(true)) return;
    asio::post(st_->acceptor_strand, [st = st_] {
        error_code ignored;
        st->acceptor.close(ignored);
    });
}

} // namespace intercom::test
