#include <intercom/pagination/partitioned_export.hpp>

#include "pager_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <unordered_set>

namespace intercom::pagination {

namespace detail {

struct export_state {
    partition_options opts;
    std::shared_ptr<page_source> src;
    std::int64_t granularity = 1;
    std::int64_t margin = 1;
    bool planned = false;
    std::vector<std::int64_t> cuts;             // sorted; partition i lies between cuts[i-1] and cuts[i]
    std::vector<search::expr> queries;
    std::vector<std::shared_ptr<pager_state>> parts;
    std::shared_ptr<pager_channel> out;
    std::size_t ended = 0;
    bool finished = false;
    bool closed = false;
    std::optional<raw_page> buf;
    std::size_t buf_source = 0;
    std::size_t pos = 0;
    std::unordered_set<std::string> seen;
    export_stats stats;

    ~export_state() { shutdown(); }

    void shutdown() {
        closed = true;
        for (auto& p : parts) close(*p);
        if (out) out->close();
    }

    // Whether the server may return an item with this value from two partitions.
    bool near_cut(std::int64_t v) const {
        auto it = std::lower_bound(cuts.begin(), cuts.end(), v - 1);
        return it != cuts.end() && *it - margin <= v;
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

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The search of one partition: the filter AND its range.
search::expr partition_expr(const partition_options& o, const std::vector<std::int64_t>& cuts, std::int64_t margin,
                            std::size_t i) {
    std::vector<search::expr> members;
    if (o.filter) members.push_back(*o.filter);
    if (i > 0) members.push_back(search::field(o.field) > cuts[i - 1] - margin);
    if (i < cuts.size()) members.push_back(search::field(o.field) < cuts[i]);
    if (members.empty()) members.push_back(search::field(o.field) > std::int64_t{-1}); // K=1, no filter
    return members.size() == 1 ? members.front() : search::all_of(std::move(members));
}

// A probe: the first item of the whole (filtered) export sorted by the field.
struct probe_result {
    bool ok = false;
    bool empty = false;
    std::optional<std::int64_t> value;
    error_info error;
};

listing probe_listing(const partition_options& o, bool ascending) {
    search::search_request req{partition_expr(o, {}, 0, 0), 1u, std::nullopt,
                               search::sort_spec{o.field, ascending}};
    auto l = search_listing(o.object, req, o.validation);
    l->options = o.options;
    return std::move(*l); // validated in create()
}

boost::asio::awaitable<probe_result> probe(std::shared_ptr<page_source> src, listing l, std::string field) {
    probe_result out;
    auto r = co_await src->fetch(build_request(l, position{}));
    if (!r) {
        out.error = std::move(r).error();
        co_return out;
    }
    const boost::json::array* items = nullptr;
    if (const auto* body = r->if_object()) {
        for (const char* name : {l.list_field.c_str(), "data", "conversations"}) {
            if (const auto* v = body->if_contains(name); v && v->is_array()) {
                items = &v->get_array();
                break;
            }
        }
    }
    if (!items) {
        out.error = error_info{errc::decode_error};
        out.error.diag.message = "partitioned export: range probe answer has no item list";
        co_return out;
    }
    out.ok = true;
    out.empty = items->empty();
    if (!out.empty) out.value = value_at(items->front(), field);
    co_return out;
}

} // namespace

std::int64_t export_margin(std::int64_t g) {
    // Days: a 25-hour DST day still puts `cut - margin` in an earlier day than the cut.
    return g >= 86400 ? g + 3600 : std::max<std::int64_t>(1, g);
}

std::vector<std::int64_t> export_cuts(std::int64_t lo, std::int64_t hi, unsigned k, std::int64_t g) {
    std::vector<std::int64_t> cuts;
    if (k <= 1 || hi <= lo) return cuts;
    g = std::max<std::int64_t>(1, g);
    const __int128 span = static_cast<__int128>(hi) - lo + 1;
    for (unsigned i = 1; i < k; ++i) {
        std::int64_t c = lo + static_cast<std::int64_t>(span * i / k);
        if (g > 1) {
            // The server splits at granule starts: take the nearest one, then name it by the middle of
            // its granule (noon UTC for days), far from any timezone's day edges.
            std::int64_t b = floor_div(c + g / 2, g) * g;
            if (b <= lo || b > hi) continue; // one side would be empty
            c = b + g / 2;
        } else if (c <= lo || c > hi) {
            continue;
        }
        if (cuts.empty() || c > cuts.back()) cuts.push_back(c);
    }
    return cuts;
}

// Builds the partitions for the range [lo, hi] and starts nothing yet.
void plan(export_state& st, std::int64_t lo, std::int64_t hi) {
    st.cuts = export_cuts(lo, hi, st.opts.partitions, st.granularity);
    const std::size_t n = st.cuts.size() + 1;
    for (std::size_t i = 0; i < n; ++i) {
        auto q = partition_expr(st.opts, st.cuts, st.margin, i);
        search::search_request req{q, st.opts.per_page, std::nullopt, std::nullopt};
        auto l = search_listing(st.opts.object, req, st.opts.validation); // same shape as validated
        l->options = st.opts.options;
        pager_options po;
        po.prefetch_depth = std::max<std::size_t>(1, st.opts.prefetch_depth);
        auto ps = std::make_shared<pager_state>(st.src, std::move(*l), po);
        ps->source_id = i;
        st.parts.push_back(std::move(ps));
        st.queries.push_back(std::move(q));
    }
    st.planned = true;
}

} // namespace detail

result<partitioned_export> partitioned_export::create(std::shared_ptr<page_source> src, partition_options o) {
    if (o.object == search::object_kind::tickets)
        return detail::invalid("only contacts and conversations searches can be partitioned");
    if (o.partitions < 1 || o.partitions > 64) return detail::invalid("partitions must be 1..64");
    if (o.min.has_value() != o.max.has_value()) return detail::invalid("give both min and max, or neither");
    if (o.min && *o.max <= *o.min) return detail::invalid("max must be greater than min");
    if (o.granularity < 0) return detail::invalid("granularity must not be negative");
    if (o.per_page < 1 || o.per_page > 150) return detail::invalid("per_page must be 1..150");
    auto type = search::lookup_field(o.object, o.field);
    if (!type || (*type != search::field_type::date && *type != search::field_type::integer &&
                  *type != search::field_type::any))
        return detail::invalid("'" + o.field + "' is not a timestamp field of " +
                               std::string(search::to_string(o.object)));
    // Validate the shapes every request will have (a middle partition; the probes) before sending any.
    {
        std::vector<std::int64_t> two{1, 2};
        search::search_request mid{detail::partition_expr(o, two, 1, 1), o.per_page, std::nullopt, std::nullopt};
        if (auto l = search_listing(o.object, mid, o.validation); !l) return l.error();
        search::search_request pr{detail::partition_expr(o, {}, 0, 0), 1u, std::nullopt,
                                  search::sort_spec{o.field, true}};
        if (auto l = search_listing(o.object, pr, o.validation); !l) return l.error();
    }

    auto st = std::make_shared<detail::export_state>();
    st->granularity = o.granularity > 0 ? o.granularity : (o.object == search::object_kind::contacts ? 86400 : 1);
    st->margin = detail::export_margin(st->granularity);
    st->src = std::move(src);
    st->opts = std::move(o);
    if (st->opts.min) detail::plan(*st, *st->opts.min, *st->opts.max);
    else if (st->opts.partitions == 1) detail::plan(*st, 0, 0); // nothing to split: no probe needed
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

std::size_t partitioned_export::partitions() const { return st_->parts.size(); }
const search::expr& partitioned_export::partition_query(std::size_t i) const { return st_->queries.at(i); }
const std::vector<std::int64_t>& partitioned_export::cuts() const { return st_->cuts; }

export_stats partitioned_export::stats() const {
    export_stats s = st_->stats;
    s.fetches = s.probes;
    for (const auto& p : st_->parts) s.fetches += p->fetches;
    s.remembered = st_->seen.size();
    return s;
}

boost::asio::awaitable<result<std::optional<boost::json::value>>> partitioned_export::next() {
    using namespace boost::asio::experimental::awaitable_operators;
    auto st = st_;
    if (st->finished) co_return std::optional<boost::json::value>{};
    if (!st->planned) {
        // One round trip: the lowest and highest value, concurrently.
        st->stats.probes = 2;
        auto [lo, hi] = co_await (detail::probe(st->src, detail::probe_listing(st->opts, true), st->opts.field) &&
                                  detail::probe(st->src, detail::probe_listing(st->opts, false), st->opts.field));
        if (st->closed) co_return error_info{errc::cancelled};
        for (auto* p : {&lo, &hi}) {
            if (!p->ok) {
                st->finished = true;
                error_info e = std::move(p->error);
                e.diag.message += " (range probe)";
                co_return e;
            }
        }
        if (lo.empty || hi.empty) {
            st->finished = true; // nothing matches: no partition needs a request
            co_return std::optional<boost::json::value>{};
        }
        // A server that ignores the sort still yields items (the outer partitions are open-ended, so
        // a wrong range costs only balance); without a readable value there is nothing to split.
        if (lo.value && hi.value)
            detail::plan(*st, std::min(*lo.value, *hi.value), std::max(*lo.value, *hi.value));
        else
            detail::plan(*st, 0, 0);
    }
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
            auto v = detail::value_at(item, st->opts.field);
            // Only items the neighbouring partition may also return are checked (and remembered).
            if (st->opts.dedupe_by_id || !v || st->near_cut(*v)) {
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
            st->shutdown(); // the first error ends the export: stop the other partitions
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
