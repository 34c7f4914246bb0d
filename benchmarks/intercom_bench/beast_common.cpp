#include "intercom_bench/beast_common.hpp"

#include <intercom/client_options.hpp>

#include <boost/asio/connect.hpp>
#include <boost/url/parse.hpp>

#include <stdexcept>

namespace intercom::bench::beast_baseline {

endpoint parse_endpoint(const std::string& base_url) {
    auto url = boost::urls::parse_uri(base_url);
    if (!url || (url->scheme() != "https" && url->scheme() != "http"))
        throw std::invalid_argument("cannot parse base URL " + base_url);
    endpoint ep;
    ep.tls = url->scheme() == "https";
    ep.host = url->host();
    const std::string default_port = ep.tls ? "443" : "80";
    ep.port = url->has_port() ? std::string(url->port()) : default_port;
    ep.base_path = url->path();
    if (!ep.base_path.empty() && ep.base_path.back() == '/') ep.base_path.pop_back();
    ep.host_header = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
    if (ep.port != default_port) ep.host_header += ":" + ep.port;
    return ep;
}

bhttp::request<bhttp::empty_body> make_get(const endpoint& ep, std::string target, const std::string& token) {
    static const client_options defaults;
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, std::move(target), 11};
    req.set(bhttp::field::host, ep.host_header);
    req.set(bhttp::field::authorization, "Bearer " + token);
    req.set(bhttp::field::accept, "application/json");
    req.set(bhttp::field::user_agent, defaults.user_agent);
    req.set("Intercom-Version", defaults.version);
    if (defaults.transport.request_gzip) req.set(bhttp::field::accept_encoding, "gzip");
    req.keep_alive(true);
    return req;
}

std::optional<std::string> response_problem(const bhttp::response<bhttp::string_body>& res, const std::string& target) {
    if (res.result_int() != 200) return "GET " + target + " answered " + std::to_string(res.result_int());
    auto coding = res[bhttp::field::content_encoding];
    if (!coding.empty() && coding != "identity")
        return "GET " + target + " answered Content-Encoding: " + std::string(coding) +
               " (the baseline does not inflate bodies)";
    return std::nullopt;
}

asio::ssl::context make_tls_context(const std::string& ca_pem) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    if (!ca_pem.empty()) ctx.add_certificate_authority(asio::buffer(ca_pem));
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

asio::awaitable<void> connect_tcp(tcp::socket* sock, endpoint ep) {
    tcp::resolver resolver(sock->get_executor());
    auto endpoints = co_await resolver.async_resolve(ep.host, ep.port, asio::use_awaitable);
    co_await asio::async_connect(*sock, endpoints, asio::use_awaitable);
    sock->set_option(tcp::no_delay(true));
}

asio::awaitable<void> connect_tcp(beast::tcp_stream* stream, endpoint ep) {
    tcp::resolver resolver(stream->get_executor());
    auto endpoints = co_await resolver.async_resolve(ep.host, ep.port, asio::use_awaitable);
    co_await stream->async_connect(endpoints, asio::use_awaitable);
    stream->socket().set_option(tcp::no_delay(true));
}

}  // namespace intercom::bench::beast_baseline
