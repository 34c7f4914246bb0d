#include <intercom/search/fields.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace intercom::search {

namespace {

using entry = std::pair<std::string_view, field_type>;
constexpr auto S = field_type::string;
constexpr auto I = field_type::integer;
constexpr auto D = field_type::date;
constexpr auto B = field_type::boolean;

// Names and types from the tables in the 2.11 search operation descriptions (typos kept: the
// server spells them that way).
constexpr std::array contact_fields{
    entry{"id", S}, entry{"role", S}, entry{"name", S}, entry{"avatar", S}, entry{"owner_id", I},
    entry{"email", S}, entry{"email_domain", S}, entry{"phone", S}, entry{"external_id", S},
    entry{"created_at", D}, entry{"signed_up_at", D}, entry{"updated_at", D}, entry{"last_seen_at", D},
    entry{"last_contacted_at", D}, entry{"last_replied_at", D}, entry{"last_email_opened_at", D},
    entry{"last_email_clicked_at", D}, entry{"language_override", S}, entry{"browser", S},
    entry{"browser_language", S}, entry{"os", S}, entry{"location.country", S}, entry{"location.region", S},
    entry{"location.city", S}, entry{"unsubscribed_from_emails", B}, entry{"marked_email_as_spam", B},
    entry{"has_hard_bounced", B}, entry{"ios_last_seen_at", D}, entry{"ios_app_version", S},
    entry{"ios_device", S}, entry{"ios_app_device", S}, entry{"ios_os_version", S}, entry{"ios_app_name", S},
    entry{"ios_sdk_version", S}, entry{"android_last_seen_at", D}, entry{"android_app_version", S},
    entry{"android_device", S}, entry{"android_app_name", S}, entry{"andoid_sdk_version", S},
    entry{"segment_id", S}, entry{"tag_id", S},
};

constexpr std::array conversation_fields{
    entry{"id", S}, entry{"created_at", D}, entry{"updated_at", D}, entry{"source.type", S},
    entry{"source.id", S}, entry{"source.delivered_as", S}, entry{"source.subject", S}, entry{"source.body", S},
    entry{"source.author.id", S}, entry{"source.author.type", S}, entry{"source.author.name", S},
    entry{"source.author.email", S}, entry{"source.url", S}, entry{"contact_ids", S}, entry{"teammate_ids", S},
    entry{"admin_assignee_id", I}, entry{"team_assignee_id", I}, entry{"channel_initiated", S},
    entry{"open", B}, entry{"read", B}, entry{"state", S}, entry{"waiting_since", D}, entry{"snoozed_until", D},
    entry{"tag_ids", S}, entry{"priority", S}, entry{"statistics.time_to_assignment", I},
    entry{"statistics.time_to_admin_reply", I}, entry{"statistics.time_to_first_close", I},
    entry{"statistics.time_to_last_close", I}, entry{"statistics.median_time_to_reply", I},
    entry{"statistics.first_contact_reply_at", D}, entry{"statistics.first_assignment_at", D},
    entry{"statistics.first_admin_reply_at", D}, entry{"statistics.first_close_at", D},
    entry{"statistics.last_assignment_at", D}, entry{"statistics.last_assignment_admin_reply_at", D},
    entry{"statistics.last_contact_reply_at", D}, entry{"statistics.last_admin_reply_at", D},
    entry{"statistics.last_close_at", D}, entry{"statistics.last_closed_by_id", S},
    entry{"statistics.count_reopens", I}, entry{"statistics.count_assignments", I},
    entry{"statistics.count_conversation_parts", I}, entry{"conversation_rating.requested_at", D},
    entry{"conversation_rating.replied_at", D}, entry{"conversation_rating.score", I},
    entry{"conversation_rating.remark", S}, entry{"conversation_rating.contact_id", S},
    entry{"conversation_rating.admin_d", S}, entry{"ai_agent_participated", B},
    entry{"ai_agent.resolution_state", S}, entry{"ai_agent.last_answer_type", S}, entry{"ai_agent.rating", I},
    entry{"ai_agent.rating_remark", S}, entry{"ai_agent.source_type", S}, entry{"ai_agent.source_title", S},
};

constexpr std::array ticket_fields{
    entry{"id", S}, entry{"created_at", D}, entry{"updated_at", D}, entry{"title", S}, entry{"description", S},
    entry{"category", S}, entry{"ticket_type_id", S}, entry{"contact_ids", S}, entry{"teammate_ids", S},
    entry{"admin_assignee_id", S}, entry{"team_assignee_id", S}, entry{"open", B}, entry{"state", S},
    entry{"snoozed_until", D},
};

template <std::size_t N>
std::optional<field_type> find(const std::array<entry, N>& table, std::string_view name) {
    auto it = std::find_if(table.begin(), table.end(), [&](const entry& e) { return e.first == name; });
    if (it == table.end()) return std::nullopt;
    return it->second;
}

bool has_prefix_with_name(std::string_view field, std::string_view prefix) {
    return field.size() > prefix.size() && field.substr(0, prefix.size()) == prefix;
}

} // namespace

std::string_view to_string(object_kind k) noexcept {
    switch (k) {
    case object_kind::contacts: return "contacts";
    case object_kind::conversations: return "conversations";
    case object_kind::tickets: return "tickets";
    }
    return "?";
}

std::string_view to_string(field_type t) noexcept {
    switch (t) {
    case field_type::string: return "string";
    case field_type::integer: return "integer";
    case field_type::date: return "date";
    case field_type::boolean: return "boolean";
    case field_type::floating: return "float";
    case field_type::any: return "any";
    }
    return "?";
}

bool is_custom_field(object_kind obj, std::string_view field) noexcept {
    switch (obj) {
    case object_kind::contacts: return has_prefix_with_name(field, "custom_attributes.");
    case object_kind::tickets: return has_prefix_with_name(field, "ticket_attribute.");
    case object_kind::conversations: return false;
    }
    return false;
}

std::optional<field_type> lookup_field(object_kind obj, std::string_view field) noexcept {
    if (is_custom_field(obj, field)) return field_type::any;
    switch (obj) {
    case object_kind::contacts: return find(contact_fields, field);
    case object_kind::conversations: return find(conversation_fields, field);
    case object_kind::tickets: return find(ticket_fields, field);
    }
    return std::nullopt;
}

} // namespace intercom::search
