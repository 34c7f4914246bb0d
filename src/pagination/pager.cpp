#include "pager_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

namespace intercom::pagination {

namespace detail {

namespace {

std::mutex& registry_mutex() {
    static std::mutex m;
    return m;
}
std::set<std::string>& registry() {
    static std::set<std::string> s;
    return s;
}

// The items at a dotted path such as "data" or "data.articles".
const boost::json::array* find_list_at(const boost::json::value& body, const std::string& path) {
    const boost::json::value* cur = &body;
    std::size_t from = 0;
    while (true) {
        auto dot = path.find('.', from);
        auto key = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
        const auto* obj = cur->if_object();
        if (!obj) return nullptr;
        cur = obj->if_contains(key);
        if (!cur) return nullptr;
        if (dot == std::string::npos) break;
        from = dot + 1;
    }
    return cur->if_array();
}

// `list_field` may name alternatives, `companies|data`: where the schema and the API disagree on the
// key of the list (tools/codegen README, "Rules from the examples"), the first one present is used.
const boost::json::array* find_list(const boost::json::value& body, const std::string& path) {
    std::size_t from = 0;
    for (;;) {
        auto bar = path.find('|', from);
        if (const auto* a = find_list_at(body, path.substr(from, bar == std::string::npos ? bar : bar - from)))
            return a;
        if (bar == std::string::npos) return nullptr;
        from = bar + 1;
    }
}

bool contains_scroll_text(const diagnostics& d) {
    std::string text = d.message + " " + d.body_excerpt;
    for (const auto& e : d.errors) text += " " + e.code + " " + e.message.value_or("");
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text.find("scroll") != std::string::npos;
}

// A scroll parameter the server no longer knows: 404, or an error that talks about the scroll
// (Intercom's "please restart the scroll operation" 500).
bool scroll_expired(const error_info& e) {
    if (e.code == make_error_code(errc::not_found)) return true;
    return is_http_error(e.code) && contains_scroll_text(e.diag);
}

error_info annotate(error_info e, const pager_state& st, const position& at) {
    std::string where = "page " + std::to_string(st.pages_out) + " at " + at.to_string() + " of " + st.list.path;
    e.diag.message = e.diag.message.empty() ? where : e.diag.message + " (" + where + ")";
    return e;
}

void finish(pager_state& st) {
    st.lock.reset();
    st.fsm.stop();
}

} // namespace

std::optional<scroll_lock> scroll_lock::try_acquire(const std::string& key) {
    std::lock_guard g(registry_mutex());
    if (!registry().insert(key).second) return std::nullopt;
    return scroll_lock(key);
}

scroll_lock::~scroll_lock() {
    if (key_.empty()) return;
    std::lock_guard g(registry_mutex());
    registry().erase(key_);
}

namespace {

boost::asio::awaitable<void> wait_closed(std::shared_ptr<pager_state> st) {
    auto [ec] = co_await st->closer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    (void)ec;
}

// The fetch, abandoned (and so cancelled) when the pager is closed meanwhile.
boost::asio::awaitable<result<boost::json::value>> guarded_fetch(std::shared_ptr<pager_state> st, api_request req) {
    if (!st->closer) co_return co_await st->src->fetch(std::move(req));
    using namespace boost::asio::experimental::awaitable_operators;
    auto v = co_await (st->src->fetch(std::move(req)) || wait_closed(st));
    if (v.index() == 0) co_return std::move(std::get<0>(v));
    co_return error_info{errc::cancelled};
}

} // namespace

boost::asio::awaitable<result<std::optional<raw_page>>> step(std::shared_ptr<pager_state> st) {
    for (;;) {
        if (st->closed) co_return error_info{errc::cancelled};
        if (st->fsm.done()) {
            st->lock.reset();
            co_return std::optional<raw_page>{};
        }
        if (st->list.kind == style::scroll && !st->opts.scroll_lock_key.empty() && !st->lock) {
            st->lock = scroll_lock::try_acquire(st->opts.scroll_lock_key);
            if (!st->lock) {
                st->fsm.stop();
                error_info e{errc::invalid_argument};
                e.diag.message = "a companies scroll is already open for this workspace; Intercom allows one "
                                 "at a time (finish or destroy the other scroll pager first)";
                co_return e;
            }
        }
        if (st->list.invalid) {  // an argument that cannot be sent as declared: fail before any request
            st->fsm.stop();
            error_info e = *st->list.invalid;
            co_return e;
        }
        const position at = *st->fsm.pending();
        api_request req = build_request(st->list, at);
        ++st->fetches;
        auto r = co_await guarded_fetch(st, std::move(req));
        if (st->closed) co_return error_info{errc::cancelled};
        if (!r) {
            error_info e = std::move(r).error();
            if (st->list.kind == style::scroll && at.scroll_param && scroll_expired(e)) {
                if (st->opts.on_scroll_expired == scroll_expiry::restart &&
                    st->restarts < st->opts.max_scroll_restarts) {
                    ++st->restarts;
                    st->restarted = true;
                    st->fsm.restart();
                    continue;
                }
                error_info x{errc::scroll_expired, std::move(e.diag)};
                x.diag.cause = e.code;
                finish(*st);
                co_return annotate(std::move(x), *st, at);
            }
            finish(*st);
            co_return annotate(std::move(e), *st, at);
        }
        const boost::json::value& body = *r;
        const auto* items = find_list(body, st->list.list_field);
        boost::json::array single;
        if (!items && st->list.single_object_is_item && body.is_object() &&
            !body.get_object().empty() && !body.get_object().contains(st->list.list_field)) {
            single.push_back(body);
            items = &single;
        }
        if (!items) {
            error_info e{errc::decode_error};
            e.diag.message = "response has no array '" + st->list.list_field + "'";
            e.diag.set_body_excerpt(boost::json::serialize(body));
            finish(*st);
            co_return annotate(std::move(e), *st, at);
        }
        page_summary sum;
        sum.count = items->size();
        if (!items->empty()) {
            sum.first_id = item_id(items->front());
            sum.last_id = item_id(items->back());
        }
        auto outcome = st->fsm.on_page(body, sum);
        if (!outcome) {
            finish(*st);
            co_return annotate(std::move(outcome).error(), *st, at);
        }
        raw_page p;
        p.truncated = outcome->skip + outcome->keep < items->size();
        // The page body is ours and is dropped right after: move the items out instead of
        // deep-copying them (a copy was ~16 % of a typed walk's client CPU).
        auto& owned = const_cast<boost::json::array&>(*items);
        p.items.reserve(outcome->keep);
        for (std::size_t i = outcome->skip; i < outcome->skip + outcome->keep; ++i)
            p.items.push_back(std::move(owned[i]));
        p.at = at;
        p.next = std::move(outcome->next);
        p.pages = std::move(outcome->pages);
        p.index = st->pages_out++;
        p.restarted = std::exchange(st->restarted, false);
        if (st->fsm.done()) st->lock.reset();
        co_return std::optional<raw_page>(std::move(p));
    }
}

namespace {

// One step that never throws: an exception (from a user page source or decoder, or a library bug)
// becomes an error the consumer receives like any other.
boost::asio::awaitable<result<std::optional<raw_page>>> safe_step(std::shared_ptr<pager_state> st) {
    std::string what;
    try {
        co_return co_await step(st);
    } catch (const boost::system::system_error& e) {
        if (e.code() == boost::asio::error::operation_aborted) co_return error_info{errc::cancelled};
        what = e.what();
    } catch (const std::exception& e) {
        what = e.what();
    }
    finish(*st);
    error_info e{errc::callback_failed};
    e.diag.message = "exception while fetching a page: " + what;
    co_return e;
}

boost::asio::awaitable<void> drive(std::shared_ptr<pager_state> st) {
    for (;;) {
        auto r = co_await safe_step(st);
        if (st->closed) co_return;
        const bool last = !r || !*r;
        auto msg = std::make_shared<pager_msg>(pager_msg{st->source_id, std::move(r)});
        // The channel is closed only by the owner (then `closed` is set too), so a send that fails
        // here has no one left to tell.
        auto [ec] = co_await st->out->async_send(boost::system::error_code{}, std::move(msg),
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec || last || st->closed) co_return;
    }
}

} // namespace

void start_driver(std::shared_ptr<pager_state> st, boost::asio::any_io_executor ex) {
    st->closer.emplace(ex, boost::asio::steady_timer::time_point::max());
    boost::asio::co_spawn(ex, drive(std::move(st)), boost::asio::detached);
}

void close(pager_state& st) {
    if (st.closed) return;
    st.closed = true;
    st.lock.reset();
    if (st.closer) st.closer->expires_at(boost::asio::steady_timer::time_point::min());
    if (st.out && st.owns_channel) st.out->close();
}

} // namespace detail

raw_pager::raw_pager(std::shared_ptr<page_source> src, listing l, pager_options o)
    : st_(std::make_shared<detail::pager_state>(std::move(src), std::move(l), std::move(o))) {}

raw_pager::raw_pager(raw_pager&&) noexcept = default;

raw_pager& raw_pager::operator=(raw_pager&& o) noexcept {
    if (this != &o) {
        if (st_) detail::close(*st_);
        st_ = std::move(o.st_);
    }
    return *this;
}

raw_pager::~raw_pager() {
    if (st_) detail::close(*st_);
}

std::size_t raw_pager::fetches() const noexcept { return st_->fetches; }
const pager_fsm& raw_pager::fsm() const noexcept { return st_->fsm; }
resume_point raw_pager::start() const { return resume_point{st_->opts.start, st_->opts.skip_items}; }

boost::asio::awaitable<result<std::optional<raw_page>>> raw_pager::next_page() {
    auto st = st_;
    if (st->finished) co_return std::optional<raw_page>{};
    if (st->opts.prefetch_depth == 0) {
        auto r = co_await detail::safe_step(st);
        if (!r || !*r) st->finished = true;
        co_return r;
    }
    if (!st->out) {
        auto ex = co_await boost::asio::this_coro::executor;
        st->out = std::make_shared<detail::pager_channel>(ex, st->opts.prefetch_depth - 1);
        st->owns_channel = true;
        detail::start_driver(st, ex);
    }
    auto [ec, msg] = co_await st->out->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec || !msg) {
        st->finished = true;
        error_info e{errc::cancelled};
        e.diag.cause = ec;
        e.diag.message = "pager closed";
        co_return e;
    }
    if (!msg->r || !*msg->r) st->finished = true;
    co_return std::move(msg->r);
}

raw_pager make_raw_pager(const client& c, listing l, pager_options o) {
    if (l.kind == style::scroll && o.scroll_lock_key.empty()) {
        o.scroll_lock_key = "scroll:" + c.options().effective_base_url() + "#" +
                            std::to_string(std::hash<std::string>{}(c.options().token));
    }
    return raw_pager(std::make_shared<client_page_source>(c), std::move(l), std::move(o));
}

result<pager<boost::json::value>> make_search_pager(std::shared_ptr<page_source> src, search::object_kind obj,
                                                    const search::search_request& req, pager_options o,
                                                    const search::validation_options& v) {
    auto l = search_listing(obj, req, v);
    if (!l) return l.error();
    if (req.starting_after && !o.start.starting_after) o.start.starting_after = req.starting_after;
    return pager<boost::json::value>(raw_pager(std::move(src), std::move(*l), std::move(o)), &decode_json);
}

} // namespace intercom::pagination
