#include <intercom/webhooks/signature.hpp>

#include "../crypto/hmac.hpp"

#include <openssl/crypto.h>

namespace intercom::webhooks {

namespace {
constexpr std::string_view prefix = "sha1=";
constexpr std::size_t sha1_size = 20;

error_info failure(errc code, std::string message) {
    error_info e{code};
    e.diag.message = std::move(message);
    return e;
}
} // namespace

result<void> verify_signature(std::string_view body, std::string_view signature,
                              std::string_view client_secret) {
    if (client_secret.empty()) return failure(errc::invalid_argument, "the client secret is empty");
    if (signature.empty()) return failure(errc::signature_malformed, "no X-Hub-Signature header");
    if (!signature.starts_with(prefix))
        return failure(errc::signature_malformed, "X-Hub-Signature does not start with \"sha1=\"");
    std::string given;
    auto hex = signature.substr(prefix.size());
    if (hex.size() != 2 * sha1_size || !detail::from_hex(hex, given))
        return failure(errc::signature_malformed, "X-Hub-Signature is not 40 hexadecimal digits");
    const std::string expected = detail::hmac(detail::hmac_hash::sha1, client_secret, body);
    // Constant time: a plain memcmp would stop at the first wrong byte, and timing the answers
    // would let a forger find the expected signature byte by byte.
    if (CRYPTO_memcmp(given.data(), expected.data(), sha1_size) != 0)
        return failure(errc::signature_mismatch, "X-Hub-Signature does not match the body");
    return {};
}

std::string sign(std::string_view body, std::string_view client_secret) {
    return std::string(prefix) + detail::to_hex(detail::hmac(detail::hmac_hash::sha1, client_secret, body));
}

} // namespace intercom::webhooks
