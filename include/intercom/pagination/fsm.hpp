// The pure (no I/O) decision logic of pagination: where the next page starts, when to stop, and
// the guards that turn a looping server into an error instead of an endless walk.
#pragma once

#include <intercom/pagination/pages.hpp>
#include <intercom/result.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>

namespace intercom::pagination {

/// The pagination styles of the API (see docs/intercom-api.md §1.1).
enum class style : unsigned char {
    cursor,       ///< `?per_page=N&starting_after=<cursor>`; next cursor in `pages.next.starting_after`
    page_number,  ///< `?page=K&per_page=N`; stops at `total_pages` or a null/absent `next`
    search,       ///< POST body `pagination: {per_page, starting_after}`
    scroll,       ///< companies scroll: `?scroll_param=<from the previous page>`; stops on an empty page
    next_url,     ///< `pages.next` is the full URL of the next page
    single_page,  ///< one request returns everything (a `pages` object may be present)
};

/// Where a page starts. Serialise it to resume a walk later; the default value is "the beginning".
struct position {
    std::optional<std::string> starting_after;  ///< cursor and search styles
    std::optional<std::int64_t> page;           ///< page_number style (1-based)
    std::optional<std::string> scroll_param;    ///< scroll style
    std::optional<std::string> url;             ///< a server-given URL (any style with a URL `next`)

    bool operator==(const position&) const = default;

    /// A short human-readable form, e.g. `starting_after=WzE3MF0=` or `page=3`; "start" for the beginning.
    std::string to_string() const;
};

/// Bounds of one walk. Reaching a bound ends the walk normally (not an error).
struct pager_limits {
    std::optional<std::size_t> max_pages;  ///< pages fetched at most
    std::optional<std::size_t> max_items;  ///< items delivered at most (the last page is cut)
};

/// Why a walk ended (or `more` when it did not).
enum class end_reason : unsigned char {
    more,                 ///< not ended
    no_next,              ///< `pages.next` (or `scroll_param`) absent, null or without a cursor
    empty_page,           ///< the page had no items
    total_pages_reached,  ///< `page >= total_pages`
    single_page,          ///< the listing is not paginated
    max_pages,            ///< `pager_limits::max_pages`
    max_items,            ///< `pager_limits::max_items`
};

/// What the response's list held, as far as the guards need it.
struct page_summary {
    std::size_t count = 0;
    std::string first_id;  ///< `id` of the first item ("" if none)
    std::string last_id;   ///< `id` of the last item
};

/// The decision after one page.
struct page_outcome {
    std::size_t skip = 0;              ///< leading items of this page not to deliver (resume inside a page)
    std::size_t keep = 0;              ///< items to deliver after `skip` (max_items may cut)
    /// Where the walk continues after this page (also set when a limit ended the walk, so it can be
    /// resumed from there); nullopt when the listing has no more pages.
    std::optional<position> next;
    end_reason reason = end_reason::more;
    pages_info pages;                  ///< the decoded paging data of the page
};

/// Drives one walk: `pending()` says what to fetch, `on_page()` digests the answer.
///
/// Stop rules (none of them spends a request): empty page; `single_page` style; cursor-like styles
/// with `next` absent, null or lacking a cursor; page-number style with `page >= total_pages` or a
/// null/absent `next`; scroll without a `scroll_param`; the limits.
/// Guards (`errc::pagination_stuck`): a cursor/page/URL that was already fetched in this walk; a
/// page number that does not increase; a non-empty page whose first and last ids equal the
/// previous page's (a server ignoring the cursor; also catches a scroll that does not advance).
class pager_fsm {
public:
    /// `skip_first` items of the first page are not delivered (resuming inside a page).
    pager_fsm(style s, position start = {}, pager_limits limits = {}, std::size_t skip_first = 0);

    /// The position of the next page to fetch; nullopt once the walk ended.
    const std::optional<position>& pending() const noexcept { return pending_; }
    bool done() const noexcept { return !pending_.has_value(); }

    /// Digests the page fetched at `pending()`. On error the walk ends.
    result<page_outcome> on_page(const boost::json::value& body, const page_summary& summary);

    /// Ends the walk (e.g. after a fetch error).
    void stop() noexcept { pending_.reset(); }

    /// Starts over from the beginning (a restarted scroll); guards are reset, counters kept.
    void restart();

    style kind() const noexcept { return style_; }
    std::size_t pages_fetched() const noexcept { return pages_; }
    std::size_t items_delivered() const noexcept { return items_; }
    end_reason reason() const noexcept { return reason_; }

private:
    result<std::optional<position>> next_position(const pages_info& p, const position& at, end_reason& why) const;
    error_info stuck(std::string msg) const;

    style style_;
    position start_;
    pager_limits limits_;
    std::optional<position> pending_;
    std::unordered_set<std::string> seen_;
    page_summary previous_;
    std::size_t skip_first_ = 0;
    std::size_t pages_ = 0;
    std::size_t items_ = 0;
    end_reason reason_ = end_reason::more;
};

} // namespace intercom::pagination
