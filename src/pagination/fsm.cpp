#include <intercom/pagination/fsm.hpp>

#include <boost/url/parse.hpp>

namespace intercom::pagination {

std::string position::to_string() const {
    if (url) return "url=" + *url;
    if (scroll_param) return "scroll_param=" + *scroll_param;
    if (page) return "page=" + std::to_string(*page);
    if (starting_after) return "starting_after=" + *starting_after;
    return "start";
}

namespace {

// The `page` query parameter of a URL, if any.
std::optional<std::int64_t> page_of_url(const std::string& url) {
    auto u = boost::urls::parse_uri_reference(url);
    if (!u) return std::nullopt;
    for (auto p : u->params()) {
        if (p.key == "page" && p.has_value) return lenient_int(boost::json::value(p.value));
    }
    return std::nullopt;
}

} // namespace

pager_fsm::pager_fsm(style s, position start, pager_limits limits, std::size_t skip_first)
    : style_(s), start_(std::move(start)), limits_(limits), pending_(start_), skip_first_(skip_first) {
    if (limits_.max_pages && *limits_.max_pages == 0) pending_.reset(), reason_ = end_reason::max_pages;
    if (limits_.max_items && *limits_.max_items == 0) pending_.reset(), reason_ = end_reason::max_items;
    if (pending_ && style_ != style::scroll) seen_.insert(pending_->to_string());
}

void pager_fsm::restart() {
    pending_ = position{};
    seen_.clear();
    previous_ = {};
    reason_ = end_reason::more;
}

error_info pager_fsm::stuck(std::string msg) const {
    error_info e{errc::pagination_stuck};
    e.diag.message = std::move(msg) + " (after page " + std::to_string(pages_) + ")";
    return e;
}

result<std::optional<position>> pager_fsm::next_position(const pages_info& p, const position& at,
                                                         end_reason& why) const {
    why = end_reason::no_next;
    switch (style_) {
    case style::single_page: why = end_reason::single_page; return std::optional<position>{};
    case style::scroll:
        if (!p.scroll_param) return std::optional<position>{};
        return std::optional<position>{position{std::nullopt, std::nullopt, p.scroll_param, std::nullopt}};
    case style::page_number: {
        const std::int64_t current = at.page.value_or(p.page.value_or(1));
        if (p.total_pages && current >= *p.total_pages) {
            why = end_reason::total_pages_reached;
            return std::optional<position>{};
        }
        if (p.next == next_shape::absent || p.next == next_shape::null) {
            // Some page-number lists (POST /companies/list, company contacts) answer `next: null`
            // on every page; a known `total_pages` above the current page is the better signal.
            if (!p.total_pages) return std::optional<position>{};
            why = end_reason::more;
            return std::optional<position>{position{std::nullopt, current + 1, std::nullopt, std::nullopt}};
        }
        std::optional<std::int64_t> next_page;
        if (p.next == next_shape::object) next_page = p.next_page.value_or(current + 1);
        if (p.next == next_shape::url) {
            next_page = page_of_url(p.next_url);
            if (!next_page) {
                why = end_reason::more;
                return std::optional<position>{position{std::nullopt, std::nullopt, std::nullopt, p.next_url}};
            }
        }
        if (*next_page <= current)
            return stuck("page-number listing went from page " + std::to_string(current) + " to page " +
                         std::to_string(*next_page));
        why = end_reason::more;
        return std::optional<position>{position{std::nullopt, next_page, std::nullopt, std::nullopt}};
    }
    case style::cursor:
    case style::search:
    case style::next_url:
        if (p.next == next_shape::url) {
            why = end_reason::more;
            return std::optional<position>{position{std::nullopt, std::nullopt, std::nullopt, p.next_url}};
        }
        if (p.next == next_shape::object && p.next_starting_after) {
            why = end_reason::more;
            return std::optional<position>{position{p.next_starting_after, std::nullopt, std::nullopt, std::nullopt}};
        }
        return std::optional<position>{};
    }
    return std::optional<position>{};
}

result<page_outcome> pager_fsm::on_page(const boost::json::value& body, const page_summary& summary) {
    if (!pending_) {
        error_info e{errc::invalid_argument};
        e.diag.message = "pager_fsm::on_page called after the walk ended";
        return e;
    }
    const position at = *pending_;
    pending_.reset();
    ++pages_;

    auto decoded = decode_pages(body);
    if (!decoded) return decoded.error();
    page_outcome out;
    out.pages = std::move(*decoded);

    out.skip = std::min(skip_first_, summary.count);
    skip_first_ = 0;
    out.keep = summary.count - out.skip;
    if (limits_.max_items) out.keep = std::min(out.keep, *limits_.max_items - items_);
    items_ += out.keep;

    // A server that ignores the cursor returns the same page again.
    if (summary.count > 0 && !summary.first_id.empty() && previous_.count == summary.count &&
        previous_.first_id == summary.first_id && previous_.last_id == summary.last_id)
        return stuck("page at " + at.to_string() + " repeats the previous page (ids " + summary.first_id + ".." +
                     summary.last_id + ")");
    previous_ = summary;

    if (summary.count == 0) {
        reason_ = out.reason = end_reason::empty_page;
        return out;
    }
    end_reason why = end_reason::more;
    auto next = next_position(out.pages, at, why);
    if (!next) return next.error();
    if (!*next) {
        reason_ = out.reason = why;
        return out;
    }
    if (style_ != style::scroll) {
        // The scroll parameter legitimately stays the same for a whole scroll.
        auto key = (*next)->to_string();
        if (!seen_.insert(key).second) return stuck("cursor repeated: " + key);
    }
    out.next = *next;
    if (limits_.max_items && items_ >= *limits_.max_items) {
        reason_ = out.reason = end_reason::max_items;
        return out;  // out.next stays set: it is where to resume
    }
    if (limits_.max_pages && pages_ >= *limits_.max_pages) {
        reason_ = out.reason = end_reason::max_pages;
        return out;
    }
    pending_ = out.next;
    return out;
}

} // namespace intercom::pagination
