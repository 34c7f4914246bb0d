// http::detail::read_response (the parsing path of every pooled connection) fed by Beast's test
// stream: framing, pipelining, HEAD, gzip, limits, truncation and the sink.
#include <intercom/http/detail/read_response.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <string>
#include <vector>

using namespace intercom;
namespace asio = boost::asio;
namespace ihttp = intercom::http;

namespace {

struct read_all_result {
    std::vector<result<ihttp::detail::read_outcome>> responses;
    std::vector<request_stage> stages;
};

struct reader_args {
    std::string bytes;
    ihttp::response_limits limits{};
    bool head = false;
    std::size_t read_size = 7;  ///< odd on purpose: every boundary falls mid-token
    ihttp::body_sink sink;
    int max = 4;
};

asio::awaitable<read_all_result> read_all(reader_args a) {
    boost::beast::test::stream s(co_await asio::this_coro::executor);
    s.read_size(a.read_size);
    s.append(a.bytes);
    s.close_remote();
    boost::beast::flat_buffer buf;
    read_all_result out;
    for (int i = 0; i < a.max; ++i) {
        request_stage stage = request_stage::sent;
        auto r = co_await ihttp::detail::read_response(&s, &buf, a.limits, a.head, a.sink ? &a.sink : nullptr,
                                                       &stage);
        bool more = r && r->keep_alive;
        out.responses.push_back(std::move(r));
        out.stages.push_back(stage);
        if (!more) break;
    }
    co_return out;
}

read_all_result run(reader_args a) {
    asio::io_context ioc;
    return test::run_coro(ioc, read_all(std::move(a)));
}

std::string gzip(const std::string& in) {
    z_stream zs{};
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, in.size()) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

errc code_of(const result<ihttp::detail::read_outcome>& r) {
    return r ? errc{} : static_cast<errc>(r.error().code.value());
}

} // namespace

BOOST_AUTO_TEST_SUITE(response_reader)

BOOST_AUTO_TEST_CASE(pipelined_content_length_and_chunked_responses) {
    reader_args a;
    a.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Request-Id: r1\r\n\r\nhello"
              "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n"
              "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
    auto out = run(a);
    BOOST_TEST_REQUIRE(out.responses.size() == 3u);
    BOOST_TEST_REQUIRE(bool(out.responses[0]));
    BOOST_TEST(out.responses[0]->res.status == 200u);
    BOOST_TEST(out.responses[0]->res.body == "hello");
    BOOST_TEST(out.responses[0]->res.header("X-Request-Id") == "r1");
    BOOST_TEST(out.responses[0]->keep_alive);
    BOOST_TEST_REQUIRE(bool(out.responses[1]));
    BOOST_TEST(out.responses[1]->res.status == 404u);
    BOOST_TEST(out.responses[1]->res.body == "abcde");
    BOOST_TEST_REQUIRE(bool(out.responses[2]));
    BOOST_TEST(out.responses[2]->res.status == 204u);
    BOOST_TEST(!out.responses[2]->keep_alive);
    BOOST_TEST((out.stages[2] == request_stage::completed));
}

BOOST_AUTO_TEST_CASE(head_response_has_no_body_and_gzip_is_decoded) {
    reader_args head;
    head.head = true;
    head.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    auto h = run(head);
    BOOST_TEST_REQUIRE(bool(h.responses[0]));
    BOOST_TEST(h.responses[0]->res.body.empty());

    const std::string text(50'000, 'z');
    const auto z = gzip(text);
    reader_args g;
    g.read_size = 1000;
    g.bytes = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(z.size()) +
              "\r\n\r\n" + z;
    auto r = run(g);
    BOOST_TEST_REQUIRE(bool(r.responses[0]));
    BOOST_TEST((r.responses[0]->res.body == text));
    BOOST_TEST(r.responses[0]->res.header("Content-Encoding").empty());
}

BOOST_AUTO_TEST_CASE(truncation_limits_and_garbage_are_typed_errors) {
    struct c {
        const char* name;
        std::string bytes;
        errc want;
        request_stage stage;
    };
    const c cases[] = {
        {"nothing", "", errc::connection_closed, request_stage::sent},
        {"cut header", "HTTP/1.1 200 OK\r\nContent-Le", errc::connection_closed, request_stage::response_started},
        {"cut body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", errc::connection_closed,
         request_stage::response_started},
        {"not http", "SSH-2.0-OpenSSH_9.2\r\n\r\n", errc::malformed_response, request_stage::response_started},
        {"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", errc::malformed_response,
         request_stage::response_started},
        {"body over limit", "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'b'),
         errc::body_too_large, request_stage::response_started},
        {"header over limit", "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n",
         errc::header_too_large, request_stage::response_started},
        {"corrupt gzip", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope",
         errc::decompression_failed, request_stage::response_started},
    };
    for (const auto& k : cases) {
        BOOST_TEST_CONTEXT(k.name) {
            reader_args a;
            a.bytes = k.bytes;
            a.limits = {.max_header_bytes = 1024, .max_body_bytes = 1000};
            auto out = run(a);
            BOOST_TEST_REQUIRE(out.responses.size() == 1u);
            BOOST_TEST(code_of(out.responses[0]) == k.want);
            BOOST_TEST((out.stages[0] == k.stage));
            if (!out.responses[0]) BOOST_TEST((out.responses[0].error().diag.stage == k.stage));
        }
    }
}

BOOST_AUTO_TEST_CASE(sink_gets_2xx_bodies_beyond_the_limit_and_errors_stay_collected) {
    std::string sunk;
    reader_args a;
    a.limits = {.max_header_bytes = 1024, .max_body_bytes = 10};
    a.sink = [&sunk](std::string_view c) {
        sunk.append(c);
        return boost::system::error_code{};
    };
    a.max = 2;
    a.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 's') +
              "HTTP/1.1 500 Oops\r\nContent-Length: 5\r\n\r\nerror";
    auto out = run(a);
    BOOST_TEST_REQUIRE(out.responses.size() == 2u);
    BOOST_TEST_REQUIRE(bool(out.responses[0]));
    BOOST_TEST(out.responses[0]->res.body.empty());
    BOOST_TEST(sunk == std::string(100, 's'));
    BOOST_TEST_REQUIRE(bool(out.responses[1]));
    BOOST_TEST(out.responses[1]->res.body == "error");
}

BOOST_AUTO_TEST_SUITE_END()
