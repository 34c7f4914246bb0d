// A scriptable HTTP/HTTPS server on 127.0.0.1 for transport tests. Runs on the test's io_context.
#pragma once

#include <intercom/http/origin.hpp>
#include <intercom/testing/certificates.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace intercom::test {

/// What the server saw.
struct server_request {
    boost::beast::http::verb method;
    std::string target;
    std::string body;
    boost::beast::http::fields headers;
    std::size_t connection_index = 0;  ///< 0-based order of acceptance
    std::size_t index_on_connection = 0;  ///< 0 for the first request of a connection
};

/// What the server does with one request.
struct server_reply {
    enum class kind { respond, close_without_response, never_answer };
    kind action = kind::respond;
    unsigned status = 200;
    std::string body = "ok";
    std::vector<std::pair<std::string, std::string>> headers;
    bool gzip = false;         ///< gzip the body and set Content-Encoding
    bool close_after = false;  ///< send Connection: close and close
    std::chrono::milliseconds delay{0};
};

/// Test-side gzip (zlib).
std::string gzip_compress(const std::string& in);

class loopback_server {
public:
    using handler = std::function<server_reply(const server_request&)>;

    struct options {
        bool tls = false;
        const intercom::testing::tls_identity* identity = nullptr;  ///< required with tls
        /// Close a keep-alive connection that stays idle this long after a response (0 = never).
        std::chrono::milliseconds idle_close{0};
        /// Accept TCP connections but never read or speak (handshake/attempt timeouts).
        bool silent = false;
    };

    loopback_server(boost::asio::io_context& ioc, options opts, handler h = {});
    ~loopback_server();
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    /// "http://127.0.0.1:<port>" or "https://127.0.0.1:<port>".
    http::origin origin() const;
    std::uint16_t port() const;

    std::size_t accepted() const;        ///< connections accepted so far
    std::size_t max_concurrent() const;  ///< most connections open at the same time
    std::size_t requests() const;        ///< requests read (including unanswered ones)

    /// Stops accepting (open connections end when the client closes them or the io_context dies).
    void stop();

    struct state;

private:
    std::shared_ptr<state> st_;
};

} // namespace intercom::test
