// A raw-socket HTTP/1.1 server whose answers are scripted byte for byte, for the hostile-input suite:
// it records every request head exactly as it arrived and answers with whatever bytes the test
// gives (interim responses, echoed secrets, absurd headers, stray bytes on an idle connection).
// Plain TCP or TLS (a CA made at test time), 127.0.0.1 only, on the test's io_context. Every loop
// is bounded: at most `max_requests_per_connection` requests per connection, 64 KiB per head.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace intercom::test {

/// One request as the server read it.
struct seen_request {
    std::string head;        ///< request line and headers, up to and including the blank line
    std::string body;
    std::size_t connection;  ///< 0-based index of the accepted connection
};

/// What to do after a request.
struct scripted_reply {
    scripted_reply() = default;
    explicit scripted_reply(std::string b) : bytes(std::move(b)) {}

    std::string bytes;                    ///< written at once (may hold several responses)
    std::string later;                    ///< written `later_delay` after `bytes`, unasked (stray bytes)
    std::chrono::milliseconds later_delay{0};
    bool close = false;                   ///< close the connection after writing
};

class scripted_server {
public:
    using script = std::function<scripted_reply(const seen_request&, std::size_t index)>;

    static constexpr std::size_t max_requests_per_connection = 200;

    scripted_server(boost::asio::io_context& ioc, script s, bool tls = false);
    ~scripted_server();
    scripted_server(const scripted_server&) = delete;
    scripted_server& operator=(const scripted_server&) = delete;

    std::uint16_t port() const;
    std::string base_url() const;       ///< "http(s)://127.0.0.1:PORT"
    std::string ca_pem() const;         ///< the CA to trust (TLS only)
    std::vector<seen_request> requests() const;
    std::size_t connections() const;    ///< accepted so far
    std::size_t closed_by_client() const; ///< connections on which a read ended with EOF or an error

    struct state;

private:
    std::shared_ptr<state> st_;
};

/// "HTTP/1.1 <status> X\r\n<headers>Content-Length: N\r\n\r\n<body>" (headers end in "\r\n" each).
std::string http_response(unsigned status, const std::string& body, const std::string& headers = "");

/// An IMF-fixdate for `t` ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::chrono::system_clock::time_point t);

} // namespace intercom::test
