// intercom::models::page_next: the `next` member of a `pages` object, in every shape Intercom sends.
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace intercom::models {

/// Where the next page is. Used as `nullable<page_next>` in the paging models, so the four shapes of
/// `pages.next` all decode into the typed field: absent (unset), `null` (`is_null()`), a URL string
/// (`url`), or an object `{page, starting_after, per_page}` (the object's other keys go to `extra`).
/// The pagers read the same data through `pagination::decode_pages`; this is the typed view of a page.
struct page_next {
    static constexpr std::string_view schema_name = "page_next";

    std::optional<std::string> url;             ///< URL shape: the full address of the next page
    std::optional<std::string> starting_after;  ///< object shape: the cursor
    std::optional<std::int64_t> page;           ///< object shape: the next page number
    std::optional<std::int64_t> per_page;       ///< object shape
    boost::json::object extra;                  ///< object shape: keys not listed above, kept

    /// True when `next` was given as a URL string.
    bool is_url() const noexcept { return url.has_value(); }
};

/// String -> `url`; object -> the members; anything else fails (the caller keeps it in `extra`).
bool decode(const boost::json::value& jv, page_next& out);
/// Writes the shape it was read from (a string for `url`, else an object).
void encode(boost::json::value& jv, const page_next& v);

} // namespace intercom::models
