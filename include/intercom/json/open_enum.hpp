// intercom::json::open_enum: an enum of strings that keeps values it does not know.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace intercom::json {

/// Base of every generated enum type. The API adds enum values over time, so any string is
/// accepted and kept; the generated subclasses add the known values as named constants:
/// `if (c.state == models::conversation_state::open) ...`.
class open_enum {
public:
    open_enum() = default;
    open_enum(std::string v) : value_(std::move(v)) {}          // NOLINT
    open_enum(std::string_view v) : value_(v) {}                // NOLINT
    open_enum(const char* v) : value_(v) {}                     // NOLINT

    const std::string& str() const noexcept { return value_; }
    operator std::string_view() const noexcept { return value_; } // NOLINT

    friend bool operator==(const open_enum& a, const open_enum& b) { return a.value_ == b.value_; }
    friend bool operator==(const open_enum& a, std::string_view b) { return a.value_ == b; }

private:
    std::string value_;
};

} // namespace intercom::json
