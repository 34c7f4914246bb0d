// Helpers shared by the handler files (private header).
#pragma once

#include "router.hpp"
#include "search.hpp"
#include "store.hpp"

namespace intercom::testing::detail {

/// POST .../search: validates body, runs the query over the objects of `collection` (matches cached
/// until the store changes), sorts by body.sort if given, paginates with body.pagination.
reply run_search(const call& c, store& s, std::string_view collection, const search_schema& schema,
                 std::string_view list_type, std::string_view list_field, std::size_t default_per_page);

/// Adds/removes `{type, id, url}` to an embedded `{data, total_count, ...}` list (`list_field` names the
/// array).
void embed_add(boost::json::object& owner, std::string_view field, std::string_view list_field,
               boost::json::object ref);
bool embed_remove(boost::json::object& owner, std::string_view field, std::string_view list_field,
                  std::string_view id);
bool embed_has(const boost::json::object& owner, std::string_view field, std::string_view list_field,
               std::string_view id);

/// A string member or "" if absent / not a string. Integers are printed.
std::string str_of(const boost::json::object& o, std::string_view key);
/// `{"type":"list","data":[...]}` with the objects of `items`.
std::string simple_list(const std::vector<entry*>& items, std::string_view type = "list",
                        std::string_view field = "data");

/// Finds the contact of a path parameter, or sets `r` to the 404 answer.
entry* find_contact(store& s, const call& c, const std::string& id, reply& r);

const search_schema& contact_search_schema();

} // namespace intercom::testing::detail
