// intercom::json::flex_id: an identifier that the API sends as a string or as an integer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace intercom::json {

/// Ids are strings in most schemas and integers in a few (admin ids in team lists, data
/// attribute ids, assignee ids...). Both are accepted; the text form is always available and
/// the JSON kind seen is remembered so a decoded value re-encodes unchanged.
class flex_id {
public:
    flex_id() = default;
    flex_id(std::string v) : value_(std::move(v)) {}   // NOLINT
    flex_id(std::string_view v) : value_(v) {}         // NOLINT
    flex_id(const char* v) : value_(v) {}              // NOLINT
    flex_id(std::int64_t v) : value_(std::to_string(v)), integer_(true) {}  // NOLINT
    flex_id(int v) : flex_id(static_cast<std::int64_t>(v)) {}             // NOLINT

    const std::string& str() const noexcept { return value_; }
    operator std::string_view() const noexcept { return value_; } // NOLINT
    /// True when the id was (or will be) written as a JSON integer.
    bool is_integer() const noexcept { return integer_; }
    /// The numeric value, if the text is a decimal integer.
    std::optional<std::int64_t> as_integer() const noexcept;

    friend bool operator==(const flex_id& a, const flex_id& b) { return a.value_ == b.value_; }
    friend bool operator==(const flex_id& a, std::string_view b) { return a.value_ == b; }

private:
    std::string value_;
    bool integer_ = false;
};

} // namespace intercom::json
