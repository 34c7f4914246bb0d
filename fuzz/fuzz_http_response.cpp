// Fuzz target: HTTP/1.1 response handling through the transport's parsing path
// (`http::detail::read_response`, the code every pooled connection runs), fed from memory by
// Beast's test stream.
//
// Input: one flags byte, then the bytes "the server" sends (then EOF).
//   bit 0: the request was a HEAD          bit 1: stream 2xx bodies to a sink
//   bit 2: small limits (1 KiB headers, 4 KiB body) instead of 8 KiB / 64 KiB
//   bits 3-5: stream read size (1 << n bytes per read_some, n = 0..7)
// Up to four pipelined responses are read while the connection stays keep-alive.
// Properties: never crash; a success respects the limits; a failure carries a library error code.
#include <intercom/error.hpp>
#include <intercom/http/detail/read_response.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace ihttp = intercom::http;
using stream_type = boost::beast::test::stream;

struct run_state {
    stream_type* stream = nullptr;
    boost::beast::flat_buffer buffer;
    ihttp::response_limits limits;
    bool head = false;
    ihttp::body_sink sink;
    std::size_t streamed = 0;
    int done = 0;
};

asio::awaitable<void> read_all(run_state* st) {
    for (int i = 0; i < 4; ++i) {
        intercom::request_stage stage = intercom::request_stage::sent;
        auto r = co_await ihttp::detail::read_response(st->stream, &st->buffer, st->limits, st->head,
                                                       st->sink ? &st->sink : nullptr, &stage);
        ++st->done;
        if (!r) {
            if (r.error().code.category() != intercom::error_category()) std::abort();
            if (r.error().diag.stage != stage) std::abort();
            co_return;
        }
        if (stage != intercom::request_stage::completed) std::abort();
        if (r->res.body.size() > st->limits.max_body_bytes) std::abort();
        if (r->res.status < 100 || r->res.status > 999) std::abort();
        if (!r->keep_alive) co_return;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t flags = data[0];
    std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

    static asio::io_context ioc;  // reused: creating one per input costs more than the parse
    ioc.restart();
    stream_type s(ioc);
    s.read_size(std::size_t{1} << ((flags >> 3) & 7));
    s.append(bytes);
    s.close_remote();

    run_state st;
    st.stream = &s;
    st.head = flags & 1;
    if (flags & 2) st.sink = [&st](std::string_view chunk) {
        st.streamed += chunk.size();
        return boost::system::error_code{};
    };
    if (flags & 4) st.limits = {.max_header_bytes = 1024, .max_body_bytes = 4096};
    else st.limits = {.max_header_bytes = 8192, .max_body_bytes = 64 * 1024};

    asio::co_spawn(ioc, read_all(&st), [](std::exception_ptr e) {
        if (e) std::abort();  // read_response reports errors as values, it must not throw
    });
    ioc.run();
    if (st.done == 0) std::abort();
    return 0;
}
