// Bounded memory against a hostile server: an endless body, an endless chunked stream, endless
// headers and headers dripped one byte at a time each end with the typed error, and the client
// stops reading at its limits.
//
// Two views: end to end through the client and transport against a hostile TCP server (the typed
// error, and the server sees the client hang up), and the transport's response reader fed by an
// endless in-memory stream that counts every byte the client pulls (the exact bound).
#include "hostile_server.hpp"

#include <intercom/client.hpp>
#include <intercom/http/detail/read_response.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using intercom::test::hostile_server;
using intercom::test::hostility;

namespace {

constexpr std::size_t body_limit = 256 * 1024;
constexpr std::size_t header_limit = 8 * 1024;

struct outcome {
    error_info error;
    std::size_t written = 0;
    std::size_t connections = 0;
    std::size_t finished = 0;
};

outcome call_hostile(hostility h) {
    asio::io_context ioc;
    hostile_server server(ioc, h);
    client_options o;
    o.token = "t";
    o.base_url = "http://127.0.0.1:" + std::to_string(server.port());
    o.attempt_timeout = 300ms;
    o.timeout = 5s;
    o.pipeline.max_attempts = 1;
    o.transport.limits.max_body_bytes = body_limit;
    o.transport.limits.max_header_bytes = header_limit;
    client c(ioc.get_executor(), o);
    auto r = test::run_coro(ioc, c.request(boost::beast::http::verb::get, "/contacts"), 20s);
    BOOST_TEST_REQUIRE(!r);
    // Let the server notice that the client hung up (its next writes fail).
    ioc.restart();
    for (auto until = std::chrono::steady_clock::now() + 3s;
         server.finished() < server.connections() && std::chrono::steady_clock::now() < until;)
        ioc.run_for(20ms);
    return {r.error(), server.bytes_written(), server.connections(), server.finished()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(security_hostile_server)

// The server would write forever; it stops only because the client hung up. The bound allows for
// what kernel socket buffers hold on loopback; the exact bound is checked in-memory below.
BOOST_AUTO_TEST_CASE(endless_body_ends_with_body_too_large) {
    auto r = call_hostile(hostility::endless_body);
    BOOST_TEST(r.error.code == errc::body_too_large, r.error.what());
    BOOST_TEST((r.error.diag.stage == request_stage::response_started));
    BOOST_TEST(r.connections == 1u);
    BOOST_TEST(r.finished == 1u);
    BOOST_TEST(r.written > body_limit);
    BOOST_TEST(r.written < body_limit + 8 * 1024 * 1024);
}

BOOST_AUTO_TEST_CASE(endless_chunked_stream_ends_with_body_too_large) {
    auto r = call_hostile(hostility::endless_chunked);
    BOOST_TEST(r.error.code == errc::body_too_large, r.error.what());
    BOOST_TEST(r.finished == 1u);
    BOOST_TEST(r.written < body_limit + 8 * 1024 * 1024);
}

BOOST_AUTO_TEST_CASE(endless_headers_end_with_header_too_large) {
    auto r = call_hostile(hostility::endless_headers);
    BOOST_TEST(r.error.code == errc::header_too_large, r.error.what());
    BOOST_TEST((r.error.diag.stage == request_stage::response_started));
    BOOST_TEST(r.finished == 1u);
    BOOST_TEST(r.written < header_limit + 8 * 1024 * 1024);
}

BOOST_AUTO_TEST_CASE(slow_loris_headers_end_with_attempt_timeout) {
    auto r = call_hostile(hostility::slow_headers);
    BOOST_TEST(r.error.code == errc::attempt_timeout, r.error.what());
    BOOST_TEST(r.finished == 1u);
    BOOST_TEST(r.written < 200u);  // 300 ms at one byte per 20 ms, plus the status line
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the exact bound: the transport's reader against an endless in-memory stream ----------------

namespace {

/// An AsyncReadStream that never ends: `fill` writes the next bytes of the hostile answer.
/// Counts every byte handed to the reader.
class endless_stream {
public:
    using executor_type = asio::any_io_executor;
    using fill_fn = std::function<void(char*, std::size_t)>;

    endless_stream(executor_type ex, fill_fn f) : ex_(std::move(ex)), fill_(std::move(f)) {}
    executor_type get_executor() { return ex_; }
    std::size_t delivered() const { return delivered_; }

    static constexpr std::size_t cap = 64 * 1024 * 1024;

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& bufs) {
                if (delivered_ >= cap) {  // the test failed already: end instead of growing forever
                    asio::post(ex_, [h = std::move(handler)]() mutable { std::move(h)(asio::error::eof, 0); });
                    return;
                }
                std::size_t n = 0;
                for (auto it = asio::buffer_sequence_begin(bufs); it != asio::buffer_sequence_end(bufs); ++it) {
                    asio::mutable_buffer b = *it;
                    fill_(static_cast<char*>(b.data()), b.size());
                    n += b.size();
                }
                delivered_ += n;
                asio::post(ex_, [h = std::move(handler), n]() mutable { std::move(h)(boost::system::error_code{}, n); });
            },
            token, buffers);
    }

private:
    executor_type ex_;
    fill_fn fill_;
    std::size_t delivered_ = 0;
};

/// Produces `prefix`, then `unit` repeated forever.
endless_stream::fill_fn repeat_after(std::string prefix, std::string unit) {
    auto pos = std::make_shared<std::size_t>(0);
    return [prefix = std::move(prefix), unit = std::move(unit), pos](char* out, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i, ++*pos) {
            std::size_t p = *pos;
            out[i] = p < prefix.size() ? prefix[p] : unit[(p - prefix.size()) % unit.size()];
        }
    };
}

struct read_result {
    result<http::detail::read_outcome> r = error_info{};
    std::size_t delivered = 0;
};

asio::awaitable<read_result> read_endless(endless_stream::fill_fn fill, http::response_limits limits) {
    endless_stream s(co_await asio::this_coro::executor, std::move(fill));
    boost::beast::flat_buffer buffer;
    request_stage stage = request_stage::sent;
    read_result out;
    auto r = co_await http::detail::read_response(&s, &buffer, limits, false, nullptr, &stage);
    out.r = std::move(r);
    out.delivered = s.delivered();
    co_return out;
}

// What the reader may pull beyond a limit: its read buffers (Beast's read size and the 16 KiB body
// buffer), never a multiple of the limit.
constexpr std::size_t slack = 80 * 1024;

} // namespace

BOOST_AUTO_TEST_SUITE(security_bounded_reader)

BOOST_AUTO_TEST_CASE(reader_pulls_at_most_the_limit_plus_one_buffer) {
    const http::response_limits limits{.max_header_bytes = header_limit, .max_body_bytes = 1024 * 1024};
    struct scenario {
        const char* name;
        endless_stream::fill_fn fill;
        errc expected;
        std::size_t bound;
    };
    const scenario scenarios[] = {
        {"endless body", repeat_after("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", "x"),
         errc::body_too_large, limits.max_body_bytes + slack},
        // A length over the limit fails before any body byte is read.
        {"announced terabyte", repeat_after("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n", "x"),
         errc::body_too_large, limits.max_header_bytes + slack},
        // A gzip stream that never ends: non-final stored deflate blocks of 65535 bytes, forever.
        {"endless gzip", repeat_after("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n" +
                                          std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10),
                                      std::string("\x00\xff\xff\x00\x00", 5) + std::string(65535, 'z')),
         errc::body_too_large, limits.max_body_bytes + slack},
        {"endless trailers", repeat_after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n",
                                          "X-Trailer: " + std::string(50, 't') + "\r\n"),
         errc::header_too_large, limits.max_header_bytes + slack},
        {"endless chunked", repeat_after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                                         "1000\r\n" + std::string(4096, 'c') + "\r\n"),
         errc::body_too_large, limits.max_body_bytes + slack},
        {"endless headers", repeat_after("HTTP/1.1 200 OK\r\n", "X-Junk: " + std::string(100, 'j') + "\r\n"),
         errc::header_too_large, limits.max_header_bytes + slack},
        {"endless header line", repeat_after("HTTP/1.1 200 OK\r\nX-Long: ", "a"), errc::header_too_large,
         limits.max_header_bytes + slack},
        {"endless status line", repeat_after("HTTP/1.1 200 ", "O"), errc::header_too_large,
         limits.max_header_bytes + slack},
        // Beast bounds neither a chunk-size line nor its extensions: the reader caps its buffer.
        {"endless chunk extension", repeat_after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10;", "e"),
         errc::header_too_large, limits.max_header_bytes + slack},
        {"endless chunk size", repeat_after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "0"),
         errc::header_too_large, limits.max_header_bytes + slack},
    };
    for (const auto& sc : scenarios) {
        BOOST_TEST_CONTEXT(sc.name) {
            asio::io_context ioc;
            auto out = test::run_coro(ioc, read_endless(sc.fill, limits), 30s);
            BOOST_TEST_REQUIRE(!out.r);
            BOOST_TEST_MESSAGE(sc.name << ": " << out.r.error().what() << ", pulled " << out.delivered << " bytes");
            BOOST_TEST(out.r.error().code == sc.expected, out.r.error().what());
            BOOST_TEST(out.delivered <= sc.bound);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
