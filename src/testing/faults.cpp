// Fault script parsing and path patterns.
#include <intercom/testing/fault.hpp>
#include <intercom/testing/request_record.hpp>

#include <boost/json/parse.hpp>

#include <cctype>
#include <stdexcept>

namespace json = boost::json;

namespace intercom::testing {

namespace {
struct kind_name {
    fault_kind kind;
    std::string_view name;
};
constexpr kind_name kind_names[] = {
    {fault_kind::none, "none"},
    {fault_kind::status, "status"},
    {fault_kind::reset_before_headers, "reset_before_headers"},
    {fault_kind::reset_after_headers, "reset_after_headers"},
    {fault_kind::truncated_body, "truncated_body"},
    {fault_kind::malformed_json, "malformed_json"},
    {fault_kind::wrong_content_type, "wrong_content_type"},
    {fault_kind::connection_close, "connection_close"},
    {fault_kind::slow_trickle, "slow_trickle"},
    {fault_kind::tls_handshake_failure, "tls_handshake_failure"},
};
} // namespace

std::string_view to_string(fault_kind k) noexcept {
    for (auto& kn : kind_names)
        if (kn.kind == k) return kn.name;
    return "unknown";
}

std::optional<fault_kind> fault_kind_from_string(std::string_view s) noexcept {
    for (auto& kn : kind_names)
        if (kn.name == s) return kn.kind;
    return std::nullopt;
}

bool path_matches(std::string_view pattern, std::string_view path) noexcept {
    if (pattern.empty()) return true;
    if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
    std::size_t i = 0, j = 0;
    while (i < pattern.size()) {
        if (pattern[i] == '*') return true; // any suffix
        if (pattern[i] == '{') {
            auto close = pattern.find('}', i);
            if (close == std::string_view::npos) return false;
            i = close + 1;
            std::size_t start = j;
            while (j < path.size() && path[j] != '/')
                ++j;
            if (j == start) return false;
            continue;
        }
        if (j >= path.size() || pattern[i] != path[j]) return false;
        ++i;
        ++j;
    }
    return j == path.size();
}

std::vector<fault_rule> parse_fault_script(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) throw std::invalid_argument("fault script is not valid JSON: " + ec.message());
    const json::array* arr = v.if_array();
    if (!arr) {
        // Also accept {"faults": [...]}.
        if (auto* o = v.if_object(); o && o->contains("faults") && o->at("faults").is_array())
            arr = &o->at("faults").get_array();
    }
    if (!arr) throw std::invalid_argument("fault script must be a JSON array of rules");
    std::vector<fault_rule> out;
    for (const auto& item : *arr) {
        const json::object* o = item.if_object();
        if (!o) throw std::invalid_argument("each fault rule must be an object");
        fault_rule r;
        auto get_str = [&](std::string_view k) -> std::string {
            auto* x = o->if_contains(k);
            if (!x) return {};
            if (!x->is_string())
                throw std::invalid_argument("fault rule field " + std::string(k) + " must be a string");
            return std::string(x->get_string());
        };
        auto get_uint = [&](std::string_view k, std::uint64_t def) -> std::uint64_t {
            auto* x = o->if_contains(k);
            if (!x) return def;
            if (x->is_int64() && x->get_int64() >= 0) return static_cast<std::uint64_t>(x->get_int64());
            if (x->is_uint64()) return x->get_uint64();
            throw std::invalid_argument("fault rule field " + std::string(k) +
                                        " must be a non-negative integer");
        };
        r.method = get_str("method");
        for (auto& ch : r.method)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        r.path = get_str("path");
        r.nth = static_cast<unsigned>(get_uint("nth", 1));
        if (r.nth == 0) throw std::invalid_argument("fault rule nth is 1-based");
        r.count = static_cast<unsigned>(get_uint("count", 1));
        std::string kind = get_str("fault");
        if (kind.empty()) kind = o->contains("status") ? "status" : "none";
        auto k = fault_kind_from_string(kind);
        if (!k) throw std::invalid_argument("unknown fault kind: " + kind);
        r.action.kind = *k;
        r.action.status = static_cast<unsigned>(get_uint("status", 503));
        if (r.action.status < 100 || r.action.status > 599)
            throw std::invalid_argument("fault status out of range");
        r.action.delay = std::chrono::milliseconds(get_uint("delay_ms", 0));
        r.action.trickle_chunk = static_cast<std::size_t>(get_uint("trickle_chunk", 16));
        if (r.action.trickle_chunk == 0) throw std::invalid_argument("trickle_chunk must be positive");
        r.action.trickle_interval = std::chrono::milliseconds(get_uint("trickle_interval_ms", 10));
        r.action.body = get_str("body");
        out.push_back(std::move(r));
    }
    return out;
}

std::string recorded_request::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (k.size() != name.size()) continue;
        bool eq = true;
        for (std::size_t i = 0; i < k.size() && eq; ++i)
            eq = std::tolower(static_cast<unsigned char>(k[i])) ==
                 std::tolower(static_cast<unsigned char>(name[i]));
        if (eq) return v;
    }
    return {};
}

} // namespace intercom::testing
