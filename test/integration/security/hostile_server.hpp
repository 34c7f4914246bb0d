// A deliberately hostile HTTP server for the security tests: after reading a request it sends an
// endless body, endless headers, an endless chunked stream or headers one byte at a time, until the
// client gives up. Runs on the test's io_context (plain TCP on 127.0.0.1).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace intercom::test {

enum class hostility {
    endless_body,     ///< no length (delimited by the connection's end), body bytes forever
    endless_chunked,  ///< `Transfer-Encoding: chunked`, 4 KiB chunks forever
    endless_headers,  ///< a status line, then header lines forever
    slow_headers,     ///< a status line, then one header byte every `drip` (slow loris)
};

class hostile_server {
public:
    hostile_server(boost::asio::io_context& ioc, hostility h,
                   std::chrono::milliseconds drip = std::chrono::milliseconds(20));
    ~hostile_server();
    hostile_server(const hostile_server&) = delete;
    hostile_server& operator=(const hostile_server&) = delete;

    std::uint16_t port() const;
    std::size_t bytes_written() const;  ///< response bytes the kernel accepted, all connections
    std::size_t connections() const;
    std::size_t finished() const;       ///< connections on which the client hung up (a write failed)

    struct state;

private:
    std::shared_ptr<state> st_;
};

} // namespace intercom::test
