#include "search.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

namespace json = boost::json;

namespace intercom::testing::detail {

enum class op { eq, ne, in, nin, lt, le, gt, ge, contains, not_contains, starts, ends };

struct query_node {
    bool is_group = false;
    bool is_and = true;
    std::vector<std::shared_ptr<const query_node>> children;
    std::string field;
    op oper = op::eq;
    json::value value;
    bool date = false;
};

namespace {

constexpr std::size_t max_depth = 2;      // "max 2 nested filters"
constexpr std::size_t max_per_group = 15; // "max 15 filters for each AND or OR group"

std::optional<op> parse_op(std::string_view s) {
    if (s == "=") return op::eq;
    if (s == "!=") return op::ne;
    if (s == "IN") return op::in;
    if (s == "NIN") return op::nin;
    if (s == "<") return op::lt;
    if (s == "<=") return op::le;
    if (s == ">") return op::gt;
    if (s == ">=") return op::ge;
    if (s == "~") return op::contains;
    if (s == "!~") return op::not_contains;
    if (s == "^") return op::starts;
    if (s == "$") return op::ends;
    return std::nullopt;
}

std::optional<double> as_number(const json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    if (v.is_double()) return v.get_double();
    if (v.is_string()) {
        const auto& s = v.get_string();
        double d = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec == std::errc{} && r.ptr == s.data() + s.size() && !s.empty()) return d;
    }
    return std::nullopt;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

std::optional<std::string> as_text(const json::value& v) {
    if (v.is_string()) return lower(v.get_string());
    if (v.is_int64()) return std::to_string(v.get_int64());
    if (v.is_uint64()) return std::to_string(v.get_uint64());
    if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
    return std::nullopt;
}

bool scalar_equal(const json::value& a, const json::value& b) {
    if (a.is_bool() || b.is_bool()) {
        auto tb = [](const json::value& v) -> std::optional<bool> {
            if (v.is_bool()) return v.get_bool();
            if (v.is_string()) {
                if (v.get_string() == "true") return true;
                if (v.get_string() == "false") return false;
            }
            return std::nullopt;
        };
        auto x = tb(a), y = tb(b);
        return x && y && *x == *y;
    }
    if (a.is_number() || b.is_number()) {
        auto x = as_number(a), y = as_number(b);
        return x && y && *x == *y;
    }
    auto x = as_text(a), y = as_text(b);
    return x && y && *x == *y;
}

std::int64_t day_of(double t) {
    return static_cast<std::int64_t>(std::floor(t / 86400.0));
}

std::variant<std::shared_ptr<const query_node>, std::string>
compile(const json::value& q, const search_schema& schema, std::size_t depth) {
    const auto* o = q.if_object();
    if (!o) return std::string("query must be an object");
    auto node = std::make_shared<query_node>();
    const json::value* field = o->if_contains("field");
    const json::value* oper = o->if_contains("operator");
    const json::value* value = o->if_contains("value");
    if (!oper || !oper->is_string()) return std::string("operator is required");
    std::string_view op_s = oper->get_string();
    if (!field) {
        // A group.
        if (op_s != "AND" && op_s != "OR")
            return "operator " + std::string(op_s) + " is not valid for a group";
        if (!value || !value->is_array() || value->get_array().empty())
            return std::string("a group needs a non-empty array of filters in value");
        if (depth >= max_depth + 1)
            return std::string("too many nested filters (at most 2 levels of groups)");
        if (value->get_array().size() > max_per_group)
            return std::string("at most 15 filters per AND/OR group");
        node->is_group = true;
        node->is_and = op_s == "AND";
        for (const auto& child : value->get_array()) {
            auto c = compile(child, schema, depth + 1);
            if (auto* err = std::get_if<std::string>(&c)) return *err;
            node->children.push_back(std::get<0>(std::move(c)));
        }
        return std::shared_ptr<const query_node>(node);
    }
    if (!field->is_string() || field->get_string().empty())
        return std::string("field must be a non-empty string");
    node->field = field->get_string();
    auto parsed = parse_op(op_s);
    if (!parsed) return "operator " + std::string(op_s) + " is not supported";
    node->oper = *parsed;
    node->value = value ? *value : json::value(nullptr);
    node->date = schema.date_fields.count(node->field) > 0;
    const auto& v = node->value;
    switch (node->oper) {
    case op::in:
    case op::nin:
        if (!v.is_array()) return "operator " + std::string(op_s) + " needs an array value";
        break;
    case op::lt:
    case op::le:
    case op::gt:
    case op::ge:
        if (!as_number(v)) return "operator " + std::string(op_s) + " needs a number or a date value";
        break;
    case op::contains:
    case op::not_contains:
    case op::starts:
    case op::ends:
        if (!v.is_string()) return "operator " + std::string(op_s) + " needs a string value";
        if (node->date)
            return "operator " + std::string(op_s) + " is not valid for date field " + node->field;
        break;
    default:
        if (v.is_array() || v.is_object()) return "operator " + std::string(op_s) + " needs a single value";
    }
    if (node->date && schema.day_granularity &&
        !(node->oper == op::eq || node->oper == op::lt || node->oper == op::gt))
        return "operator " + std::string(op_s) + " is not supported for date field " + node->field;
    if (schema.equality_only.count(node->field) && !(node->oper == op::eq || node->oper == op::ne))
        return "operator " + std::string(op_s) + " is not supported for field " + node->field;
    if (node->date && !node->value.is_null() && node->oper != op::in && node->oper != op::nin &&
        !as_number(v))
        return "field " + node->field + " needs a date (Unix seconds)";
    return std::shared_ptr<const query_node>(node);
}

bool eval(const query_node& n, const json::object& obj, const search_schema& schema) {
    if (n.is_group) {
        if (n.is_and) {
            for (const auto& c : n.children)
                if (!eval(*c, obj, schema)) return false;
            return true;
        }
        for (const auto& c : n.children)
            if (eval(*c, obj, schema)) return true;
        return false;
    }
    std::vector<const json::value*> vals;
    schema.resolve(obj, n.field, vals);
    vals.erase(std::remove_if(vals.begin(), vals.end(), [](const json::value* v) { return v->is_null(); }),
               vals.end());
    const bool days = n.date && schema.day_granularity;
    auto any_eq = [&](const json::value& target) {
        if (target.is_null()) return vals.empty();
        for (auto* v : vals) {
            if (days) {
                auto a = as_number(*v), b = as_number(target);
                if (a && b && day_of(*a) == day_of(*b)) return true;
            } else if (scalar_equal(*v, target)) {
                return true;
            }
        }
        return false;
    };
    auto any_cmp = [&](auto pred) {
        auto b = as_number(n.value);
        for (auto* v : vals) {
            auto a = as_number(*v);
            if (a && !v->is_string() && pred(*a, *b)) return true;
        }
        return false;
    };
    auto any_text = [&](auto pred) {
        std::string needle = lower(n.value.get_string());
        for (auto* v : vals)
            if (v->is_string() && pred(lower(v->get_string()), needle)) return true;
        return false;
    };
    switch (n.oper) {
    case op::eq:
        return any_eq(n.value);
    case op::ne:
        return !any_eq(n.value);
    case op::in:
        for (const auto& x : n.value.get_array())
            if (any_eq(x)) return true;
        return false;
    case op::nin:
        for (const auto& x : n.value.get_array())
            if (any_eq(x)) return false;
        return true;
    case op::lt:
        if (days) {
            double start = static_cast<double>(day_of(*as_number(n.value))) * 86400.0;
            return any_cmp([start](double a, double) { return a < start; });
        }
        return any_cmp([](double a, double b) { return a < b; });
    case op::le:
        return any_cmp([](double a, double b) { return a <= b; });
    case op::gt:
        if (days) {
            double next = static_cast<double>(day_of(*as_number(n.value)) + 1) * 86400.0;
            return any_cmp([next](double a, double) { return a >= next; });
        }
        return any_cmp([](double a, double b) { return a > b; });
    case op::ge:
        return any_cmp([](double a, double b) { return a >= b; });
    case op::contains:
        return any_text(
            [](const std::string& h, const std::string& nd) { return h.find(nd) != std::string::npos; });
    case op::not_contains:
        return !any_text(
            [](const std::string& h, const std::string& nd) { return h.find(nd) != std::string::npos; });
    case op::starts:
        return any_text([](const std::string& h, const std::string& nd) { return h.rfind(nd, 0) == 0; });
    case op::ends:
        return any_text([](const std::string& h, const std::string& nd) {
            return h.size() >= nd.size() && h.compare(h.size() - nd.size(), nd.size(), nd) == 0;
        });
    }
    return false;
}

} // namespace

bool compiled_query::matches(const json::object& obj) const {
    return root_ && eval(*root_, obj, *schema_);
}

range_plan compiled_query::ranges() const {
    range_plan out;
    if (!root_) return out;
    std::vector<const query_node*> leaves;
    bool other = false;
    if (!root_->is_group) {
        leaves.push_back(root_.get());
    } else if (root_->is_and) {
        for (const auto& c : root_->children) {
            if (c->is_group)
                other = true;
            else
                leaves.push_back(c.get());
        }
    } else {
        return out; // an OR: no range every match must satisfy
    }
    for (const auto* n : leaves) {
        auto v = n->date && !n->value.is_string() ? as_number(n->value) : std::nullopt;
        const bool days = schema_->day_granularity;
        if (!v || !(n->oper == op::lt || n->oper == op::gt || n->oper == op::le || n->oper == op::ge ||
                    (n->oper == op::eq && days))) {
            other = true;
            continue;
        }
        auto it = std::find_if(out.ranges.begin(), out.ranges.end(),
                               [&](const field_range& r) { return r.field == n->field; });
        if (it == out.ranges.end()) {
            out.ranges.push_back(field_range{n->field});
            it = out.ranges.end() - 1;
        }
        auto lower = [&](double b, bool incl) {
            if (b > it->lo || (b == it->lo && !incl)) {
                it->lo = b;
                it->lo_inclusive = incl;
            }
        };
        auto upper = [&](double b, bool incl) {
            if (b < it->hi || (b == it->hi && !incl)) {
                it->hi = b;
                it->hi_inclusive = incl;
            }
        };
        const double day_start = static_cast<double>(day_of(*v)) * 86400.0;
        switch (n->oper) {
        case op::lt:
            days ? upper(day_start, false) : upper(*v, false);
            break;
        case op::gt:
            days ? lower(day_start + 86400.0, true) : lower(*v, false);
            break;
        case op::le:
            upper(*v, true);
            break;
        case op::ge:
            lower(*v, true);
            break;
        default: // eq by day
            lower(day_start, true);
            upper(day_start + 86400.0, false);
        }
    }
    out.exact = !other && out.ranges.size() == 1;
    return out;
}

std::variant<compiled_query, std::string> compile_query(const json::value& query,
                                                        const search_schema& schema) {
    auto r = compile(query, schema, 0);
    if (auto* err = std::get_if<std::string>(&r)) return *err;
    return compiled_query(std::get<0>(std::move(r)), &schema);
}

void resolve_path(const json::object& obj, std::string_view path, std::vector<const json::value*>& out) {
    auto dot = path.find('.');
    std::string_view head = path.substr(0, dot);
    const json::value* v = obj.if_contains(head);
    if (!v) return;
    if (dot == std::string_view::npos) {
        if (v->is_array()) {
            for (const auto& x : v->get_array())
                out.push_back(&x);
        } else {
            out.push_back(v);
        }
        return;
    }
    std::string_view rest = path.substr(dot + 1);
    if (v->is_object()) {
        resolve_path(v->get_object(), rest, out);
    } else if (v->is_array()) {
        for (const auto& x : v->get_array())
            if (x.is_object()) resolve_path(x.get_object(), rest, out);
    }
}

} // namespace intercom::testing::detail
