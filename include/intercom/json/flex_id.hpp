// intercom::json::flex_id and int_id: identifiers that users hold as text and the API types as a
// string (flex_id) or as an integer (int_id).
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace intercom::json {

/// An id the API declares as a string (most ids). Text and integers are accepted; a request always
/// sends it as a JSON string (`json::request_encoding`). A decoded value remembers the JSON kind it
/// arrived in, so re-encoding a response (outside a request) reproduces it unchanged.
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

/// An id the API declares as an integer (`author_id`, `sender_id`, `from.id`, `newsfeed_id`, admin and
/// team ids...). Answers often carry such ids as strings and users copy them around as text, so it is
/// built from text, an integer or another id; a request always sends it as a JSON integer, and text
/// that is not a decimal integer fails the call with `errc::invalid_argument` before anything is sent.
/// A value decoded from a JSON string re-encodes as that string outside a request (faithful responses).
class int_id : public flex_id {
public:
    using flex_id::flex_id;
    int_id(const flex_id& v) : flex_id(v) {}  // NOLINT: an id copied from a string-typed field

    /// True when the value was decoded from a JSON string (only matters outside requests).
    bool read_as_text() const noexcept { return read_as_text_; }

private:
    friend bool decode(const boost::json::value& v, int_id& out);
    bool read_as_text_ = false;
};

} // namespace intercom::json
