// A tiny synchronous Beast client for driving the fake server in tests (independent of the library's
// transport), and a fixture that runs the server on a background io thread.
#pragma once

#include <intercom/testing/fake_server.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace intercom::test {

struct http_result {
    boost::system::error_code ec; ///< transport / parse error (then the other fields may be partial)
    unsigned status = 0;
    std::map<std::string, std::string> headers; ///< lower-case names
    std::string body;
    bool keep_alive = true;

    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
    boost::json::value json() const { return boost::json::parse(body); }
};

using header_list = std::vector<std::pair<std::string, std::string>>;

/// One keep-alive connection (plain or TLS); reconnects when the server closed it.
class sync_client {
public:
    explicit sync_client(std::uint16_t port, std::string ca_pem = {}) : port_(port), ca_(std::move(ca_pem)) {}

    http_result request(const std::string& method, const std::string& target, const std::string& body = {},
                        header_list headers = {{"Authorization", "Bearer test-token"}}) {
        namespace http = boost::beast::http;
        http_result out;
        if (!connected_) connect(out.ec);
        if (out.ec) return out;
        http::request<http::string_body> req(http::string_to_verb(method), target, 11);
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::accept, "application/json");
        for (auto& [k, v] : headers)
            req.set(k, v);
        if (!body.empty() || method == "POST" || method == "PUT") {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        boost::beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(256 * 1024 * 1024);
        if (tls_) {
            http::write(*tls_, req, out.ec);
            if (!out.ec) http::read(*tls_, buf, parser, out.ec);
        } else {
            http::write(*plain_, req, out.ec);
            if (!out.ec) http::read(*plain_, buf, parser, out.ec);
        }
        if (parser.is_header_done()) {
            auto& res = parser.get();
            out.status = res.result_int();
            for (auto& f : res)
                out.headers[lower(std::string(f.name_string()))] = std::string(f.value());
            out.keep_alive = res.keep_alive();
            out.body = res.body();
        }
        if (out.ec || !out.keep_alive) close();
        return out;
    }

    /// Shortcut: GET/POST with the default token, returns the parsed JSON (status checked by the caller).
    http_result get(const std::string& target) { return request("GET", target); }
    http_result post(const std::string& target, const boost::json::value& body) {
        return request("POST", target, boost::json::serialize(body));
    }
    http_result put(const std::string& target, const boost::json::value& body) {
        return request("PUT", target, boost::json::serialize(body));
    }
    http_result del(const std::string& target) { return request("DELETE", target); }

    void close() {
        boost::system::error_code ec;
        if (plain_) plain_->socket().close(ec);
        if (tls_) tls_->next_layer().socket().close(ec);
        plain_.reset();
        tls_.reset();
        connected_ = false;
    }
    int connects() const { return connects_; }

private:
    static std::string lower(std::string s) {
        for (auto& ch : s)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
    }

    void connect(boost::system::error_code& ec) {
        boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port_);
        ++connects_;
        if (ca_.empty()) {
            plain_ = std::make_unique<boost::beast::tcp_stream>(ioc_);
            plain_->socket().connect(ep, ec);
        } else {
            ssl_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
            ssl_->add_certificate_authority(boost::asio::buffer(ca_), ec);
            if (ec) return;
            ssl_->set_verify_mode(boost::asio::ssl::verify_peer);
            tls_ = std::make_unique<boost::beast::ssl_stream<boost::beast::tcp_stream>>(ioc_, *ssl_);
            tls_->next_layer().socket().connect(ep, ec);
            if (!ec) tls_->handshake(boost::asio::ssl::stream_base::client, ec);
        }
        connected_ = !ec;
        if (ec) close();
    }

    boost::asio::io_context ioc_;
    std::uint16_t port_;
    std::string ca_;
    std::unique_ptr<boost::asio::ssl::context> ssl_;
    std::unique_ptr<boost::beast::tcp_stream> plain_;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
    bool connected_ = false;
    int connects_ = 0;
};

/// Starts a fake server on its own io thread; stops it on destruction.
struct running_server {
    boost::asio::io_context ioc;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{ioc.get_executor()};
    testing::fake_server server;
    std::vector<std::thread> threads;

    explicit running_server(testing::fake_server_options opts = {}, int io_threads = 1)
        : server(ioc.get_executor(), std::move(opts)) {
        server.start();
        for (int i = 0; i < io_threads; ++i)
            threads.emplace_back([this] { ioc.run(); });
    }
    ~running_server() {
        server.stop();
        guard.reset();
        ioc.stop();
        for (auto& t : threads)
            t.join();
    }
    sync_client client() { return sync_client(server.port(), server.ca_pem()); }
};

} // namespace intercom::test
