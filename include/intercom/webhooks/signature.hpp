// Verifying that a webhook notification comes from Intercom: the X-Hub-Signature header.
#pragma once

#include <intercom/result.hpp>

#include <string>
#include <string_view>

namespace intercom::webhooks {

/// The header Intercom signs notifications with.
inline constexpr std::string_view signature_header = "X-Hub-Signature";

/// Checks `signature` (the value of the `X-Hub-Signature` header, `sha1=<40 hex digits>`) against
/// the HMAC-SHA1 of the raw request `body` keyed with the app's `client_secret`.
///
/// Pass the body exactly as received, before any JSON parsing or re-encoding: the signature covers
/// the bytes. The comparison takes the same time wherever the first differing byte is
/// (CRYPTO_memcmp), so the response time tells an attacker nothing about the expected value.
///
/// The prefix must be exactly `sha1=` (lowercase, as Intercom sends it); the hex digits may be in
/// either case, since hex is case-insensitive and some proxies normalise header values.
///
/// Errors: `errc::signature_malformed` when the header is empty, has another prefix (e.g.
/// `sha256=`) or is not 40 hex digits; `errc::signature_mismatch` when it is well formed but does
/// not match (tampered body, wrong secret). An empty `client_secret` is `errc::invalid_argument`:
/// it would make every forged signature computable.
result<void> verify_signature(std::string_view body, std::string_view signature,
                              std::string_view client_secret);

/// The header value Intercom would send for `body`: `sha1=` and the lowercase hex HMAC-SHA1.
/// For tests and for forwarding notifications to another service you control.
std::string sign(std::string_view body, std::string_view client_secret);

} // namespace intercom::webhooks
