// Identity verification with a JSON Web Token (HS256) for the Intercom Messenger.
#pragma once

#include <intercom/result.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace intercom::identity {

/// The claims of a Messenger JWT.
struct messenger_jwt_claims {
    std::string user_id;              ///< required: the user's id in your system
    std::optional<std::string> email; ///< added as `email` when set
    /// When the token stops being valid, sent as `exp` (epoch seconds). Unset: no `exp` claim.
    /// A short lifetime (minutes to hours) limits what a leaked token allows.
    std::optional<std::chrono::sys_seconds> expires_at;
    /// Further claims (e.g. signed user attributes), copied as they are. Must not repeat
    /// `user_id`, `email` or `exp`, which come from the members above.
    boost::json::object extra;
};

/// A compact JWS: `base64url(header).base64url(payload).base64url(HMAC-SHA256)`, header
/// `{"alg":"HS256","typ":"JWT"}`, base64url without padding (RFC 7515), signed with the
/// workspace's identity verification secret. Pass it to the Messenger as `intercom_user_jwt`.
///
/// Fails with `errc::invalid_argument` when `user_id` or `secret` is empty, or when `extra`
/// repeats one of the claims set from the members.
result<std::string> make_messenger_jwt(const messenger_jwt_claims& claims, std::string_view secret);

} // namespace intercom::identity
