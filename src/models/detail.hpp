// Internal helpers of the generated resource methods (not installed).
#pragma once

#include "generated/query.hpp"

#include <intercom/client.hpp>
#include <intercom/json/conversion.hpp>
#include <intercom/models/generated/all.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <string>
#include <string_view>

namespace intercom::models::detail {

/// One path segment, percent-encoded: everything but RFC 3986 unreserved characters is escaped,
/// so `/`, space, `%`, `?`, `#` and non-ASCII bytes can never change the path's structure.
inline std::string encode_segment(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

/// A path parameter the API declares an integer: its decimal value (`check_integer_path` first).
inline std::string encode_integer_segment(const json::int_id& v) {
    if (auto i = v.as_integer()) return std::to_string(*i);
    return encode_segment(v.str());
}

inline std::string to_query_value(const std::string& v) { return v; }
inline std::string to_query_value(std::int64_t v) { return std::to_string(v); }
inline std::string to_query_value(bool v) { return v ? "true" : "false"; }
inline std::string to_query_value(const json::flex_id& v) { return v.str(); }
inline std::string to_query_value(const json::int_id& v) {
    if (!v.as_integer())
        json::request_encoding::fail("id \"" + v.str() + "\" is not an integer; the API declares this id an integer");
    return v.str();
}
template <class E>
    requires std::is_base_of_v<json::open_enum, E>
std::string to_query_value(const E& v) {
    return v.str();
}

/// `errc::invalid_argument` for a value that cannot be sent as the API declares it.
inline error_info invalid_request_value(std::string what) {
    error_info e{errc::invalid_argument};
    e.diag.message = std::move(what);
    return e;
}

/// `errc::invalid_argument` when a path parameter the API declares an integer holds other text.
inline std::optional<error_info> check_integer_path(std::string_view name, const json::int_id& v) {
    if (v.as_integer()) return std::nullopt;
    return invalid_request_value("path parameter `" + std::string(name) + "` \"" + v.str() +
                                 "\" is not an integer; the API declares it an integer");
}

/// Keeps the first error: `slot` is set only if it is empty.
inline void keep_first(std::optional<error_info>& slot, std::optional<error_info> e) {
    if (e && !slot) slot = std::move(e);
}

/// Encodes `query` into `req.query` with ids in their declared kind; an error if one cannot be.
template <class Query>
std::optional<error_info> set_query(query_params& out, const Query& query) {
    json::request_encoding ids;
    append_query(out, query);
    if (!ids.error().empty()) return invalid_request_value(ids.error());
    return std::nullopt;
}

/// Encodes `body` (ids in their declared kind) as the JSON of a request.
template <class Body>
result<boost::json::value> encode_request_body(const Body& body) {
    json::request_encoding ids;
    boost::json::value jv;
    encode(jv, body);
    if (!ids.error().empty()) return invalid_request_value(ids.error());
    return jv;
}

/// Sets `req.body` to the JSON text of `body` (ids in their declared kind), or an error.
template <class Body>
std::optional<error_info> set_body(api_request& req, const Body& body) {
    auto o = encode_request_body(body);
    if (!o) return std::move(o).error();
    req.body = boost::json::serialize(*o);
    return std::nullopt;
}

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
/// A parsed body and the arena its DOM lives in, freed together. The value refers to the arena
/// through a non-owning storage_ptr, so building it costs no reference counting and destroying it
/// frees a few blocks without walking the tree.
struct parsed_body {
    explicit parsed_body(std::size_t text_size)
        : arena(2 * text_size + 512), value(boost::json::storage_ptr(&arena)) {}
    boost::json::monotonic_resource arena;
    boost::json::value value;
};

template <class T>
result<T> decode_response(result<api_response> r) {
    if (!r) return std::move(r).error();
    T out{};
    if (r->body.empty()) return out;
    auto body = std::make_shared<parsed_body>(r->body.size());
    auto jv = r->json(body->value.storage());
    if (!jv) return std::move(jv).error();
    body->value = std::move(*jv);  // same arena: the tree moves, nothing is copied
    if (!decode(body->value, out)) return decode_failure(*r, T::schema_name);
    out.raw = std::shared_ptr<const boost::json::value>(body, &body->value);  // keeps the arena alive
    return out;
}

/// For operations without a response schema: the body (usually empty) is never decoded.
inline result<void> discard_body(result<api_response> r) {
    if (!r) return std::move(r).error();
    return {};
}

} // namespace intercom::models::detail
