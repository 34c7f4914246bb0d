#include <intercom/pagination/partitioned_export.hpp>

#include "pager_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/channel.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

namespace intercom::pagination {

namespace detail {

// One partition's range: on `field` (cut values, see partition_options) and, inside a split granule,
// on `split_field`. Unset bounds are open.
struct part_spec {
    std::optional<std::int64_t> lo1, hi1, lo2, hi2;
    std::size_t expected = 0;
};

struct export_state {
    partition_options opts;
    std::shared_ptr<page_source> src;
    std::size_t max_concurrency = 16;
    std::int64_t granularity = 1;
    std::int64_t margin = 1;
    bool planned = false;
    std::vector<std::int64_t> cuts;  // sorted cut values on `field`
    std::vector<std::int64_t> cuts2; // sorted cut values on `split_field` (all split granules)
    std::vector<part_spec> specs;
    std::vector<search::expr> queries;
    std::vector<std::shared_ptr<pager_state>> parts;
    std::vector<std::size_t> delivered_by_part;
    std::vector<char> done_by_part;
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

    bool near(const std::vector<std::int64_t>& cs, std::int64_t v) const {
        auto it = std::lower_bound(cs.begin(), cs.end(), v - 1);
        return it != cs.end() && *it - margin <= v;
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

// The search of one partition: the filter AND its ranges.
search::expr partition_expr(const partition_options& o, const part_spec& p, std::int64_t margin) {
    std::vector<search::expr> members;
    if (o.filter) members.push_back(*o.filter);
    if (p.lo1) members.push_back(search::field(o.field) > *p.lo1 - margin);
    if (p.hi1) members.push_back(search::field(o.field) < *p.hi1);
    if (p.lo2) members.push_back(search::field(o.split_field) > *p.lo2 - margin);
    if (p.hi2) members.push_back(search::field(o.split_field) < *p.hi2);
    if (members.empty()) members.push_back(search::field(o.field) > std::int64_t{-1}); // K=1, no filter
    return members.size() == 1 ? members.front() : search::all_of(std::move(members));
}

// What one probe (a one-item search) tells.
struct probe_result {
    bool ok = false;
    bool empty = false;
    std::optional<std::size_t> total; // total_count
    std::optional<std::int64_t> value;
    error_info error;
};

listing one_item_listing(const partition_options& o, search::expr q, std::optional<search::sort_spec> sort) {
    search::search_request req{std::move(q), 1u, std::nullopt, std::move(sort)};
    auto l = search_listing(o.object, req, o.validation);
    l->options = o.options;
    return std::move(*l); // shapes validated in create()
}

boost::asio::awaitable<probe_result> probe(std::shared_ptr<page_source> src, listing l, std::string field) {
    probe_result out;
    auto r = co_await src->fetch(build_request(l, position{}));
    if (!r) {
        out.error = std::move(r).error();
        co_return out;
    }
    const boost::json::array* items = nullptr;
    const auto* body = r->if_object();
    if (body) {
        for (const char* name : {l.list_field.c_str(), "data", "conversations"}) {
            if (const auto* v = body->if_contains(name); v && v->is_array()) {
                items = &v->get_array();
                break;
            }
        }
    }
    if (!items) {
        out.error = error_info{errc::decode_error};
        out.error.diag.message = "partitioned export: probe answer has no item list";
        co_return out;
    }
    out.ok = true;
    out.empty = items->empty();
    if (const auto* tc = body->if_contains("total_count")) {
        if (auto n = lenient_int(*tc); n && *n >= 0) out.total = static_cast<std::size_t>(*n);
    }
    if (!out.empty && !field.empty()) out.value = value_at(items->front(), field);
    co_return out;
}

using done_channel = boost::asio::experimental::channel<void(boost::system::error_code, std::size_t)>;

boost::asio::awaitable<void> probe_into(std::shared_ptr<page_source> src, listing l, std::string field,
                                        std::shared_ptr<std::vector<probe_result>> out, std::size_t i,
                                        std::shared_ptr<done_channel> ch) {
    auto r = co_await probe(std::move(src), std::move(l), std::move(field));
    (*out)[i] = std::move(r);
    ch->try_send(boost::system::error_code{}, i);
}

// Sends the probes concurrently (one round trip) and returns their results in order.
boost::asio::awaitable<result<std::vector<probe_result>>>
run_probes(std::shared_ptr<export_state> st, std::vector<listing> ls, std::vector<std::string> fields) {
    auto ex = co_await boost::asio::this_coro::executor;
    const std::size_t n = ls.size();
    auto out = std::make_shared<std::vector<probe_result>>(n);
    auto ch = std::make_shared<done_channel>(ex, n);
    for (std::size_t i = 0; i < n; ++i)
        boost::asio::co_spawn(ex, probe_into(st->src, std::move(ls[i]), fields[i], out, i, ch),
                              boost::asio::detached);
    st->stats.probes += n;
    ++st->stats.probe_rounds;
    for (std::size_t got = 0; got < n; ++got) {
        auto [ec, idx] = co_await ch->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) co_return error_info{errc::cancelled};
    }
    if (st->closed) co_return error_info{errc::cancelled};
    for (auto& p : *out) {
        if (!p.ok) {
            error_info e = std::move(p.error);
            e.diag.message += " (planning probe)";
            co_return e;
        }
    }
    co_return std::move(*out);
}

// Counts of `base AND f < cut(b)` by granule boundary b, learned from one-item searches.
struct counter {
    std::vector<search::expr> base;
    std::string field;
    std::map<std::int64_t, std::size_t> known; // boundary -> items below it
};

std::int64_t cut_of(std::int64_t b, std::int64_t g) {
    return g > 1 ? b * g + g / 2 : b;
}
std::int64_t granule_of(std::int64_t v, std::int64_t g) {
    return floor_div(v, g);
}

search::expr count_expr(const counter& c, std::int64_t b, std::int64_t g) {
    std::vector<search::expr> m = c.base;
    m.push_back(search::field(c.field) < cut_of(b, g));
    return m.size() == 1 ? m.front() : search::all_of(std::move(m));
}

// A resolved target: the boundary chosen and the bracket it came from.
struct boundary {
    std::int64_t b = 0;
    std::int64_t bracket_lo = 0, bracket_hi = 0; // known boundaries around the target
};

// For each target count, the granule boundary whose count is nearest, narrowing brackets by
// interpolation alternating with bisection; all probes of a round go out concurrently.
boost::asio::awaitable<result<std::vector<boundary>>> find_boundaries(std::shared_ptr<export_state> st,
                                                                      std::shared_ptr<counter> c,
                                                                      std::vector<double> targets,
                                                                      double tol) {
    const std::int64_t g = st->granularity;
    std::vector<std::optional<boundary>> res(targets.size());
    std::vector<std::int64_t> prev_width(targets.size(), 0);
    for (int iter = 0; iter < 128; ++iter) {
        std::set<std::int64_t> want;
        for (std::size_t i = 0; i < targets.size(); ++i) {
            if (res[i]) continue;
            const double t = targets[i];
            auto hi = std::find_if(c->known.begin(), c->known.end(),
                                   [t](const auto& kv) { return static_cast<double>(kv.second) > t; });
            if (hi == c->known.end()) hi = std::prev(c->known.end());
            auto lo = hi == c->known.begin() ? hi : std::prev(hi);
            const double ca = static_cast<double>(lo->second), cb = static_cast<double>(hi->second);
            if (hi->first - lo->first <= 1 || cb - ca <= tol || lo == hi) {
                res[i] = boundary{t - ca <= cb - t ? lo->first : hi->first, lo->first, hi->first};
                continue;
            }
            const std::int64_t width = hi->first - lo->first;
            // Interpolate while it works (first round, or the bracket shrank 4x), else bisect.
            const bool interpolate = cb > ca && (prev_width[i] == 0 || width * 4 <= prev_width[i]);
            prev_width[i] = width;
            if (interpolate) {
                // Interpolation, bracketed: probe both sides of the estimate, `w` granules apart, so
                // that on locally even data the new bracket holds about `tol` items.
                const double per_item = static_cast<double>(width) / (cb - ca);
                const auto p = lo->first + static_cast<std::int64_t>(std::llround((t - ca) * per_item));
                const auto w = std::max<std::int64_t>(1, static_cast<std::int64_t>(tol * per_item * 0.4));
                want.insert(std::clamp(p - w, lo->first + 1, hi->first - 1));
                want.insert(std::clamp(p + w, lo->first + 1, hi->first - 1));
            } else {
                want.insert(lo->first + width / 2); // bisection: guarantees progress on uneven data
            }
        }
        if (want.empty()) break;
        std::vector<listing> ls;
        std::vector<std::string> fields;
        std::vector<std::int64_t> order(want.begin(), want.end());
        for (auto b : order) {
            ls.push_back(one_item_listing(st->opts, count_expr(*c, b, g), std::nullopt));
            fields.emplace_back();
        }
        auto r = co_await run_probes(st, std::move(ls), std::move(fields));
        if (!r) co_return r.error();
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (!(*r)[i].total) {
                error_info e{errc::decode_error};
                e.diag.message = "partitioned export: count probe answer has no total_count";
                co_return e;
            }
            c->known[order[i]] = *(*r)[i].total;
        }
        // Keep the counts monotone (items added meanwhile could break it): clamp from the left.
        std::size_t run = 0;
        for (auto& [b, n] : c->known)
            run = n = std::max(run, n);
    }
    std::vector<boundary> out;
    for (auto& r : res)
        out.push_back(r ? *r : boundary{});
    co_return out;
}

error_info invalid_plan(std::string msg) {
    error_info e{errc::decode_error};
    e.diag.message = "partitioned export: " + std::move(msg);
    return e;
}

} // namespace

unsigned auto_partitions_impl(const auto_partition_input& in) noexcept {
    const double want = std::ceil(std::max(0.0, in.rate_per_second) *
                                  std::chrono::duration<double>(in.rtt).count() * std::max(0.0, in.headroom));
    std::size_t cap = std::min<std::size_t>(
        {std::max<std::size_t>(1, in.max_concurrency), std::max<std::size_t>(1, in.cuttable), 64});
    double k = std::clamp(want, 1.0, static_cast<double>(cap));
    return static_cast<unsigned>(k);
}

std::vector<unsigned> allocate_partitions(const std::vector<std::size_t>& counts, unsigned k) {
    std::vector<unsigned> m(counts.size(), 0);
    unsigned used = 0;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i] > 0) {
            m[i] = 1;
            ++used;
        }
    while (used < k && used > 0) {
        std::size_t best = counts.size();
        double load = -1;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            if (m[i] == 0) continue;
            double l = static_cast<double>(counts[i]) / m[i];
            if (l > load) {
                load = l;
                best = i;
            }
        }
        if (best == counts.size() || load <= 1.0) break; // no range has items left to share
        ++m[best];
        ++used;
    }
    return m;
}

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

// Builds the pagers for `st.specs` (starts nothing yet).
void build_parts(export_state& st) {
    for (std::size_t i = 0; i < st.specs.size(); ++i) {
        auto q = partition_expr(st.opts, st.specs[i], st.margin);
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
    st.delivered_by_part.assign(st.specs.size(), 0);
    st.done_by_part.assign(st.specs.size(), 0);
    st.planned = true;
}

// Equal spans of [lo, hi] (no counts).
void plan_spans(export_state& st, std::int64_t lo, std::int64_t hi, unsigned k) {
    st.cuts = export_cuts(lo, hi, k, st.granularity);
    for (std::size_t i = 0; i <= st.cuts.size(); ++i) {
        part_spec p;
        if (i > 0) p.lo1 = st.cuts[i - 1];
        if (i < st.cuts.size()) p.hi1 = st.cuts[i];
        st.specs.push_back(p);
    }
    build_parts(st);
}

namespace {

// Count-balanced plan (see partition_options). `n`: items counted; [lo, hi]: the value range.
boost::asio::awaitable<result<void>> plan_counts(std::shared_ptr<export_state> st, std::int64_t lo,
                                                 std::int64_t hi, std::size_t n, unsigned k) {
    const std::int64_t g = st->granularity;
    const auto& o = st->opts;
    const std::int64_t glo = granule_of(lo, g), ghi = granule_of(hi, g) + 1; // boundaries
    const double share = static_cast<double>(n) / k;
    const double tol = std::max(1.0, share * 0.1);
    const double heavy_above = share * 0.25;

    auto c1 = std::make_shared<counter>();
    if (o.filter) c1->base.push_back(*o.filter);
    c1->field = o.field;
    c1->known[glo] = 0;
    c1->known[ghi] = n;
    std::vector<double> targets;
    for (unsigned j = 1; j < k; ++j)
        targets.push_back(share * j);
    auto first = co_await find_boundaries(st, c1, targets, tol);
    if (!first) co_return first.error();
    auto count1 = [&](std::int64_t b) { return c1->known.at(b); };

    // Granules that alone hold more than a quarter of a share become ranges of their own.
    std::set<std::int64_t> heavy;
    if (!o.split_field.empty()) {
        for (const auto& bd : *first)
            if (bd.bracket_hi - bd.bracket_lo == 1 &&
                static_cast<double>(count1(bd.bracket_hi) - count1(bd.bracket_lo)) > heavy_above)
                heavy.insert(bd.bracket_lo);
    }

    std::set<std::int64_t> bounds; // on `field`, inside (glo, ghi)
    std::map<std::int64_t, std::vector<std::pair<std::optional<std::int64_t>, std::size_t>>>
        splits; // granule -> parts
    if (heavy.empty()) {
        for (const auto& bd : *first)
            if (bd.b > glo && bd.b < ghi) bounds.insert(bd.b);
    } else {
        std::vector<std::int64_t> pts{glo, ghi};
        for (auto h : heavy) {
            pts.push_back(h);
            pts.push_back(h + 1);
        }
        std::sort(pts.begin(), pts.end());
        pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
        std::vector<std::size_t> counts;
        for (std::size_t i = 0; i + 1 < pts.size(); ++i)
            counts.push_back(count1(pts[i + 1]) - count1(pts[i]));
        auto m = allocate_partitions(counts, k);
        std::vector<double> more;
        for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
            if (pts[i] > glo) bounds.insert(pts[i]);
            if (heavy.count(pts[i]) || m[i] <= 1) continue;
            for (unsigned j = 1; j < m[i]; ++j)
                more.push_back(static_cast<double>(count1(pts[i])) +
                               static_cast<double>(counts[i]) * j / m[i]);
        }
        if (!more.empty()) {
            auto second = co_await find_boundaries(st, c1, more, tol);
            if (!second) co_return second.error();
            for (const auto& bd : *second)
                if (bd.b > glo && bd.b < ghi && !heavy.count(bd.b - 1)) bounds.insert(bd.b);
        }
        // Each heavy granule split m ways on the second field.
        for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
            if (!heavy.count(pts[i]) || m[i] <= 1) continue;
            const std::int64_t h = pts[i];
            auto c2 = std::make_shared<counter>();
            if (o.filter) c2->base.push_back(*o.filter);
            c2->base.push_back(search::field(o.field) > cut_of(h, g) - st->margin);
            c2->base.push_back(search::field(o.field) < cut_of(h + 1, g));
            c2->field = o.split_field;
            auto in_granule = search::all_of(std::vector<search::expr>(c2->base));
            std::vector<listing> ls{one_item_listing(o, in_granule, search::sort_spec{o.split_field, true}),
                                    one_item_listing(o, in_granule, search::sort_spec{o.split_field, false})};
            std::vector<std::string> fs(2, o.split_field);
            auto r = co_await run_probes(st, std::move(ls), std::move(fs));
            if (!r) co_return r.error();
            const auto& a = (*r)[0];
            const auto& z = (*r)[1];
            if (a.empty || !a.value || !z.value || !a.total) continue; // nothing to split on
            const std::size_t d = *a.total;
            const std::int64_t g2lo = granule_of(std::min(*a.value, *z.value), g);
            const std::int64_t g2hi = granule_of(std::max(*a.value, *z.value), g) + 1;
            if (g2hi - g2lo < 2) continue; // one granule of the second field: cannot split
            c2->known[g2lo] = 0;
            c2->known[g2hi] = d;
            std::vector<double> t2;
            for (unsigned j = 1; j < m[i]; ++j)
                t2.push_back(static_cast<double>(d) * j / m[i]);
            auto bs =
                co_await find_boundaries(st, c2, t2, std::max(1.0, static_cast<double>(d) / m[i] * 0.1));
            if (!bs) co_return bs.error();
            std::set<std::int64_t> b2;
            for (const auto& bd : *bs)
                if (bd.b > g2lo && bd.b < g2hi) b2.insert(bd.b);
            std::vector<std::pair<std::optional<std::int64_t>, std::size_t>>
                parts; // (upper cut or open, expected)
            std::size_t below = 0;
            for (auto b : b2) {
                parts.emplace_back(cut_of(b, g), c2->known.at(b) - below);
                below = c2->known.at(b);
            }
            parts.emplace_back(std::nullopt, d - below);
            splits[h] = std::move(parts);
        }
    }

    // Assemble: ranges between consecutive bounds; a split granule becomes several parts.
    std::vector<std::int64_t> bv(bounds.begin(), bounds.end());
    std::set<std::int64_t> cut2_set;
    for (std::size_t i = 0; i <= bv.size(); ++i) {
        const std::int64_t from = i == 0 ? glo : bv[i - 1];
        const std::int64_t to = i == bv.size() ? ghi : bv[i];
        part_spec base;
        if (i > 0) base.lo1 = cut_of(from, g);
        if (i < bv.size()) base.hi1 = cut_of(to, g);
        auto sp = splits.find(from);
        if (sp != splits.end() && to == from + 1) {
            std::optional<std::int64_t> prev;
            for (const auto& [upper, expected] : sp->second) {
                part_spec p = base;
                p.lo2 = prev;
                p.hi2 = upper;
                p.expected = expected;
                if (upper) cut2_set.insert(*upper);
                prev = upper;
                st->specs.push_back(p);
            }
            continue;
        }
        base.expected =
            (c1->known.count(to) && c1->known.count(from)) ? c1->known.at(to) - c1->known.at(from) : 0;
        st->specs.push_back(base);
    }
    for (auto b : bv)
        st->cuts.push_back(cut_of(b, g));
    st->cuts2.assign(cut2_set.begin(), cut2_set.end());
    build_parts(*st);
    co_return result<void>{};
}

// The first `next()`: probes, K, plan.
boost::asio::awaitable<result<bool>> plan_export(std::shared_ptr<export_state> st) {
    const auto& o = st->opts;
    search::expr all = partition_expr(o, part_spec{}, 0);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<listing> ls{one_item_listing(o, all, search::sort_spec{o.field, true}),
                            one_item_listing(o, all, search::sort_spec{o.field, false})};
    std::vector<std::string> fs(2, o.field);
    auto r = co_await run_probes(st, std::move(ls), std::move(fs));
    if (!r) co_return r.error();
    st->stats.probe_rtt = std::chrono::steady_clock::now() - t0;
    const auto& lo = (*r)[0];
    const auto& hi = (*r)[1];
    if (lo.empty || hi.empty) co_return false; // nothing matches: no partition needs a request
    std::optional<std::size_t> n = lo.total;
    if (n) st->stats.total = *n;
    std::int64_t vmin = 0, vmax = 0;
    const bool have_range = o.min || (lo.value && hi.value);
    if (o.min) {
        vmin = *o.min;
        vmax = *o.max;
    } else if (lo.value && hi.value) {
        vmin = std::min(*lo.value, *hi.value);
        vmax = std::max(*lo.value, *hi.value);
    }
    unsigned k = o.partitions;
    if (k == 0) {
        auto_partition_input in;
        if (o.auto_k.rate_per_second > 0) in.rate_per_second = o.auto_k.rate_per_second;
        in.rtt = st->stats.probe_rtt;
        in.headroom = o.auto_k.headroom;
        in.max_concurrency = st->max_concurrency;
        const std::size_t items = n ? *n : 0;
        in.cuttable = cuttable_partitions(items, o.per_page);
        k = auto_partitions(in);
    }
    if (!have_range || k <= 1) {
        plan_spans(*st, 0, 0, 1); // nothing to split (or one partition)
        if (n) st->specs[0].expected = *n;
        co_return true;
    }
    if (!o.balance_by_count || !n) {
        plan_spans(*st, vmin, vmax, k);
        co_return true;
    }
    auto p = co_await plan_counts(st, vmin, vmax, *n, k);
    if (!p) co_return p.error();
    co_return true;
}

} // namespace

} // namespace detail

unsigned auto_partitions(const auto_partition_input& in) noexcept {
    return detail::auto_partitions_impl(in);
}

result<partitioned_export> partitioned_export::create(std::shared_ptr<page_source> src, partition_options o) {
    if (o.object == search::object_kind::tickets)
        return detail::invalid("only contacts and conversations searches can be partitioned");
    if (o.partitions > 64) return detail::invalid("partitions must be 0 (auto) or 1..64");
    if (o.min.has_value() != o.max.has_value()) return detail::invalid("give both min and max, or neither");
    if (o.min && *o.max <= *o.min) return detail::invalid("max must be greater than min");
    if (o.granularity < 0) return detail::invalid("granularity must not be negative");
    if (o.per_page < 1 || o.per_page > 150) return detail::invalid("per_page must be 1..150");
    if (!(o.auto_k.headroom > 0) || o.auto_k.rate_per_second < 0)
        return detail::invalid("auto_k needs headroom > 0 and rate_per_second >= 0");
    for (const std::string* f : {&o.field, &o.split_field}) {
        if (f->empty() && f == &o.split_field) continue;
        auto type = search::lookup_field(o.object, *f);
        if (!type || (*type != search::field_type::date && *type != search::field_type::integer &&
                      *type != search::field_type::any))
            return detail::invalid("'" + *f + "' is not a timestamp field of " +
                                   std::string(search::to_string(o.object)));
    }
    // Validate the shapes every request will have (the widest partition; the probes) before sending any.
    {
        detail::part_spec widest{1, 2, std::nullopt, std::nullopt};
        if (!o.split_field.empty()) {
            widest.lo2 = 1;
            widest.hi2 = 2;
        }
        search::search_request mid{detail::partition_expr(o, widest, 1), o.per_page, std::nullopt,
                                   std::nullopt};
        if (auto l = search_listing(o.object, mid, o.validation); !l) return l.error();
        search::search_request pr{detail::partition_expr(o, detail::part_spec{}, 0), 1u, std::nullopt,
                                  search::sort_spec{o.field, true}};
        if (auto l = search_listing(o.object, pr, o.validation); !l) return l.error();
    }

    auto st = std::make_shared<detail::export_state>();
    st->granularity = o.granularity > 0 ? o.granularity : (o.object == search::object_kind::contacts ? 86400 : 1);
    st->margin = detail::export_margin(st->granularity);
    st->max_concurrency = o.auto_k.max_concurrency > 0 ? o.auto_k.max_concurrency : 16;
    st->src = std::move(src);
    st->opts = std::move(o);
    // Without counting, a given range and a fixed K need no probe.
    if (st->opts.partitions == 1)
        detail::plan_spans(*st, 0, 0, 1);
    else if (st->opts.min && st->opts.partitions > 1 && !st->opts.balance_by_count)
        detail::plan_spans(*st, *st->opts.min, *st->opts.max, st->opts.partitions);
    return partitioned_export(std::move(st));
}

result<partitioned_export> partitioned_export::create(const client& c, partition_options o) {
    if (o.auto_k.max_concurrency == 0) {
        const auto& po = c.options().pipeline;
        o.auto_k.max_concurrency =
            po.rate_limiter ? po.rate_limiter->options().max_in_flight : po.limiter_options.max_in_flight;
    }
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

std::vector<partition_progress> partitioned_export::progress() const {
    std::vector<partition_progress> out;
    for (std::size_t i = 0; i < st_->parts.size(); ++i)
        out.push_back({st_->specs[i].expected, st_->delivered_by_part[i], st_->parts[i]->fetches,
                       st_->done_by_part[i] != 0});
    return out;
}

export_stats partitioned_export::stats() const {
    export_stats s = st_->stats;
    s.fetches = s.probes;
    for (const auto& p : st_->parts) s.fetches += p->fetches;
    s.remembered = st_->seen.size();
    return s;
}

boost::asio::awaitable<result<std::optional<boost::json::value>>> partitioned_export::next() {
    auto st = st_;
    if (st->finished) co_return std::optional<boost::json::value>{};
    if (!st->planned) {
        auto planned = co_await detail::plan_export(st);
        if (st->closed) co_return error_info{errc::cancelled};
        if (!planned) {
            st->finished = true;
            co_return std::move(planned).error();
        }
        if (!*planned) {
            st->finished = true; // nothing matches
            co_return std::optional<boost::json::value>{};
        }
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
    const bool split = !st->cuts2.empty();
    for (;;) {
        while (st->buf && st->pos < st->buf->items.size()) {
            boost::json::value& item = st->buf->items[st->pos++];
            auto v = detail::value_at(item, st->opts.field);
            bool check = st->opts.dedupe_by_id || !v || st->near(st->cuts, *v);
            if (!check && split) {
                auto v2 = detail::value_at(item, st->opts.split_field);
                check = !v2 || st->near(st->cuts2, *v2);
            }
            // Only items the neighbouring partition may also return are checked (and remembered).
            if (check) {
                auto id = item_id(item);
                if (!id.empty() && !st->seen.insert(std::move(id)).second) {
                    ++st->stats.dropped_duplicates;
                    continue;
                }
            }
            ++st->stats.delivered;
            ++st->delivered_by_part[st->buf_source];
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
            if (msg->source < st->done_by_part.size()) st->done_by_part[msg->source] = 1;
            continue;
        }
        st->buf = std::move(**msg->r);
        st->buf_source = msg->source;
        st->pos = 0;
    }
}

} // namespace intercom::pagination
