#include <intercom/search/query.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace intercom::search {

namespace {

constexpr std::array<std::string_view, 12> op_names{"=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$"};

bool is_string_op(op o) { return o == op::contains || o == op::not_contains || o == op::starts_with || o == op::ends_with; }
bool is_order_op(op o) { return o == op::lt || o == op::le || o == op::gt || o == op::ge; }
bool is_set_op(op o) { return o == op::in || o == op::nin; }

bool is_numeric_string(std::string_view s) {
    if (!s.empty() && s.front() == '-') s.remove_prefix(1);
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// JSON text must be UTF-8: Boost.JSON serialises strings byte for byte, so invalid UTF-8 in a field
// name or value would produce a request body no JSON parser (the API's included) accepts.
bool is_valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++p;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef) n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4) n = 3, cp = c & 0x07;
        else return false;
        if (static_cast<std::size_t>(end - p) <= n) return false;
        for (std::size_t i = 1; i <= n; ++i) {
            if ((p[i] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return false;  // overlong, out of range or a surrogate
        p += n + 1;
    }
    return true;
}

bool has_valid_text(const filter& f) {
    if (!is_valid_utf8(f.field)) return false;
    if (f.value.index() == 1) return is_valid_utf8(std::get<1>(f.value));
    if (f.value.index() == 4)
        return std::all_of(std::get<4>(f.value).begin(), std::get<4>(f.value).end(),
                           [](const std::string& v) { return is_valid_utf8(v); });
    return true;
}

std::string_view value_kind(const filter_value& v) {
    switch (v.index()) {
    case 0: return "null";
    case 1: return "string";
    case 2: return "integer";
    case 3: return "boolean";
    case 4: return "string array";
    case 5: return "integer array";
    }
    return "?";
}

bool is_array(const filter_value& v) { return v.index() == 4 || v.index() == 5; }

struct checker {
    object_kind obj;
    const validation_options& opts;

    error_info fail(const std::string& path, std::string msg) const {
        error_info e{errc::invalid_query};
        e.diag.message = std::string(to_string(obj)) + " search: " + path + ": " + std::move(msg);
        return e;
    }

    std::string describe(const filter& f) const {
        return "field '" + f.field + "' operator '" + std::string(to_string(f.oper)) + "'";
    }

    // Operators the docs allow for a type (2.11 operation descriptions, "Accepted Operators").
    bool op_allowed(const filter& f, field_type t) const {
        const op o = f.oper;
        if (obj == object_kind::contacts && f.field == "tag_id") return o == op::eq || o == op::ne;
        switch (t) {
        case field_type::string: return !is_order_op(o);
        case field_type::integer:
        case field_type::floating: return !is_string_op(o);
        case field_type::date:
            if (obj == object_kind::contacts) return o == op::eq || o == op::lt || o == op::gt;
            return !is_string_op(o);
        case field_type::boolean: return o == op::eq || o == op::ne || is_set_op(o);
        case field_type::any: return true;
        }
        return false;
    }

    result<void> check_value(const std::string& path, const filter& f, field_type t) const {
        const filter_value& v = f.value;
        auto mismatch = [&](std::string_view want) {
            return fail(path, describe(f) + ": a " + std::string(to_string(t)) + " field needs " + std::string(want) +
                                  ", got " + std::string(value_kind(v)));
        };
        if (v.index() == 0) {
            if (f.oper == op::eq || f.oper == op::ne) return {};
            return fail(path, describe(f) + ": null is only allowed with '=' and '!='");
        }
        if (is_set_op(f.oper)) {
            if (!is_array(v)) return fail(path, describe(f) + ": IN/NIN need an array value, got " + std::string(value_kind(v)));
            const bool empty = v.index() == 4 ? std::get<4>(v).empty() : std::get<5>(v).empty();
            if (empty) return fail(path, describe(f) + ": IN/NIN need a non-empty array");
            switch (t) {
            case field_type::string:
                if (v.index() != 4) return mismatch("a string array");
                return {};
            case field_type::integer:
            case field_type::floating:
                if (v.index() != 5) return mismatch("an integer array");
                return {};
            case field_type::date:
                if (v.index() == 4) {
                    for (const auto& s : std::get<4>(v))
                        if (!is_numeric_string(s)) return mismatch("timestamps (integers or numeric strings)");
                }
                return {};
            case field_type::boolean:
                // The value union has no boolean array: the strings "true"/"false" stand in.
                if (v.index() != 4) return mismatch("a string array of \"true\"/\"false\"");
                for (const auto& s : std::get<4>(v))
                    if (s != "true" && s != "false") return mismatch("a string array of \"true\"/\"false\"");
                return {};
            case field_type::any: return {};
            }
            return {};
        }
        if (is_array(v)) return fail(path, describe(f) + ": an array value is only allowed with IN/NIN");
        if (is_string_op(f.oper) && v.index() != 1)
            return fail(path, describe(f) + ": string operators need a string value, got " + std::string(value_kind(v)));
        if (is_order_op(f.oper) && t == field_type::any) {
            const bool ok = v.index() == 2 || (v.index() == 1 && is_numeric_string(std::get<1>(v)));
            if (!ok) return fail(path, describe(f) + ": comparison needs an integer or numeric string, got " +
                                           std::string(value_kind(v)));
        }
        switch (t) {
        case field_type::string:
            if (v.index() != 1) return mismatch("a string");
            return {};
        case field_type::integer:
        case field_type::floating:
            if (v.index() != 2) return mismatch("an integer");
            return {};
        case field_type::date:
            if (v.index() == 2) return {};
            if (v.index() == 1 && is_numeric_string(std::get<1>(v))) return {};
            return mismatch("a UNIX timestamp (integer or numeric string)");
        case field_type::boolean:
            if (v.index() != 3) return mismatch("a boolean");
            return {};
        case field_type::any: return {};
        }
        return {};
    }

    result<void> check_filter(const std::string& path, const filter& f) const {
        if (f.field.empty()) return fail(path, "empty field name");
        if (!has_valid_text(f)) return fail(path, "field name or value is not valid UTF-8");
        std::optional<field_type> t;
        if (!f.unchecked) {
            t = lookup_field(obj, f.field);
            if (t && *t == field_type::any && is_custom_field(obj, f.field)) {
                for (const auto& [name, type] : opts.custom_types)
                    if (name == f.field) t = type;
            }
            if (!t && !opts.allow_unknown_fields)
                return fail(path, "unknown field '" + f.field + "' for " + std::string(to_string(obj)) +
                                      " (use search::raw_field() to send it unchecked)");
        }
        const field_type type = t.value_or(field_type::any);
        if (!op_allowed(f, type))
            return fail(path, describe(f) + ": operator not allowed on a " + std::string(to_string(type)) +
                                  (f.field == "tag_id" ? " field (tag_id accepts only '=' and '!=')" : " field"));
        return check_value(path, f, type);
    }

    result<void> check(const std::string& path, const expr& e, unsigned depth) const {
        if (e.is_filter()) return check_filter(path, e.as_filter());
        const group& g = e.as_group();
        if (depth + 1 > opts.max_group_depth)
            return fail(path, "groups nested " + std::to_string(depth + 1) + " deep; at most " +
                                  std::to_string(opts.max_group_depth) + " levels of AND/OR are allowed");
        if (g.members.empty()) return fail(path, "empty AND/OR group");
        if (g.members.size() > opts.max_group_members)
            return fail(path, "AND/OR group has " + std::to_string(g.members.size()) + " members; at most " +
                                  std::to_string(opts.max_group_members) + " are allowed");
        for (std::size_t i = 0; i < g.members.size(); ++i) {
            auto r = check(path + ".value[" + std::to_string(i) + "]", g.members[i], depth + 1);
            if (!r) return r;
        }
        return {};
    }
};

boost::json::value value_json(const filter_value& v) {
    switch (v.index()) {
    case 0: return nullptr;
    case 1: return boost::json::string(std::get<1>(v));
    case 2: return std::get<2>(v);
    case 3: return std::get<3>(v);
    case 4: {
        boost::json::array a;
        for (const auto& s : std::get<4>(v)) a.emplace_back(s);
        return a;
    }
    case 5: {
        boost::json::array a;
        for (auto i : std::get<5>(v)) a.emplace_back(i);
        return a;
    }
    }
    return nullptr;
}

expr combine(group_op o, expr a, expr b) {
    if (!a.is_filter() && a.as_group().oper == o) {
        a.as_group().members.push_back(std::move(b));
        return a;
    }
    return group{o, {std::move(a), std::move(b)}};
}

} // namespace

std::string_view to_string(op o) noexcept { return op_names[static_cast<std::size_t>(o)]; }

std::optional<op> parse_op(std::string_view s) noexcept {
    for (std::size_t i = 0; i < op_names.size(); ++i)
        if (op_names[i] == s) return static_cast<op>(i);
    return std::nullopt;
}

boost::json::value expr::to_json() const {
    boost::json::object o;
    if (is_filter()) {
        const filter& f = as_filter();
        o["field"] = f.field;
        o["operator"] = to_string(f.oper);
        o["value"] = value_json(f.value);
    } else {
        const group& g = as_group();
        o["operator"] = g.oper == group_op::and_ ? "AND" : "OR";
        boost::json::array members;
        for (const auto& m : g.members) members.push_back(m.to_json());
        o["value"] = std::move(members);
    }
    return o;
}

expr operator&&(expr a, expr b) { return combine(group_op::and_, std::move(a), std::move(b)); }
expr operator||(expr a, expr b) { return combine(group_op::or_, std::move(a), std::move(b)); }

result<void> validate(const expr& q, object_kind obj, const validation_options& opts) {
    return checker{obj, opts}.check("query", q, 0);
}

result<boost::json::object> to_json(const search_request& req, object_kind obj, const validation_options& opts) {
    auto ok = validate(req.query, obj, opts);
    if (!ok) return ok.error();
    if (req.per_page && (*req.per_page < 1 || *req.per_page > 150)) {
        error_info e{errc::invalid_query};
        e.diag.message = std::string(to_string(obj)) + " search: pagination.per_page must be 1..150, got " +
                         std::to_string(*req.per_page);
        return e;
    }
    if (req.sort && !opts.allow_unknown_fields && !lookup_field(obj, req.sort->field)) {
        error_info e{errc::invalid_query};
        e.diag.message = std::string(to_string(obj)) + " search: sort: unknown field '" + req.sort->field + "'";
        return e;
    }
    if ((req.starting_after && !is_valid_utf8(*req.starting_after)) || (req.sort && !is_valid_utf8(req.sort->field))) {
        error_info e{errc::invalid_query};
        e.diag.message = std::string(to_string(obj)) + " search: starting_after or sort field is not valid UTF-8";
        return e;
    }
    boost::json::object body;
    body["query"] = req.query.to_json();
    if (req.per_page || req.starting_after) {
        boost::json::object p;
        // per_page is required inside pagination; use the documented default of the object.
        p["per_page"] = req.per_page.value_or(obj == object_kind::contacts ? 50u : 20u);
        if (req.starting_after) p["starting_after"] = *req.starting_after;
        body["pagination"] = std::move(p);
    }
    if (req.sort) {
        boost::json::object s;
        s["field"] = req.sort->field;
        s["order"] = req.sort->ascending ? "ascending" : "descending";
        body["sort"] = std::move(s);
    }
    return body;
}

} // namespace intercom::search
