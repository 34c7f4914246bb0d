// Identity verification for the Intercom Messenger: the `user_hash` of a signed-in user.
#pragma once

#include <string>
#include <string_view>

namespace intercom::identity {

/// The `user_hash` the Messenger expects for a user: the lowercase hex HMAC-SHA256 of the user's
/// identifier (`user_id`, or the email when you identify users by email) keyed with the
/// workspace's identity verification secret. Compute it on your server, never in the browser or
/// the app, where the secret would be exposed.
std::string user_hash(std::string_view secret, std::string_view user_id);

} // namespace intercom::identity
