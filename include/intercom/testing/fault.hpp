// Scriptable misbehaviour of the fake Intercom server.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intercom::testing {

/// What the server does instead of (or on top of) its normal answer.
enum class fault_kind {
    none,   ///< no fault (only `delay` applies)
    status, ///< answer `status` with an Intercom-style error body (429 carries rate-limit headers)
    reset_before_headers,  ///< abort the TCP connection (RST) before writing anything
    reset_after_headers,   ///< write the headers and part of the body, then abort (RST)
    truncated_body,        ///< announce the full Content-Length, send half of the body, close cleanly
    malformed_json,        ///< 200 with a JSON body cut in the middle (Content-Length matches what is sent)
    wrong_content_type,    ///< normal body but `Content-Type: text/html`
    connection_close,      ///< normal answer with `Connection: close`, then close the connection
    slow_trickle,          ///< normal answer dribbled out `trickle_chunk` bytes every `trickle_interval`
    tls_handshake_failure, ///< (TLS only) the connection carrying the request is refused at handshake time:
                           ///< matched per connection; the server writes non-TLS bytes and closes
};

std::string_view to_string(fault_kind k) noexcept;
std::optional<fault_kind> fault_kind_from_string(std::string_view s) noexcept;

/// The action of a rule.
struct fault {
    fault_kind kind = fault_kind::none;
    unsigned status = 503;                          ///< for `fault_kind::status`
    std::chrono::milliseconds delay{0};             ///< waited before the answer (any kind)
    std::size_t trickle_chunk = 16;                 ///< for `slow_trickle`
    std::chrono::milliseconds trickle_interval{10}; ///< for `slow_trickle`
    std::string body;                               ///< for `status`: replaces the default error body
};

/// "The `nth` (1-based) request matching `method` and `path`, and the `count - 1` following ones, get
/// `action`". `count == 0` means every matching request from the `nth` on.
struct fault_rule {
    std::string method; ///< "GET", "POST"...; empty matches any method
    std::string
        path; ///< path pattern, `{x}` matches one segment, a trailing `*` any suffix; empty matches any
    unsigned nth = 1;
    unsigned count = 1;
    fault action;
};

/// Parses a fault script: a JSON array of rules, e.g.
/// `[{"method":"GET","path":"/contacts/{id}","nth":3,"count":1,"fault":"status","status":503,"delay_ms":0}]`.
/// Throws `std::invalid_argument` on a malformed script.
std::vector<fault_rule> parse_fault_script(std::string_view json);

/// True if `path` (no query) matches `pattern` (see `fault_rule::path`).
bool path_matches(std::string_view pattern, std::string_view path) noexcept;

} // namespace intercom::testing
