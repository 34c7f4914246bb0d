// Shared pieces of the bare Boost.Beast baselines (`paginate-beast`, `retrieve-beast`): what a
// program written directly against Beast does, with none of the library's machinery (no pool, no
// retries, no rate limiter, no typed decoding). Both baselines connect, trust and send headers the
// same way, so they differ from each other only in their loop.
#pragma once

#include "intercom_bench/common.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>

namespace intercom::bench::beast_baseline {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

/// Where a base URL points: scheme, host, port and path prefix (no trailing slash).
struct endpoint {
    bool tls = true;
    std::string host;
    std::string port;
    std::string base_path;
    std::string host_header;  ///< as the library sends it: host, plus ":port" unless the default
};

/// Parses `base_url` (throws std::invalid_argument when it is not an http(s) URL).
endpoint parse_endpoint(const std::string& base_url);

/// A GET of `target` carrying the headers the library sends by default (src/client.cpp
/// `build_http_request` and src/http/https_transport.cpp): Host, Authorization: Bearer,
/// Accept: application/json, User-Agent (client_options' default), Intercom-Version
/// (client_options' default, 2.11), and Accept-Encoding: gzip only when
/// `http::transport_options::request_gzip` defaults to true (it does). The bundled fake server
/// never compresses JSON answers (only the data-export download is gzip), so both sides read the
/// same identity bodies; a server that does compress is reported by `response_problem`.
bhttp::request<bhttp::empty_body> make_get(const endpoint& ep, std::string target, const std::string& token);

/// Why `res` is not a usable JSON answer (status other than 200, or a compressed body the baseline
/// does not inflate), or nullopt when it is.
std::optional<std::string> response_problem(const bhttp::response<bhttp::string_body>& res, const std::string& target);

/// A TLS client context like paginate-beast always used: the system trust store plus `ca_pem`
/// (the bundled server's CA or --ca-file), peer verification on.
asio::ssl::context make_tls_context(const std::string& ca_pem);

/// Resolves and connects, TCP_NODELAY on (as the library's transport does).
asio::awaitable<void> connect_tcp(tcp::socket* sock, endpoint ep);
asio::awaitable<void> connect_tcp(beast::tcp_stream* stream, endpoint ep);

/// Connects the TCP layer of `stream`, then verifies the host name, sets SNI for names (not for IP
/// literals) and runs the TLS handshake.
template <class NextLayer>
asio::awaitable<void> connect_tls(asio::ssl::stream<NextLayer>* stream, endpoint ep) {
    co_await connect_tcp(&stream->next_layer(), ep);
    stream->set_verify_callback(asio::ssl::host_name_verification(ep.host));
    boost::system::error_code ip_ec;
    asio::ip::make_address(ep.host, ip_ec);
    if (ip_ec) SSL_set_tlsext_host_name(stream->native_handle(), ep.host.c_str());  // SNI only for names
    co_await stream->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
}

}  // namespace intercom::bench::beast_baseline
