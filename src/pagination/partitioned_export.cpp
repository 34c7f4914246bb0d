#include <intercom/pagination/partitioned_export.hpp>

#include "pager_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unordered_set>

namespace intercom::pagination {

namespace detail {

struct export_state {
    partition_options opts;
    std::vector<std::int64_t> bounds;            // K+1 boundaries
    std::vector<search::expr> queries;
    std::vector<std::shared_ptr<pager_state>> parts;
    std::shared_ptr<pager_channel> out;
    std::size_t ended = 0;
    bool finished = false;
    std::optional<raw_page> buf;
    std::size_t buf_source = 0;
    std::size_t pos = 0;
    std::unordered_set<std::string> seen;
    export_stats stats;

    ~export_state() { shutdown(); }

    void shutdown() {
        for (auto& p : parts) close(*p);
        if (out) out->close();
    }
};

namespace {

std::optional<std::int64_t> value_at(const boost::json::value& item, const std::string& path) {
    const boost::json::value* cur = &item;
    std::size_t from = 0;
    while (true) {
        auto dot = path.find('.', from);
        auto key = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
        const auto* obj = cur->if_object();
        if (!obj) return std::nullopt;
        cur = obj->if_contains(key);
        if (!cur) return std::nullopt;
        if (dot == std::string::npos) break;
        from = dot + 1;
    }
    return lenient_int(*cur);
}

error_info invalid(std::string msg) {
    error_info e{errc::invalid_argument};
    e.diag.message = "partitioned export: " + std::move(msg);
    return e;
}

} // namespace
} // namespace detail

result<partitioned_export> partitioned_export::create(std::shared_ptr<page_source> src, partition_options o) {
    if (o.object == search::object_kind::tickets)
        return detail::invalid("only contacts and conversations searches can be partitioned");
    if (o.partitions < 1 || o.partitions > 15) return detail::invalid("partitions must be 1..15");
    if (o.max <= o.min) return detail::invalid("max must be greater than min");
    if (o.granularity < 0) return detail::invalid("granularity must not be negative");
    if (o.per_page < 1 || o.per_page > 150) return detail::invalid("per_page must be 1..150");
    auto type = search::lookup_field(o.object, o.field);
    if (!type || (*type != search::field_type::date && *type != search::field_type::integer &&
                  *type != search::field_type::any))
        return detail::invalid("'" + o.field + "' is not a timestamp field of " +
                               std::string(search::to_string(o.object)));

    auto st = std::make_shared<detail::export_state>();
    const std::int64_t k = o.partitions;
    const std::int64_t span = o.max - o.min;
    for (std::int64_t i = 0; i <= k; ++i) st->bounds.push_back(o.min + (span / k) * i + (span % k) * i / k);
    const std::int64_t margin = 2 * o.granularity;
    for (std::int64_t i = 0; i < k; ++i) {
        std::vector<search::expr> members;
        if (o.filter) members.push_back(*o.filter);
        if (i > 0) members.push_back(search::field(o.field) > st->bounds[i] - margin);
        if (i + 1 < k) members.push_back(search::field(o.field) < st->bounds[i + 1] + margin);
        if (members.empty()) members.push_back(search::field(o.field) > std::int64_t{-1});  // K=1, no filter
        search::expr q = members.size() == 1 ? members.front() : search::all_of(std::move(members));
        search::search_request req{q, o.per_page, std::nullopt, std::nullopt};
        auto l = search_listing(o.object, req, o.validation);
        if (!l) return l.error();
        l->options = o.options;
        pager_options po;
        po.prefetch_depth = std::max<std::size_t>(1, o.prefetch_depth);
        auto ps = std::make_shared<detail::pager_state>(src, std::move(*l), po);
        ps->source_id = static_cast<std::size_t>(i);
        st->parts.push_back(std::move(ps));
        st->queries.push_back(std::move(q));
    }
    st->opts = std::move(o);
    return partitioned_export(std::move(st));
}

result<partitioned_export> partitioned_export::create(const client& c, partition_options o) {
    return create(std::make_shared<client_page_source>(c), std::move(o));
}

partitioned_export::partitioned_export(std::shared_ptr<detail::export_state> st) : st_(std::move(st)) {}
partitioned_export::partitioned_export(partitioned_export&&) noexcept = default;
partitioned_export& partitioned_export::operator=(partitioned_export&& o) noexcept {
    if (this != &o) {
        if (st_) st_->shutdown();
        st_ = std::move(o.st_);
    }
    return *this;
}
partitioned_export::~partitioned_export() {
    if (st_) st_->shutdown();
}

const search::expr& partitioned_export::partition_query(std::size_t i) const { return st_->queries.at(i); }

export_stats partitioned_export::stats() const {
    export_stats s = st_->stats;
    s.fetches = 0;
    for (const auto& p : st_->parts) s.fetches += p->fetches;
    return s;
}

boost::asio::awaitable<result<std::optional<boost::json::value>>> partitioned_export::next() {
    auto st = st_;
    if (st->finished) co_return std::optional<boost::json::value>{};
    if (!st->out) {
        auto ex = co_await boost::asio::this_coro::executor;
        // Room for every partition's prefetch, so no driver waits on another partition's consumer.
        st->out = std::make_shared<detail::pager_channel>(ex, st->parts.size() * st->opts.prefetch_depth);
        for (auto& p : st->parts) {
            p->out = st->out;
            detail::start_driver(p, ex);
        }
    }
    const std::size_t k = st->parts.size();
    for (;;) {
        while (st->buf && st->pos < st->buf->items.size()) {
            boost::json::value& item = st->buf->items[st->pos++];
            const std::size_t i = st->buf_source;
            if (auto v = detail::value_at(item, st->opts.field)) {
                const bool below = i > 0 && *v < st->bounds[i];
                const bool above = i + 1 < k && *v >= st->bounds[i + 1];
                if (below || above) {
                    ++st->stats.dropped_foreign;
                    continue;
                }
            }
            if (st->opts.dedupe_by_id) {
                auto id = item_id(item);
                if (!id.empty() && !st->seen.insert(std::move(id)).second) {
                    ++st->stats.dropped_duplicates;
                    continue;
                }
            }
            ++st->stats.delivered;
            co_return std::optional<boost::json::value>(std::move(item));
        }
        st->buf.reset();
        if (st->ended == k) {
            st->finished = true;
            co_return std::optional<boost::json::value>{};
        }
        auto [ec, msg] = co_await st->out->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec || !msg) {
            st->finished = true;
            error_info e{errc::cancelled};
            e.diag.cause = ec;
            co_return e;
        }
        if (!msg->r) {
            st->finished = true;
            st->shutdown();  // the first error ends the export: stop the other partitions
            error_info e = std::move(msg->r).error();
            e.diag.message += " (partition " + std::to_string(msg->source) + ")";
            co_return e;
        }
        if (!*msg->r) {
            ++st->ended;
            continue;
        }
        st->buf = std::move(**msg->r);
        st->buf_source = msg->source;
        st->pos = 0;
    }
}

} // namespace intercom::pagination
