// Fuzz target: error-body (`error.list`, `{"error_key": ...}`) parsing into diagnostics, the
// X-RateLimit-* header parsing, and the formatting of the resulting error (what()).
//
// Input: `<status byte><header block>\0<body>`. The header block is "Name: value" lines.
#include <intercom/diagnostics.hpp>
#include <intercom/rate_limit.hpp>
#include <intercom/result.hpp>

#include <boost/beast/http/fields.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned status = 400 + data[0] % 200;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    auto split = rest.find('\0');
    std::string_view head = split == std::string_view::npos ? std::string_view{} : rest.substr(0, split);
    std::string_view body = split == std::string_view::npos ? rest : rest.substr(split + 1);

    boost::beast::http::fields headers;
    while (!head.empty()) {
        auto nl = head.find('\n');
        auto line = head.substr(0, nl);
        head = nl == std::string_view::npos ? std::string_view{} : head.substr(nl + 1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        try {
            headers.insert(line.substr(0, colon), value);
        } catch (const std::exception&) {
            // Beast rejects some names/values; the transport's parser would have rejected them too.
        }
    }

    intercom::error_info e{intercom::error_from_http_status(status)};
    e.diag.http_status = status;
    e.diag.rate_limit = intercom::rate_limit_snapshot::from_headers(headers);
    e.diag.parse_error_body(body);
    e.diag.set_body_excerpt(body);
    if (e.diag.body_excerpt.size() > intercom::body_excerpt_limit) std::abort();
    (void)e.diag.first_error_code();
    (void)e.what();
    intercom::api_error ex(e);
    (void)ex.what();
    return 0;
}
