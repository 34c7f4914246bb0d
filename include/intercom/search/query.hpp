// Search queries for POST /contacts/search, /conversations/search and /tickets/search: a small
// expression DSL, validated against the documented rules before anything is sent.
#pragma once

#include <intercom/result.hpp>
#include <intercom/search/fields.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace intercom::search {

/// The twelve filter operators of API 2.11.
enum class op : unsigned char {
    eq,            ///< `=`
    ne,            ///< `!=`
    in,            ///< `IN` (array value: matches any element)
    nin,           ///< `NIN` (array value: matches none)
    lt,            ///< `<`
    le,            ///< `<=`
    gt,            ///< `>`
    ge,            ///< `>=`
    contains,      ///< `~`
    not_contains,  ///< `!~`
    starts_with,   ///< `^`
    ends_with,     ///< `$`
};

/// The wire spelling, e.g. `"!~"`.
std::string_view to_string(op o) noexcept;

/// Parses a wire spelling; nullopt for anything else.
std::optional<op> parse_op(std::string_view s) noexcept;

/// A filter value: string | integer | boolean | string[] | integer[] | null (the 2.11 `value` union).
using filter_value = std::variant<std::nullptr_t, std::string, std::int64_t, bool, std::vector<std::string>,
                                  std::vector<std::int64_t>>;

/// One filter `{field, operator, value}`.
struct filter {
    std::string field;
    op oper = op::eq;
    filter_value value;
    /// Set by `raw_field()`: the field is not looked up in the catalogue, and only the checks
    /// that do not depend on its type apply (array for IN/NIN, no array elsewhere).
    bool unchecked = false;
};

/// How the members of a group combine.
enum class group_op : unsigned char { and_, or_ };

class expr;

/// `{operator: AND|OR, value: [...]}`; filters and groups may be mixed.
struct group {
    group_op oper = group_op::and_;
    std::vector<expr> members;
};

/// A query: a single filter or a group.
class expr {
public:
    expr(filter f) : node_(std::move(f)) {}  // NOLINT: implicit on purpose
    expr(group g) : node_(std::move(g)) {}   // NOLINT

    bool is_filter() const noexcept { return node_.index() == 0; }
    const filter& as_filter() const { return std::get<filter>(node_); }
    const group& as_group() const { return std::get<group>(node_); }
    group& as_group() { return std::get<group>(node_); }

    /// The JSON of this node (no validation).
    boost::json::value to_json() const;

private:
    std::variant<filter, group> node_;
};

/// Argument of `in`/`not_in` with strings: `{"a", "b"}` or a vector.
struct string_list {
    std::vector<std::string> values;
    string_list(std::initializer_list<std::string_view> l) : values(l.begin(), l.end()) {}
    string_list(std::vector<std::string> v) : values(std::move(v)) {}  // NOLINT
};

/// Argument of `in`/`not_in` with integers: `{1, 2}` or a vector.
struct int_list {
    std::vector<std::int64_t> values;
    int_list(std::initializer_list<std::int64_t> l) : values(l) {}
    int_list(std::vector<std::int64_t> v) : values(std::move(v)) {}  // NOLINT
};

/// Builds filters on one field: `field("email") == "a@b.c"`, `field("created_at") > 1700000000`,
/// `field("role").in({"user", "lead"})`, `field("name").starts_with("Jo")`.
class field_ref {
public:
    explicit field_ref(std::string name, bool unchecked = false) : name_(std::move(name)), unchecked_(unchecked) {}

    filter make(op o, filter_value v) const { return filter{name_, o, std::move(v), unchecked_}; }

    filter eq(filter_value v) const { return make(op::eq, std::move(v)); }
    filter ne(filter_value v) const { return make(op::ne, std::move(v)); }
    filter lt(filter_value v) const { return make(op::lt, std::move(v)); }
    filter le(filter_value v) const { return make(op::le, std::move(v)); }
    filter gt(filter_value v) const { return make(op::gt, std::move(v)); }
    filter ge(filter_value v) const { return make(op::ge, std::move(v)); }
    filter in(string_list v) const { return make(op::in, std::move(v.values)); }
    filter in(int_list v) const { return make(op::in, std::move(v.values)); }
    filter not_in(string_list v) const { return make(op::nin, std::move(v.values)); }
    filter not_in(int_list v) const { return make(op::nin, std::move(v.values)); }
    filter contains(std::string v) const { return make(op::contains, std::move(v)); }
    filter not_contains(std::string v) const { return make(op::not_contains, std::move(v)); }
    filter starts_with(std::string v) const { return make(op::starts_with, std::move(v)); }
    filter ends_with(std::string v) const { return make(op::ends_with, std::move(v)); }
    filter is_null() const { return make(op::eq, nullptr); }
    filter is_not_null() const { return make(op::ne, nullptr); }

    const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
    bool unchecked_;
};

/// A field of the object's catalogue (checked by `validate`).
inline field_ref field(std::string name) { return field_ref(std::move(name)); }

/// Escape hatch for a field the catalogue does not know (e.g. one Intercom added later).
inline field_ref raw_field(std::string name) { return field_ref(std::move(name), true); }

// Value conversions for the comparison operators. `const char*` must not decay to bool.
namespace detail {
inline filter_value to_value(const char* s) { return std::string(s); }
inline filter_value to_value(std::string s) { return s; }
inline filter_value to_value(std::string_view s) { return std::string(s); }
inline filter_value to_value(bool b) { return b; }
inline filter_value to_value(std::nullptr_t) { return nullptr; }
template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
filter_value to_value(I i) { return static_cast<std::int64_t>(i); }
} // namespace detail

template <class V> filter operator==(const field_ref& f, V v) { return f.eq(detail::to_value(std::move(v))); }
template <class V> filter operator!=(const field_ref& f, V v) { return f.ne(detail::to_value(std::move(v))); }
template <class V> filter operator<(const field_ref& f, V v) { return f.lt(detail::to_value(std::move(v))); }
template <class V> filter operator<=(const field_ref& f, V v) { return f.le(detail::to_value(std::move(v))); }
template <class V> filter operator>(const field_ref& f, V v) { return f.gt(detail::to_value(std::move(v))); }
template <class V> filter operator>=(const field_ref& f, V v) { return f.ge(detail::to_value(std::move(v))); }

/// `AND` of the members.
inline expr all_of(std::vector<expr> members) { return group{group_op::and_, std::move(members)}; }
/// `OR` of the members.
inline expr any_of(std::vector<expr> members) { return group{group_op::or_, std::move(members)}; }

/// `a && b`: an AND group; an AND operand on the left is extended rather than nested.
expr operator&&(expr a, expr b);
/// `a || b`: an OR group; an OR operand on the left is extended rather than nested.
expr operator||(expr a, expr b);

/// The documented limits, as validation settings.
struct validation_options {
    /// Groups may nest this deep: 1 = one group of filters, 2 = a group of groups of filters, as in
    /// the documented example `(1 OR 2) AND (3 OR 4)`. Our reading of "max 2 nested filters".
    unsigned max_group_depth = 2;

    /// Members (filters and groups) of one AND/OR group ("max 15 filters for each AND or OR group").
    std::size_t max_group_members = 15;

    /// Types of custom attributes (`custom_attributes.NAME` for contacts, `ticket_attribute.ID`
    /// for tickets). Unlisted ones are checked as `field_type::any`.
    std::vector<std::pair<std::string, field_type>> custom_types;

    /// Accept fields the catalogue does not know, as if written with `raw_field()`.
    bool allow_unknown_fields = false;
};

/// Checks `q` against the catalogue and rules of `obj`. Fails with `errc::invalid_query`, whose
/// message names the path (e.g. `query.value[1].value[0]`), the field, the operator and the rule.
result<void> validate(const expr& q, object_kind obj, const validation_options& opts = {});

/// Sort order (documented, not in the OpenAPI description; sent as an extra body key).
struct sort_spec {
    std::string field;
    bool ascending = false;
};

/// A complete search call body.
struct search_request {
    expr query;
    /// 1..150; the server default applies when unset (50 contacts, 20 conversations/tickets).
    std::optional<unsigned> per_page;
    std::optional<std::string> starting_after;
    std::optional<sort_spec> sort;
};

/// Validates and serialises: `{"query": ..., "pagination": {"per_page": N, "starting_after": ...},
/// "sort": {...}}`. `pagination` is only written when `per_page` or `starting_after` is set; the
/// API requires `per_page` whenever `pagination` is present, so the object's documented default
/// (50 contacts, 20 conversations/tickets) is written if only the cursor is set.
result<boost::json::object> to_json(const search_request& req, object_kind obj,
                                    const validation_options& opts = {});

} // namespace intercom::search
