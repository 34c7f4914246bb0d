// Decoding of the `pages` object of list responses, tolerant of every shape Intercom sends.
#pragma once

#include <intercom/result.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace intercom::pagination {

/// The four shapes of `pages.next` seen across endpoints.
enum class next_shape : unsigned char {
    absent,  ///< no `next` key (or no `pages` at all)
    null,    ///< `"next": null` (or an empty string)
    object,  ///< `{"page": K, "starting_after": "..."}` (either member may be missing)
    url,     ///< an absolute URL of the next page
};

/// What a response says about paging.
struct pages_info {
    bool present = false;                        ///< the body had a `pages` object
    next_shape next = next_shape::absent;
    std::optional<std::string> next_starting_after; ///< object shape: the cursor
    std::optional<std::int64_t> next_page;       ///< object shape: the page number
    std::string next_url;                        ///< url shape
    std::optional<std::int64_t> page;            ///< current page
    std::optional<std::int64_t> per_page;        ///< may arrive as a string ("5"): parsed leniently
    std::optional<std::int64_t> total_pages;
    std::optional<std::int64_t> total_count;     ///< top-level `total_count`
    std::optional<std::string> scroll_param;     ///< top-level `scroll_param` (companies scroll)
};

/// Reads `pages`, `total_count` and `scroll_param` of a response body. Integers are accepted as
/// numbers or numeric strings. Fails with `errc::decode_error` only when a member has a type that
/// cannot be meant as paging data (e.g. `next: 5`, `pages: []`).
result<pages_info> decode_pages(const boost::json::value& body);

/// Lenient integer: int64, uint64, integral double or numeric string.
std::optional<std::int64_t> lenient_int(const boost::json::value& v) noexcept;

/// The `id` of a listed item as a string (integer ids are printed); empty if it has none.
std::string item_id(const boost::json::value& item);

} // namespace intercom::pagination
