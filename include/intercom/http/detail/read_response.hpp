// Reading one HTTP/1.1 response off a stream: the parsing path every pooled connection uses.
// A template over the stream so tests and fuzzers can feed it bytes from memory (e.g. Beast's
// test stream) through exactly the code the transport runs.
#pragma once

#include <intercom/diagnostics.hpp>
#include <intercom/error.hpp>
#include <intercom/http/detail/inflater.hpp>
#include <intercom/http/detail/transport_rules.hpp>
#include <intercom/http/message.hpp>
#include <intercom/http/pool_options.hpp>
#include <intercom/result.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <optional>
#include <cstdint>
#include <string>
#include <utility>
#include <memory>

namespace intercom::http::detail {

/// A complete response and whether the connection may carry another request.
struct read_outcome {
    response res;
    bool keep_alive = false;
};

/// Reads the response to a request already written on `*s`. Bytes read past it stay in `*buffer`.
/// `head`: the request was a HEAD (no body follows). `sink` (may be null): streams a 2xx body
/// instead of collecting it. Advances `*stage` (response_started, completed); errors carry it.
/// Timeouts are the caller's (the stream's own). Pointers, not references: g++ 12 coroutines.
template <class Stream>
boost::asio::awaitable<result<read_outcome>> read_response(Stream* s, boost::beast::flat_buffer* buffer,
                                                           response_limits limits, bool head,
                                                           const body_sink* sink, request_stage* stage) {
    namespace asio = boost::asio;
    using boost::system::error_code;
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    auto fail = [stage](errc code, error_code cause, std::string what) {
        error_info e{code};
        e.diag.cause = cause;
        e.diag.message = std::move(what);
        e.diag.stage = *stage;
        return e;
    };

    // Beast bounds the header, but nothing bounds a chunk-size line: an endless chunk extension would
    // grow the read buffer forever. Cap it at the header limit plus one 64 KiB read (Beast's read
    // size); hitting the cap is `buffer_overflow`, reported as header_too_large.
    buffer->max_size(limits.max_header_bytes + 64 * 1024);

    // Interim (1xx) answers such as `100 Continue` or `103 Early Hints` precede the real one: skip
    // them. Bounded, so a server cannot keep the client reading interim headers forever.
    constexpr unsigned max_interim_responses = 8;
    std::optional<beast_http::response_parser<beast_http::empty_body>> hp;
    for (unsigned interim = 0;; ++interim) {
        hp.emplace();
        hp->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
        // No limit while reading the header: which limit applies depends on the status (a 2xx may be
        // streamed), and Beast would otherwise apply its own 8 MiB default to Content-Length.
        hp->body_limit(boost::none);
        if (head) hp->skip(true);
        auto [hec, hn] = co_await beast_http::async_read_header(*s, *buffer, *hp, use_tuple);
        if (hp->got_some()) *stage = request_stage::response_started;
        if (hec) {
            auto code = classify_io_error(hec, io_phase::exchange);
            co_return fail(code, hec,
                           code == errc::attempt_timeout ? "no complete response header within the attempt timeout"
                           : code == errc::header_too_large
                               ? "response header exceeds " + std::to_string(limits.max_header_bytes) + " bytes"
                               : "reading the response header failed: " + hec.message());
        }
        *stage = request_stage::response_started;
        const unsigned st = hp->get().result_int();
        if (st < 100 || st >= 200 || st == 101) break;
        if (interim + 1 >= max_interim_responses)
            co_return fail(errc::malformed_response, {},
                           "more than " + std::to_string(max_interim_responses) + " interim (1xx) responses");
    }

    beast_http::response_parser<beast_http::buffer_body> p{std::move(*hp)};
    const unsigned status = p.get().result_int();
    // Beast accepts any three digits; outside 100..599 is not HTTP (and 0 would read as "no response").
    if (status < 100 || status > 599)
        co_return fail(errc::malformed_response, {}, "invalid status code " + std::to_string(status));
    if (status == 101) co_return fail(errc::malformed_response, {}, "unexpected 101 Switching Protocols");
    const bool streaming = sink && *sink && status / 100 == 2;
    // Buffered bodies: `max_body_bytes`. Streamed bodies: `max_streamed_body_bytes`, 0 = no cap.
    const std::size_t limit = streaming ? limits.max_streamed_body_bytes : limits.max_body_bytes;
    if (limit != 0) {
        // Refuse a declared length over the limit before reading any of it.
        if (auto declared = p.content_length(); declared && *declared > limit)
            co_return fail(errc::body_too_large, {},
                           "declared Content-Length " + std::to_string(*declared) + " exceeds the limit of " +
                               std::to_string(limit) + " bytes");
        p.body_limit(limit);
    } else {
        p.body_limit(boost::none);
    }

    auto coding = parse_content_coding(p.get()[beast_http::field::content_encoding]);
    inflater inf(coding, limit);
    std::string body;
    error_code sink_error;
    inflater::output_fn out;
    if (streaming) {
        out = [sink, &sink_error](std::string_view chunk) {
            try {
                sink_error = (*sink)(chunk);
            } catch (...) {
                sink_error = make_error_code(errc::callback_failed);  // a throwing sink ends the transfer
            }
            return sink_error;
        };
    } else {
        out = [&body](std::string_view chunk) {
            body.append(chunk);
            return error_code{};
        };
    }
    if (!head && !streaming && coding == content_coding::identity && p.content_length()) {
        // The common case (a JSON answer with a Content-Length): read straight into the body,
        // no chunk buffer and no copy. The length was checked against the limit above.
        body.resize(static_cast<std::size_t>(*p.content_length()));
        std::size_t filled = 0;
        while (!p.is_done()) {
            if (filled == body.size()) co_return fail(errc::malformed_response, {}, "body longer than its Content-Length");
            p.get().body().data = body.data() + filled;
            p.get().body().size = body.size() - filled;
            auto [rec, rn] = co_await beast_http::async_read(*s, *buffer, p, use_tuple);
            if (rec == beast_http::error::need_buffer) rec = {};
            filled = body.size() - p.get().body().size;
            if (rec) {
                auto code = classify_io_error(rec, io_phase::exchange);
                co_return fail(code, rec,
                               code == errc::attempt_timeout ? "response body not received within the attempt timeout"
                                                             : "reading the response body failed: " + rec.message());
            }
        }
        body.resize(filled);
    }
    // Not value-initialised: zeroing 16 KiB per response was ~8 % of a small request's CPU.
    constexpr std::size_t chunk_size = 16 * 1024;
    std::unique_ptr<char[]> buf;
    if (!p.is_done()) buf = std::make_unique_for_overwrite<char[]>(chunk_size);
    while (!p.is_done()) {
        p.get().body().data = buf.get();
        p.get().body().size = chunk_size;
        auto [rec, rn] = co_await beast_http::async_read(*s, *buffer, p, use_tuple);
        if (rec == beast_http::error::need_buffer) rec = {};
        std::size_t got = chunk_size - p.get().body().size;
        if (got != 0) {
            if (auto dec = inf.feed(std::string_view(buf.get(), got), out)) {
                if (sink_error == errc::callback_failed)
                    co_return fail(errc::callback_failed, {}, "the body sink threw an exception");
                if (sink_error) co_return fail(errc::cancelled, sink_error, "the body sink aborted the transfer");
                if (dec == errc::body_too_large)
                    co_return fail(errc::body_too_large, {},
                                   "decoded response body exceeds " + std::to_string(limit) + " bytes");
                co_return fail(errc::decompression_failed, {},
                               "cannot decode the " + std::string(p.get()[beast_http::field::content_encoding]) +
                                   " response body");
            }
        }
        if (rec) {
            auto code = classify_io_error(rec, io_phase::exchange);
            co_return fail(code, rec,
                           code == errc::body_too_large
                               ? "response body exceeds " + std::to_string(limit) + " bytes"
                           : code == errc::attempt_timeout ? "response body not received within the attempt timeout"
                                                           : "reading the response body failed: " + rec.message());
        }
    }
    if (inf.finish()) co_return fail(errc::decompression_failed, {}, "the compressed response body is truncated");
    *stage = request_stage::completed;

    read_outcome r;
    r.keep_alive = p.keep_alive() && !p.need_eof();
    r.res.status = status;
    r.res.headers = std::move(static_cast<beast_http::fields&>(p.get()));  // the parser is done with them
    if (coding == content_coding::gzip || coding == content_coding::deflate) {
        // The body handed out is decoded: the framing headers no longer describe it.
        r.res.headers.erase(beast_http::field::content_encoding);
        r.res.headers.erase(beast_http::field::content_length);
    }
    r.res.body = std::move(body);
    co_return r;
}

} // namespace intercom::http::detail
