#include <intercom/identity/messenger_jwt.hpp>
#include <intercom/identity/user_hash.hpp>

#include "../crypto/hmac.hpp"

#include <boost/json/serialize.hpp>

namespace intercom::identity {

std::string user_hash(std::string_view secret, std::string_view user_id) {
    return detail::to_hex(detail::hmac(detail::hmac_hash::sha256, secret, user_id));
}

namespace {
error_info invalid(std::string message) {
    error_info e{errc::invalid_argument};
    e.diag.message = std::move(message);
    return e;
}
} // namespace

result<std::string> make_messenger_jwt(const messenger_jwt_claims& claims, std::string_view secret) {
    if (secret.empty()) return invalid("the identity verification secret is empty");
    if (claims.user_id.empty()) return invalid("the JWT needs a user_id");
    for (std::string_view reserved : {"user_id", "email", "exp"})
        if (claims.extra.contains(reserved))
            return invalid("extra claims must not contain \"" + std::string(reserved) + "\"");

    boost::json::object payload;
    payload["user_id"] = claims.user_id;
    if (claims.email) payload["email"] = *claims.email;
    if (claims.expires_at) payload["exp"] = claims.expires_at->time_since_epoch().count();
    for (const auto& kv : claims.extra)
        payload[kv.key()] = kv.value();

    // The header is fixed; its encoding never changes.
    std::string token = detail::base64url(R"({"alg":"HS256","typ":"JWT"})");
    token += '.';
    token += detail::base64url(boost::json::serialize(payload));
    const std::string signature = detail::hmac(detail::hmac_hash::sha256, secret, token);
    token += '.';
    token += detail::base64url(signature);
    return token;
}

} // namespace intercom::identity
