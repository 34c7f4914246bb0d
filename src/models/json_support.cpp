// Hand-written support for the generated conversions (see include/intercom/json/conversion.hpp).
#include <intercom/json/conversion.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace intercom::json {

namespace {
thread_local request_encoding* innermost_request_encoding = nullptr;
} // namespace

request_encoding::request_encoding() noexcept : outer_(innermost_request_encoding) {
    innermost_request_encoding = this;
}

request_encoding::~request_encoding() { innermost_request_encoding = outer_; }

request_encoding* request_encoding::current() noexcept { return innermost_request_encoding; }

void request_encoding::fail(std::string message) {
    if (auto* s = innermost_request_encoding; s && s->error_.empty()) s->error_ = std::move(message);
}

std::optional<std::int64_t> flex_id::as_integer() const noexcept {
    std::int64_t v = 0;
    const char* b = value_.data();
    const char* e = b + value_.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec != std::errc{} || p != e || value_.empty()) return std::nullopt;
    return v;
}

bool decode(const boost::json::value& v, std::string& out) {
    const auto* s = v.if_string();
    if (!s) return false;
    out.assign(s->data(), s->size());
    return true;
}

bool decode(const boost::json::value& v, std::int64_t& out) {
    if (v.is_int64()) {
        out = v.get_int64();
        return true;
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        out = static_cast<std::int64_t>(v.get_uint64());
        return true;
    }
    return false;
}

bool decode(const boost::json::value& v, double& out) {
    if (v.is_double()) out = v.get_double();
    else if (v.is_int64()) out = static_cast<double>(v.get_int64());
    else if (v.is_uint64()) out = static_cast<double>(v.get_uint64());
    else return false;
    return true;
}

bool decode(const boost::json::value& v, bool& out) {
    if (!v.is_bool()) return false;
    out = v.get_bool();
    return true;
}

bool decode(const boost::json::value& v, flex_id& out) {
    if (const auto* s = v.if_string()) {
        out = flex_id(std::string_view(*s));
        return true;
    }
    std::int64_t i = 0;
    if (decode(v, i)) {
        out = flex_id(i);
        return true;
    }
    return false;
}

bool decode(const boost::json::value& v, int_id& out) {
    flex_id f;
    if (!decode(v, f)) return false;
    out = int_id(f);
    out.read_as_text_ = v.is_string();
    return true;
}

bool decode(const boost::json::value& v, boost::json::object& out) {
    const auto* o = v.if_object();
    if (!o) return false;
    out = *o;
    return true;
}

bool decode(const boost::json::value& v, boost::json::value& out) {
    out = v;
    return true;
}

void encode(boost::json::value& out, const std::string& v) { out = boost::json::string(v); }
void encode(boost::json::value& out, std::int64_t v) { out = v; }
// An integral value is written as a JSON integer: a `number` field read as `0` re-encodes as `0`,
// not `0.0` (the same number to JSON, but not the same text).
void encode(boost::json::value& out, double v) {
    constexpr double limit = 9007199254740992.0; // 2^53: every integer up to here is exact in a double
    if (v == v && v >= -limit && v <= limit && static_cast<double>(static_cast<std::int64_t>(v)) == v &&
        !(v == 0 && std::signbit(v)))
        out = static_cast<std::int64_t>(v);
    else
        out = v;
}
void encode(boost::json::value& out, bool v) { out = v; }
void encode(boost::json::value& out, const boost::json::object& v) { out = v; }
void encode(boost::json::value& out, const boost::json::value& v) { out = v; }

void encode(boost::json::value& out, const flex_id& v) {
    if (request_encoding::current()) {
        out = boost::json::string(v.str()); // the API declares it a string
        return;
    }
    if (v.is_integer()) {
        if (auto i = v.as_integer()) {
            out = *i;
            return;
        }
    }
    out = boost::json::string(v.str());
}

void encode(boost::json::value& out, const int_id& v) {
    auto i = v.as_integer();
    if (request_encoding::current()) {
        if (i) {
            out = *i;
            return;
        }
        request_encoding::fail("id \"" + v.str() + "\" is not an integer; the API declares this id a JSON integer");
    } else if (i && !v.read_as_text()) {
        out = *i;
        return;
    }
    out = boost::json::string(v.str());
}

void object_reader::finish() {
    if (claimed_ == o_.size()) return;
    std::size_t i = 0;
    for (const auto& kv : o_) {
        if (!is_claimed(i)) extra_[kv.key()] = kv.value();  // copied into extra's own storage
        ++i;
    }
}

void object_writer::finish(const boost::json::object& extra) {
    for (const auto& kv : extra)
        if (!o_.contains(kv.key())) o_[kv.key()] = kv.value();
}

bool key_equals(const boost::json::object& o, std::string_view key, std::string_view value) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() && v->get_string() == value;
}

bool has_keys(const boost::json::object& o, std::initializer_list<std::string_view> keys) {
    for (auto k : keys)
        if (!o.contains(k)) return false;
    return true;
}

bool keys_within(const boost::json::object& o, std::initializer_list<std::string_view> keys) {
    for (const auto& kv : o)
        if (std::find(keys.begin(), keys.end(), std::string_view(kv.key())) == keys.end()) return false;
    return true;
}

} // namespace intercom::json
