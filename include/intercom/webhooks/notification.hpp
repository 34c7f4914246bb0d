// A decoded webhook notification: the envelope Intercom posts and its typed `data.item`.
#pragma once

#include <intercom/models/models.hpp>
#include <intercom/result.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace intercom::webhooks {

/// The object a notification is about. The alternative is chosen by the item's `type` field
/// (`"contact"`, `"conversation"`, ...), which is what the topics of those families carry
/// (`contact.user.created`, `conversation.admin.replied`, `company.created`, `ticket.created`,
/// `admin.away_mode_updated`, `visitor.signed_up`, ...). Any other item (the `ping` topic,
/// `contact_tag`, topics added later) stays as the JSON received, the first alternative, so a
/// receiver never fails on a topic this library does not know.
using notification_item = std::variant<boost::json::value, models::contact, models::conversation,
                                       models::company, models::ticket, models::admin, models::visitor>;

/// A webhook notification (`"type": "notification_event"`).
struct notification {
    std::string id;                            ///< notification id, e.g. "notif_..." (use it to de-duplicate)
    std::string topic;                         ///< e.g. "contact.user.created"
    std::string app_id;                        ///< the workspace (app) that sent it
    std::int64_t created_at = 0;               ///< epoch seconds, when the event happened
    unsigned delivery_attempts = 0;            ///< 1 on the first delivery; Intercom retries failures
    std::optional<std::int64_t> first_sent_at; ///< epoch seconds of the first delivery, when sent
    notification_item item;                    ///< `data.item`, typed when its `type` is known
    boost::json::value raw;                    ///< the whole notification as received

    /// The item as model `T`, or null when it is another alternative.
    template <class T>
    const T* item_as() const noexcept {
        return std::get_if<T>(&item);
    }

    /// The item's `type` field ("contact", "ping", ...), or "" when it has none.
    std::string_view item_type() const noexcept;
};

/// Decodes a notification body. Fails with `errc::decode_error` (never throws, whatever the bytes)
/// when the body is not JSON, not an object, has no string `topic`, has no `data.item`, or a known
/// envelope field has the wrong JSON kind. Unknown envelope keys are ignored (they stay in `raw`).
///
/// Decoding does not authenticate: call `verify_signature` first, or use `verify_and_parse`.
result<notification> parse_notification(std::string_view body);

/// `verify_signature(body, signature, client_secret)`, then `parse_notification(body)`.
result<notification> verify_and_parse(std::string_view body, std::string_view signature,
                                      std::string_view client_secret);

} // namespace intercom::webhooks
