// Tolerant JSON <-> model conversion helpers used by the generated code in src/models.
//
// Rules (shared by every generated model):
// - a field whose JSON kind does not fit its C++ type is left unset and its raw value is kept
//   in the model's `extra` object, so nothing is lost and re-encoding writes it back unchanged;
// - `null` sets a `nullable<T>` field to null; for a plain `std::optional<T>` field it is kept
//   in `extra` (the field stays unset);
// - keys the model does not know are kept in `extra`;
// - ids: outside a request every id re-encodes in the JSON kind it was read in; inside a
//   `request_encoding` scope (request bodies and queries) the kind the API declares is written.
#pragma once

#include <intercom/json/flex_id.hpp>
#include <intercom/json/nullable.hpp>
#include <intercom/json/open_enum.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace intercom::json {

/// While alive (on this thread), encoding writes ids in the JSON kind the API declares: `flex_id` as a
/// string, `int_id` as an integer; an `int_id` whose text is not an integer is recorded as an error
/// (the first one is kept) so the request fails with `errc::invalid_argument` before being sent.
/// Encoding is synchronous: never keep a scope alive across a `co_await`.
class request_encoding {
public:
    request_encoding() noexcept;
    ~request_encoding();
    request_encoding(const request_encoding&) = delete;
    request_encoding& operator=(const request_encoding&) = delete;

    /// The first invalid value, e.g. `id "abc" is not an integer ...`; empty when all was well.
    const std::string& error() const noexcept { return error_; }

    /// The innermost active scope of this thread, or null.
    static request_encoding* current() noexcept;
    /// Records `message` in the current scope (if any, and if no error was recorded before).
    static void fail(std::string message);

private:
    request_encoding* outer_;
    std::string error_;
};

// ---- decode: false when the JSON kind does not fit (the caller keeps the raw value) ----

bool decode(const boost::json::value& v, std::string& out);
bool decode(const boost::json::value& v, std::int64_t& out);
bool decode(const boost::json::value& v, double& out);
bool decode(const boost::json::value& v, bool& out);
bool decode(const boost::json::value& v, flex_id& out);
bool decode(const boost::json::value& v, int_id& out);
bool decode(const boost::json::value& v, boost::json::object& out);
bool decode(const boost::json::value& v, boost::json::value& out);

template <class E>
    requires std::is_base_of_v<open_enum, E>
bool decode(const boost::json::value& v, E& out) {
    std::string s;
    if (!decode(v, s)) return false;
    out = E(std::move(s));
    return true;
}

/// An item of a list whose items may be `null` (`std::vector<nullable<T>>`): `null` or a `T`.
template <class T>
bool decode(const boost::json::value& v, nullable<T>& out) {
    if (v.is_null()) {
        out = nullptr;
        return true;
    }
    T t{};
    if (!decode(v, t)) return false;
    out = std::move(t);
    return true;
}

template <class T>
bool decode(const boost::json::value& v, std::vector<T>& out) {
    const auto* a = v.if_array();
    if (!a) return false;
    std::vector<T> tmp;
    tmp.reserve(a->size());
    for (const auto& e : *a) {
        T t{};
        if (!decode(e, t)) return false;
        tmp.push_back(std::move(t));
    }
    out = std::move(tmp);
    return true;
}

// ---- encode ----

void encode(boost::json::value& out, const std::string& v);
void encode(boost::json::value& out, std::int64_t v);
void encode(boost::json::value& out, double v);
void encode(boost::json::value& out, bool v);
void encode(boost::json::value& out, const flex_id& v);
void encode(boost::json::value& out, const int_id& v);
void encode(boost::json::value& out, const boost::json::object& v);
void encode(boost::json::value& out, const boost::json::value& v);

template <class E>
    requires std::is_base_of_v<open_enum, E>
void encode(boost::json::value& out, const E& v) {
    encode(out, v.str());
}

/// A list item that may be `null`: an unset item is written as `null` too (a list has no gaps).
template <class T>
void encode(boost::json::value& out, const nullable<T>& v) {
    if (v.has_value())
        encode(out, *v);
    else
        out = nullptr;
}

template <class T>
void encode(boost::json::value& out, const std::vector<T>& v) {
    auto& a = out.emplace_array();
    a.reserve(v.size());
    for (const auto& e : v) {
        boost::json::value x;
        encode(x, e);
        a.push_back(std::move(x));
    }
}

// ---- objects ----

/// Reads known fields of a JSON object; `finish()` copies the rest into `extra`.
///
/// Claimed members are remembered by their position in the object (a bit each, in place for up
/// to 64 members), so decoding allocates nothing of its own and `finish()` compares no strings;
/// when every member was claimed (the usual case) it does nothing at all.
class object_reader {
public:
    object_reader(const boost::json::object& o, boost::json::object& extra) : o_(o), extra_(extra) {
        if (o_.size() > 64) big_.resize(o_.size());
    }

    template <class T>
    void field(std::string_view key, std::optional<T>& out) {
        auto it = o_.find(key);
        if (it == o_.end()) return;
        const auto& v = it->value();
        T t{};
        if (!v.is_null() && decode(v, t)) {
            out = std::move(t);
            claim(it);
        }
    }

    template <class T>
    void field(std::string_view key, nullable<T>& out) {
        auto it = o_.find(key);
        if (it == o_.end()) return;
        const auto& v = it->value();
        if (v.is_null()) {
            out.set_null();
            claim(it);
            return;
        }
        T t{};
        if (decode(v, t)) {
            out = std::move(t);
            claim(it);
        }
    }

    void finish();

private:
    void claim(boost::json::object::const_iterator it) noexcept {
        const auto i = static_cast<std::size_t>(it - o_.begin());
        if (is_claimed(i)) return;
        ++claimed_;
        if (i < 64) small_ |= std::uint64_t{1} << i;
        else big_[i] = true;
    }
    bool is_claimed(std::size_t i) const noexcept { return i < 64 ? (small_ >> i) & 1u : bool(big_[i]); }

    const boost::json::object& o_;
    boost::json::object& extra_;
    std::uint64_t small_ = 0;
    std::vector<bool> big_;  // members past the 64th, only for such large objects
    std::size_t claimed_ = 0;
};

/// Writes set fields into a JSON object; `finish(extra)` adds the kept unknown keys.
class object_writer {
public:
    explicit object_writer(boost::json::object& o) : o_(o) {}

    template <class T>
    void field(std::string_view key, const std::optional<T>& v) {
        if (v) encode(o_[key], *v);
    }

    template <class T>
    void field(std::string_view key, const nullable<T>& v) {
        if (v.is_null())
            o_[key] = nullptr;
        else if (v.has_value())
            encode(o_[key], *v);
    }

    void finish(const boost::json::object& extra);

private:
    boost::json::object& o_;
};

// ---- oneOf / anyOf dispatch ----

/// True when `o[key]` is the string `value`.
bool key_equals(const boost::json::object& o, std::string_view key, std::string_view value);
/// True when every key is present.
bool has_keys(const boost::json::object& o, std::initializer_list<std::string_view> keys);
/// True when every key of `o` is one of `keys`.
bool keys_within(const boost::json::object& o, std::initializer_list<std::string_view> keys);

} // namespace intercom::json
