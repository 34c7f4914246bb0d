// Pure parts of the transport: gzip/deflate decoding, error mapping, the retry rule.
#include <intercom/http/detail/inflater.hpp>
#include <intercom/http/detail/transport_rules.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <string>

using namespace intercom;
using namespace intercom::http::detail;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

std::string compress(const std::string& in, int window_bits) {
    z_stream z{};
    BOOST_TEST_REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    BOOST_TEST_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

/// Feeds `in` in pieces of `piece` bytes.
boost::system::error_code decode(content_coding c, const std::string& in, std::size_t limit, std::string& out,
                                 std::size_t piece = 7) {
    inflater inf(c, limit);
    for (std::size_t i = 0; i < in.size(); i += piece) {
        auto ec = inf.feed(std::string_view(in).substr(i, piece), [&out](std::string_view s) {
            out.append(s);
            return boost::system::error_code{};
        });
        if (ec) return ec;
    }
    return inf.finish();
}

std::string sample() {
    std::string s;
    for (int i = 0; i < 50'000; ++i) s += "line " + std::to_string(i % 97) + "\n";
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(transport_rules)

BOOST_AUTO_TEST_CASE(content_coding_parsing) {
    BOOST_TEST((parse_content_coding("") == content_coding::identity));
    BOOST_TEST((parse_content_coding(" GZIP ") == content_coding::gzip));
    BOOST_TEST((parse_content_coding("x-gzip") == content_coding::gzip));
    BOOST_TEST((parse_content_coding("Deflate") == content_coding::deflate));
    BOOST_TEST((parse_content_coding("br") == content_coding::unknown));
}

BOOST_AUTO_TEST_CASE(gzip_and_both_deflate_flavours_decode_in_small_pieces) {
    auto text = sample();
    for (auto [coding, bits] : {std::pair{content_coding::gzip, 31}, std::pair{content_coding::deflate, 15},
                                std::pair{content_coding::deflate, -15}}) {
        BOOST_TEST_CONTEXT("window_bits=" << bits) {
            std::string out;
            BOOST_TEST(!decode(coding, compress(text, bits), 0, out));
            BOOST_TEST((out == text));
        }
    }
}

BOOST_AUTO_TEST_CASE(decoded_size_is_bounded) {
    std::string zeros(10'000'000, '\0');
    auto bomb = compress(zeros, 31);
    BOOST_TEST(bomb.size() < 20'000u);
    std::string out;
    BOOST_TEST(decode(content_coding::gzip, bomb, 1'000'000, out, 4096) == errc::body_too_large);
    BOOST_TEST(out.size() <= 1'000'000u);
    std::string exact;
    auto text = sample();
    BOOST_TEST(!decode(content_coding::gzip, compress(text, 31), text.size(), exact));  // limit is inclusive
    std::string ident;
    BOOST_TEST(decode(content_coding::identity, text, 10, ident) == errc::body_too_large);
}

BOOST_AUTO_TEST_CASE(corrupt_or_truncated_input_fails) {
    auto gz = compress(sample(), 31);
    std::string out;
    BOOST_TEST(decode(content_coding::gzip, gz.substr(0, gz.size() / 2), 0, out) == errc::decompression_failed);
    out.clear();
    BOOST_TEST(decode(content_coding::gzip, "definitely not gzip", 0, out) == errc::decompression_failed);
    out.clear();
    BOOST_TEST(decode(content_coding::gzip, gz + "trailing garbage", 0, out) == errc::decompression_failed);
    out.clear();
    BOOST_TEST(!decode(content_coding::gzip, gz + gz, 0, out));  // two gzip members are valid
    BOOST_TEST(out.size() == 2 * sample().size());
}

BOOST_AUTO_TEST_CASE(io_errors_map_to_library_codes) {
    BOOST_TEST(classify_io_error(asio::error::operation_aborted, io_phase::exchange) == errc::cancelled);
    BOOST_TEST(classify_io_error(boost::beast::error::timeout, io_phase::connect) == errc::connect_timeout);
    BOOST_TEST(classify_io_error(boost::beast::error::timeout, io_phase::handshake) == errc::tls_handshake_timeout);
    BOOST_TEST(classify_io_error(boost::beast::error::timeout, io_phase::exchange) == errc::attempt_timeout);
    BOOST_TEST(classify_io_error(asio::error::connection_refused, io_phase::connect) == errc::connect_failed);
    BOOST_TEST(classify_io_error(asio::error::host_not_found, io_phase::resolve) == errc::resolve_failed);
    BOOST_TEST(classify_io_error(bhttp::error::end_of_stream, io_phase::exchange) == errc::connection_closed);
    BOOST_TEST(classify_io_error(asio::error::connection_reset, io_phase::exchange) == errc::connection_closed);
    BOOST_TEST(classify_io_error(asio::ssl::error::stream_truncated, io_phase::exchange) == errc::connection_closed);
    BOOST_TEST(classify_io_error(bhttp::error::header_limit, io_phase::exchange) == errc::header_too_large);
    BOOST_TEST(classify_io_error(bhttp::error::body_limit, io_phase::exchange) == errc::body_too_large);
    BOOST_TEST(classify_io_error(bhttp::error::bad_status, io_phase::exchange) == errc::malformed_response);
    BOOST_TEST(classify_io_error(asio::error::eof, io_phase::handshake) == errc::tls_handshake_failed);
}

BOOST_AUTO_TEST_CASE(retry_rule) {
    using rs = intercom::request_stage;
    // Only reused connections that the peer closed before answering.
    BOOST_TEST(!may_retry_on_fresh_connection(false, errc::connection_closed, rs::sent, true));
    BOOST_TEST(!may_retry_on_fresh_connection(true, errc::attempt_timeout, rs::sent, true));
    BOOST_TEST(!may_retry_on_fresh_connection(true, errc::cancelled, rs::partially_sent, true));
    BOOST_TEST(!may_retry_on_fresh_connection(true, errc::connection_closed, rs::response_started, true));
    // Idempotent: always (before any response byte).
    BOOST_TEST(may_retry_on_fresh_connection(true, errc::connection_closed, rs::sent, true));
    BOOST_TEST(may_retry_on_fresh_connection(true, errc::connection_closed, rs::partially_sent, true));
    // Non-idempotent: only if not completely written.
    BOOST_TEST(may_retry_on_fresh_connection(true, errc::connection_closed, rs::partially_sent, false));
    BOOST_TEST(may_retry_on_fresh_connection(true, errc::connection_closed, rs::not_sent, false));
    BOOST_TEST(!may_retry_on_fresh_connection(true, errc::connection_closed, rs::sent, false));
}

BOOST_AUTO_TEST_SUITE_END()
