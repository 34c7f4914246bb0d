// Partitioned export: one contacts or conversations search split by a timestamp field into K
// ranges that are paginated concurrently, every item delivered exactly once.
#pragma once

#include <intercom/pagination/pager.hpp>
#include <intercom/search/query.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace intercom::pagination {

/// Inputs of the `partitions = auto` rule (see `auto_partitions`).
struct auto_partition_options {
    /// Requests per second the export may spend; 0: Intercom's per-app limit, 10,000 a minute
    /// (166.7/s). Lower it when other work shares the app's budget.
    double rate_per_second = 0;
    /// Chains per (rate x RTT): more than 1 so that the budget is still filled when some chains wait
    /// on a slow page or have finished.
    double headroom = 1.5;
    /// Most requests the client sends at once (pool / limiter); 0: the client's limiter
    /// `max_in_flight` (16 by default), or 16 for other page sources.
    std::size_t max_concurrency = 0;
};

/// What `auto_partitions` decides from.
struct auto_partition_input {
    double rate_per_second = 10000.0 / 60.0;
    std::chrono::nanoseconds rtt{std::chrono::milliseconds(100)};
    double headroom = 1.5;
    std::size_t max_concurrency = 16;
    /// Partitions the data allows: `cuttable_partitions(items, per_page)`.
    std::size_t cuttable = 1;
};

/// One partition per 4 full pages of items (at least 1): a cut costs a few count probes, which pay
/// off only when the partitions it makes have several pages to fetch.
constexpr std::size_t cuttable_partitions(std::size_t items, unsigned per_page) noexcept {
    const std::size_t per = 4 * static_cast<std::size_t>(per_page ? per_page : 1);
    return items / per > 0 ? items / per : 1;
}

/// K for `partitions = auto`: enough concurrent page chains to spend the rate budget at the round-trip
/// time (a chain sends one request per RTT, so rate x RTT chains fill the budget), times `headroom`,
/// rounded up; then capped by `max_concurrency`, by `cuttable` and by 64; at least 1.
///     K = clamp(ceil(rate x RTT x headroom), 1, min(max_concurrency, cuttable, 64))
/// The limiter, not K, keeps the sum at the budget: extra chains wait for the next window.
unsigned auto_partitions(const auto_partition_input& in) noexcept;

/// Settings of a partitioned export.
///
/// Planning (`balance_by_count`, the default). The first `next()` sends two concurrent one-item
/// searches sorted ascending and descending by `field` (one round trip): the lowest and highest value
/// and, from `total_count`, the number of items N (and the round-trip time, for `auto`). The cuts then
/// come from counts the API gives: each probe is a one-item search (`per_page = 1`) of
/// `filter AND field < cut`, whose `total_count` is the number of items below the cut. For each of
/// the K-1 targets j*N/K the planner narrows a bracket of granules (days for contacts) by interpolation
/// (two probes around the estimate) while it shrinks the bracket 4x a round, else by bisection, all
/// targets' probes of a round sent concurrently, until the bracket holds at most 10 % of N/K items or
/// is one granule wide. A granule that alone holds more than a
/// quarter of N/K (a bulk-import day) becomes its own range: the partitions are reallocated over the
/// ranges by count, and that granule is split further on `split_field` (a second timestamp, e.g.
/// `updated_at`) the same way. Probe cost: 2 + about 2 x (K-1) x r one-item searches in 1 + r round
/// trips, r the rounds per target (1-3 on smooth data, at most about log2(granules)); a bulk granule
/// split m ways adds 2 + 2 x (m-1) x r and a second pass over the other ranges (2 + r more rounds);
/// `export_stats::probes` and `probe_rounds` report the actual numbers.
///
/// Range: the first partition has no lower bound and the last no upper bound, so nothing is lost if
/// items are added meanwhile; in a split granule the first and last part are open on `split_field`.
/// Items whose `field` is null match no range query and are not exported when there are several
/// partitions (use a field every object has, such as `created_at`); the same holds for `split_field`
/// inside a split granule (`updated_at`: every contact has one). An item whose `split_field` changes
/// during the export may move between the parts of its granule (missed or repeated): split only on a
/// field that rarely changes during an export, or set `split_field` empty.
///
/// Cuts. The server compares at `granularity` (contacts: by calendar day in the workspace's unknown
/// timezone), so a cut is named by the middle of its granule (noon UTC for days) and partitions meet
/// there: partition i-1 asks for `field < cut` and partition i for `field > cut - margin`, with
/// margin = granularity (+1 h for days, for 25-hour DST days). Whatever the timezone, the ranges leave
/// no gap; in rare timezones (UTC±12 or more) and on some DST days they overlap by up to a day, so
/// exactly-once is enforced by id for the items that lie within `margin` of a cut (on either field;
/// only those are remembered).
///
/// Without `balance_by_count` (or when the server gives no `total_count`), K-1 cuts split [min, max]
/// into equal spans (the pre-0.x behaviour): on skewed data partitions are unbalanced.
struct partition_options {
    search::object_kind object = search::object_kind::contacts;
    std::string field = "created_at";    ///< a date field of `object` (dotted paths allowed)
    /// Second timestamp used to split a granule that holds more than its share; empty: never split.
    std::string split_field = "updated_at";
    std::optional<std::int64_t> min;     ///< lowest value to split from (UNIX seconds); unset: probed
    std::optional<std::int64_t> max;     ///< highest value; must be > min; unset: probed
    /// K, 1..64, or 0 (the default): `auto`, chosen by `auto_partitions` after the first probe round
    /// (requests in flight are still capped by the limiter).
    unsigned partitions = 0;
    auto_partition_options auto_k;       ///< inputs of `auto`
    bool balance_by_count = true;        ///< cuts by counted items (default) or by equal spans
    std::optional<search::expr> filter;  ///< ANDed with each partition's range
    unsigned per_page = 150;
    /// Of the server's comparison, in seconds; 0: by object (contacts compare by day: 86400;
    /// conversations by second: 1).
    std::int64_t granularity = 0;
    std::size_t prefetch_depth = 1;      ///< per partition
    /// Remember every delivered id, not only those near a cut (guards against a server that repeats
    /// items across pages; memory: one string per item).
    bool dedupe_by_id = false;
    request_options options;             ///< applied to every request, probes included
    search::validation_options validation;
};

/// Counters of an export (instrumentation).
struct export_stats {
    std::size_t fetches = 0;            ///< requests started: pages of all partitions plus probes
    std::size_t probes = 0;             ///< of which planning probes (range and count searches)
    std::size_t probe_rounds = 0;       ///< round trips spent planning
    std::size_t delivered = 0;          ///< items handed out
    std::size_t dropped_duplicates = 0; ///< ids already delivered (overlap at a cut)
    std::size_t remembered = 0;         ///< ids kept for deduplication
    std::size_t total = 0;              ///< N as counted by the server when planning (0: not counted)
    std::chrono::nanoseconds probe_rtt{}; ///< duration of the first probe round (the RTT `auto` used)
};

/// Progress of one partition.
struct partition_progress {
    std::size_t expected = 0;  ///< items the server counted in it when planning (0: not counted)
    std::size_t delivered = 0; ///< items handed out so far
    std::size_t pages = 0;     ///< requests started
    bool done = false;         ///< its last page arrived
};

namespace detail {
struct export_state;
}

/// Iterates the items of all partitions as they arrive (order across partitions is not defined).
/// Destroying it cancels every request in flight.
class partitioned_export {
public:
    /// Validates the options and the query shape; fails with `errc::invalid_query` or
    /// `errc::invalid_argument` before any request.
    static result<partitioned_export> create(std::shared_ptr<page_source> src, partition_options o);
    static result<partitioned_export> create(const client& c, partition_options o);

    partitioned_export(partitioned_export&&) noexcept;
    partitioned_export& operator=(partitioned_export&&) noexcept;
    ~partitioned_export();

    /// The next item, nullopt when every partition is done; the first error (of a probe or any
    /// partition) ends the export and cancels the rest.
    boost::asio::awaitable<result<std::optional<boost::json::value>>> next();

    export_stats stats() const;

    /// Number of partitions; 0 until the range is known (probed exports: after the first `next()`).
    std::size_t partitions() const;
    /// The search of partition `i` (to inspect or log); `i < partitions()`.
    const search::expr& partition_query(std::size_t i) const;
    /// The cut points on `field` actually used, sorted (`partitions() - 1` of them unless a granule
    /// was split on `split_field`, then fewer).
    const std::vector<std::int64_t>& cuts() const;
    /// Per partition, in the order of `partition_query`; empty until planned.
    std::vector<partition_progress> progress() const;

private:
    explicit partitioned_export(std::shared_ptr<detail::export_state> st);
    std::shared_ptr<detail::export_state> st_;
};

namespace detail {
/// The cut points for [lo, hi] in `k` parts at `granularity` (see `partition_options`); exposed for tests.
std::vector<std::int64_t> export_cuts(std::int64_t lo, std::int64_t hi, unsigned k, std::int64_t granularity);
/// Width below a cut within which the two neighbouring partitions may both return an item.
std::int64_t export_margin(std::int64_t granularity);
/// Partitions per range for ranges holding `counts` items, `k` in all: about count / (N/k) each, at
/// least 1 for a non-empty range, 0 for an empty one, the largest items-per-partition minimised.
std::vector<unsigned> allocate_partitions(const std::vector<std::size_t>& counts, unsigned k);
} // namespace detail

} // namespace intercom::pagination
