// intercom::pagination::pager<T>: one async pager over every pagination style, with an item view
// (`next()`) and a page view (`next_page()`), prefetching, limits, guards and resumption.
#pragma once

#include <intercom/client.hpp>
#include <intercom/pagination/fsm.hpp>
#include <intercom/pagination/listing.hpp>
#include <intercom/pagination/page_source.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace intercom::pagination {

/// What to do when a companies scroll parameter expired in the middle of a scroll.
enum class scroll_expiry : unsigned char {
    fail,     ///< end with `errc::scroll_expired`
    restart,  ///< start the scroll over (items are delivered again; `page::restarted` tells)
};

/// Settings of one walk. Defaults: from the beginning, no limits, one page of prefetch.
struct pager_options {
    position start;                 ///< where to start (a saved `page::next` or `resume_point::at`)
    std::size_t skip_items = 0;     ///< items of the first page to skip (`resume_point::skip`)
    pager_limits limits;
    /// Pages fetched ahead of the caller. With 1, page N+1 is requested when page N is handed out;
    /// at most `prefetch_depth` pages wait in memory besides the one the caller holds.
    /// 0 fetches each page only when asked for.
    std::size_t prefetch_depth = 1;
    scroll_expiry on_scroll_expired = scroll_expiry::fail;
    unsigned max_scroll_restarts = 1;
    /// Scroll style only: one open scroll per key at a time (Intercom allows one per workspace).
    /// The `make_*pager(client, ...)` functions derive it from the client's base URL and token.
    std::string scroll_lock_key;
};

/// One page before item decoding.
struct raw_page {
    boost::json::array items;          ///< the delivered items (after skip and limits)
    position at;                       ///< where this page started (fetch it again from here)
    std::optional<position> next;      ///< where to continue after it; nullopt: no more pages
    pages_info pages;
    std::size_t index = 0;             ///< 0-based page number within this walk
    bool restarted = false;            ///< a scroll restart happened just before this page
    bool truncated = false;            ///< `max_items` cut this page: `next` skips the cut items
};

/// Where to resume to continue exactly where an item walk stopped.
struct resume_point {
    position at;
    std::size_t skip = 0;
};

namespace detail {
struct pager_state;
}

/// The untyped pager. Use it from one coroutine at a time (on a strand if the io_context runs on
/// several threads). Destroying it cancels the prefetch in flight and releases a scroll lock.
class raw_pager {
public:
    raw_pager(std::shared_ptr<page_source> src, listing l, pager_options o = {});
    raw_pager(raw_pager&&) noexcept;
    raw_pager& operator=(raw_pager&&) noexcept;
    ~raw_pager();

    /// The next page, nullopt at the end. The first error ends the walk: later calls return nullopt.
    boost::asio::awaitable<result<std::optional<raw_page>>> next_page();

    /// Requests started so far (instrumentation and tests).
    std::size_t fetches() const noexcept;
    /// The decision state (pages fetched, items delivered, end reason).
    const pager_fsm& fsm() const noexcept;

    /// Page-level resume point before the first page (used by `pager<T>`).
    resume_point start() const;

private:
    std::shared_ptr<detail::pager_state> st_;
};

/// Turns one JSON item into a `T`.
template <class T>
using item_decoder = std::function<result<T>(const boost::json::value&)>;

/// A page of decoded items.
template <class T>
struct page {
    std::vector<T> items;
    position at;
    std::optional<position> next;
    pages_info pages;
    std::size_t index = 0;
    bool restarted = false;
};

/// The typed pager: the page view (`next_page()`) and the item view (`next()`); use one of them.
template <class T>
class pager {
public:
    pager(raw_pager raw, item_decoder<T> decode) : raw_(std::move(raw)), decode_(std::move(decode)) {
        resume_ = raw_.start();
    }

    /// The next page, nullopt at the end.
    boost::asio::awaitable<result<std::optional<page<T>>>> next_page() {
        auto r = co_await raw_.next_page();
        if (!r) co_return r.error();
        if (!*r) co_return std::optional<page<T>>{};
        raw_page& rp = **r;
        page<T> out;
        out.items.reserve(rp.items.size());
        for (std::size_t i = 0; i < rp.items.size(); ++i) {
            auto item = decode_(rp.items[i]);
            if (!item) co_return annotate(std::move(item).error(), rp, i);
            out.items.push_back(std::move(*item));
        }
        out.at = std::move(rp.at);
        out.next = std::move(rp.next);
        out.pages = std::move(rp.pages);
        out.index = rp.index;
        out.restarted = rp.restarted;
        co_return std::optional<page<T>>(std::move(out));
    }

    /// The next item, nullopt at the end.
    boost::asio::awaitable<result<std::optional<T>>> next() {
        while (!buf_ || pos_ >= buf_->items.size()) {
            if (buf_) resume_ = after(*buf_);
            auto r = co_await raw_.next_page();
            if (!r) co_return r.error();
            if (!*r) {
                buf_.reset();
                co_return std::optional<T>{};
            }
            buf_ = std::move(**r);
            pos_ = 0;
            // The first page may start after skipped items.
            base_skip_ = (resume_ && resume_->at == buf_->at) ? resume_->skip : 0;
            resume_ = resume_point{buf_->at, base_skip_};
        }
        auto item = decode_(buf_->items[pos_]);
        if (!item) co_return annotate(std::move(item).error(), *buf_, pos_);
        ++pos_;
        resume_ = resume_point{buf_->at, base_skip_ + pos_};
        co_return std::optional<T>(std::move(*item));
    }

    /// Where to resume (`pager_options::start` and `skip_items`) to get exactly the item that
    /// `next()` would return next; nullopt once the walk is complete.
    std::optional<resume_point> resume() const {
        if (buf_ && pos_ >= buf_->items.size()) return after(*buf_);
        return resume_;
    }

    raw_pager& raw() noexcept { return raw_; }

private:
    std::optional<resume_point> after(const raw_page& p) const {
        if (p.truncated) return resume_point{p.at, base_skip_ + p.items.size()};
        if (!p.next) return std::nullopt;
        return resume_point{*p.next, 0};
    }

    static error_info annotate(error_info e, const raw_page& p, std::size_t i) {
        e.diag.message += " (item " + std::to_string(i) + " of page " + std::to_string(p.index) + " at " +
                          p.at.to_string() + ")";
        return e;
    }

    raw_pager raw_;
    item_decoder<T> decode_;
    std::optional<raw_page> buf_;
    std::size_t pos_ = 0;
    std::size_t base_skip_ = 0;
    std::optional<resume_point> resume_;
};

/// Identity decoder for `T = boost::json::value`.
inline result<boost::json::value> decode_json(const boost::json::value& v) { return v; }

/// A raw pager sending through `c` (scroll listings get the client's scroll lock key).
raw_pager make_raw_pager(const client& c, listing l, pager_options o = {});

/// A typed pager sending through `c`.
template <class T>
pager<T> make_pager(const client& c, listing l, item_decoder<T> decode, pager_options o = {}) {
    return pager<T>(make_raw_pager(c, std::move(l), std::move(o)), std::move(decode));
}

/// A pager of JSON items sending through `c`.
inline pager<boost::json::value> make_json_pager(const client& c, listing l, pager_options o = {}) {
    return make_pager<boost::json::value>(c, std::move(l), &decode_json, std::move(o));
}

/// A pager of JSON items over a validated search; fails with `errc::invalid_query` before any request.
result<pager<boost::json::value>> make_search_pager(std::shared_ptr<page_source> src, search::object_kind obj,
                                                    const search::search_request& req, pager_options o = {},
                                                    const search::validation_options& v = {});

} // namespace intercom::pagination
