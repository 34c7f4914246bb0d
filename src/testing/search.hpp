// Evaluator of Intercom's search query language (private header).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

namespace intercom::testing::detail {

/// How a resource exposes its searchable fields.
struct search_schema {
    /// Appends the values of `field` in `obj` (several for multi-valued fields such as tag_id).
    std::function<void(const boost::json::object& obj, std::string_view field,
                       std::vector<const boost::json::value*>& out)>
        resolve;
    /// Date fields (Unix seconds).
    std::unordered_set<std::string> date_fields;
    /// Contacts: dates compare by whole day and accept only `=`, `<`, `>`.
    bool day_granularity = false;
    /// Fields that accept only `=` and `!=`.
    std::unordered_set<std::string> equality_only;
};

struct query_node;

/// A range of one numeric field that every match must lie in (for the store's sorted indexes).
struct field_range {
    std::string field;
    double lo = -1e300;
    bool lo_inclusive = true;
    double hi = 1e300;
    bool hi_inclusive = true;
    bool contains(double v) const {
        return (lo_inclusive ? v >= lo : v > lo) && (hi_inclusive ? v <= hi : v < hi);
    }
};

/// What a query requires of date fields: the ranges implied by its top-level AND (or single
/// comparison). `exact`: the query is nothing but `ranges` (all on one field), so every value in
/// the range matches without evaluating the query.
struct range_plan {
    std::vector<field_range> ranges;
    bool exact = false;
};

/// A validated query.
class compiled_query {
public:
    bool matches(const boost::json::object& obj) const;
    range_plan ranges() const;
    compiled_query() = default;
    explicit compiled_query(std::shared_ptr<const query_node> root, const search_schema* schema)
        : root_(std::move(root)), schema_(schema) {}

private:
    std::shared_ptr<const query_node> root_;
    const search_schema* schema_ = nullptr;
};

/// Either a query or an error message for a 400 answer.
std::variant<compiled_query, std::string> compile_query(const boost::json::value& query,
                                                        const search_schema& schema);

/// Default resolver: dotted paths into nested objects; arrays of objects are flattened.
void resolve_path(const boost::json::object& obj, std::string_view path,
                  std::vector<const boost::json::value*>& out);

} // namespace intercom::testing::detail
