// HMAC and encodings shared by intercom::webhooks and intercom::identity (internal, not installed).
#pragma once

#include <string>
#include <string_view>

namespace intercom::detail {

/// Which hash an HMAC uses.
enum class hmac_hash { sha1, sha256 };

/// The raw HMAC of `data` with `key` (20 bytes for SHA-1, 32 for SHA-256), through OpenSSL.
std::string hmac(hmac_hash h, std::string_view key, std::string_view data);

/// Lowercase hex of `bytes`.
std::string to_hex(std::string_view bytes);

/// Decodes hex digits (either case) into bytes. False on an odd length or a non-hex character.
bool from_hex(std::string_view hex, std::string& out);

/// Base64url (RFC 4648 section 5) without padding, as JWTs use it.
std::string base64url(std::string_view bytes);

} // namespace intercom::detail
