// Catalogues of the searchable fields of contacts, conversations and tickets (API 2.11).
#pragma once

#include <optional>
#include <string_view>

namespace intercom::search {

/// The searchable objects.
enum class object_kind : unsigned char { contacts, conversations, tickets };

std::string_view to_string(object_kind k) noexcept;

/// The type of a searchable field, which decides the allowed operators and values.
enum class field_type : unsigned char {
    string,
    integer,
    date,     ///< UNIX seconds; sent as an integer or a numeric string
    boolean,
    floating, ///< ticket attributes only; sent as an integer (the value union has no float)
    any,      ///< type unknown (custom attributes without a declared type): only shape checks apply
};

std::string_view to_string(field_type t) noexcept;

/// The catalogued type of `field` for `obj`, including the `custom_attributes.NAME` (contacts)
/// and `ticket_attribute.ID` (tickets) patterns (reported as `field_type::any`); nullopt if unknown.
std::optional<field_type> lookup_field(object_kind obj, std::string_view field) noexcept;

/// True for `custom_attributes.<name>` / `ticket_attribute.<id>` fields of `obj`.
bool is_custom_field(object_kind obj, std::string_view field) noexcept;

} // namespace intercom::search
