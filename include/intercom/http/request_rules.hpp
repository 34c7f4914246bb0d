// What may become part of a request line or header. Every request the client builds, and every
// request that reaches the transport (also one changed by user middleware), passes these checks, so
// caller input (ids, per-call headers, versions, the token) and server input (a `next` URL) can never
// split a request, inject a header or address a different resource through dot segments.
#pragma once

#include <intercom/http/message.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace intercom::http {

/// RFC 9110 `token`: the characters a header name may have (no separators, no controls, not empty).
bool is_valid_header_name(std::string_view name) noexcept;

/// A header value that is safe on the wire: no control characters (CR, LF, NUL, ...) except
/// horizontal tab, and no DEL. Bytes >= 0x80 are allowed (opaque to HTTP).
bool is_valid_header_value(std::string_view value) noexcept;

/// Why `path` (the percent-encoded path of a request, without query) may not be sent, or nullopt.
/// Refused: not starting with '/', control characters, space, '#', '?', malformed percent-escapes,
/// and empty, "." or ".." segments, also percent-encoded ("%2e%2E"): a proxy that normalises paths
/// would send such a request to another resource ("DELETE /contacts/c1/tags/.." becomes
/// "DELETE /contacts/c1"). The path "/" alone is allowed.
std::optional<std::string> check_path(std::string_view path);

/// Why `target` (origin-form "path[?query]") may not be sent, or nullopt: `check_path` for the path,
/// and a query without controls, space, '#' or malformed percent-escapes.
std::optional<std::string> check_target(std::string_view target);

/// Why `req` may not be sent, or nullopt: a known method, `check_target`, and every header name and
/// value valid. The message names the offending header but never quotes a value (it may be a secret).
std::optional<std::string> check_request(const request& req);

} // namespace intercom::http
