// Internal helpers of the generated resource methods (not installed).
#pragma once

#include "query.hpp"

#include <intercom/client.hpp>
#include <intercom/json/conversion.hpp>
#include <intercom/models/models.hpp>

#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace intercom::models::detail {

/// One path segment, percent-encoded: everything but RFC 3986 unreserved characters is escaped,
/// so `/`, space, `%`, `?`, `#` and non-ASCII bytes can never change the path's structure.
inline std::string encode_segment(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

inline std::string to_query_value(const std::string& v) { return v; }
inline std::string to_query_value(std::int64_t v) { return std::to_string(v); }
inline std::string to_query_value(bool v) { return v ? "true" : "false"; }

template <class T>
std::string to_json_text(const T& body) {
    boost::json::value jv;
    encode(jv, body);
    return boost::json::serialize(jv);
}

inline error_info decode_failure(const api_response& r, std::string_view what) {
    error_info e{errc::decode_error};
    e.diag.http_status = r.status;
    e.diag.request_id = r.request_id;
    e.diag.message = std::string("response body is not a JSON object of type ") + std::string(what);
    e.diag.set_body_excerpt(r.body);
    return e;
}

/// Decodes a 2xx body into `T`; an empty body gives a default `T` (some operations answer
/// with no content although a schema is declared). Errors pass through unchanged.
template <class T>
result<T> decode_response(result<api_response> r) {
    if (!r) return std::move(r).error();
    T out{};
    if (r->body.empty()) return out;
    auto jv = r->json();
    if (!jv) return std::move(jv).error();
    if (!decode(*jv, out)) return decode_failure(*r, T::schema_name);
    out.raw = std::make_shared<const boost::json::value>(std::move(*jv));
    return out;
}

/// For operations without a response schema: the body (usually empty) is never decoded.
inline result<void> discard_body(result<api_response> r) {
    if (!r) return std::move(r).error();
    return {};
}

} // namespace intercom::models::detail
