// Partitioned export: one contacts or conversations search split by a timestamp field into K
// ranges that are paginated concurrently, every item delivered exactly once.
#pragma once

#include <intercom/pagination/pager.hpp>
#include <intercom/search/query.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace intercom::pagination {

/// Settings of a partitioned export.
///
/// Range: the split covers [min, max]. Unset (the default), the first `next()` finds them with two
/// concurrent one-item searches sorted ascending and descending by `field` (one round trip), so the
/// K ranges cover the data that exists rather than a guessed span. The first partition has no lower
/// bound and the last no upper bound, so nothing is lost if the range is wrong or items are added
/// meanwhile; a wrong range only costs balance (if a probed item has no readable value, the export
/// runs as one partition). Items whose `field` is null match no range query and are not exported
/// when there are several partitions (use a field every object has, such as `created_at`).
///
/// Cuts: K-1 cut points split the range into equal spans. The server compares at `granularity`
/// (contacts: by calendar day in the workspace's unknown timezone), so a cut is moved to the middle
/// of its granule (noon UTC for days) and partitions meet there: partition i-1 asks for
/// `field < cut` and partition i for `field > cut - margin`, with margin = granularity (+1 h for
/// days, for 25-hour DST days). Whatever the timezone, the server's start of `> cut - margin` is at
/// or before its start of `< cut`, so the ranges leave no gap; in rare timezones (UTC±12 or more)
/// and on some DST days they overlap by up to a day. Exactly-once is therefore enforced by id for
/// the items that lie within `margin` of a cut (a small set: only those are remembered); with the
/// usual timezones and no DST change near a cut, no item is fetched twice.
/// Cuts that fall outside the range or on the same granule as another are dropped, so on narrow
/// data there may be fewer partitions than asked (see `partitions()`).
struct partition_options {
    search::object_kind object = search::object_kind::contacts;
    std::string field = "created_at";    ///< a date field of `object` (dotted paths allowed)
    std::optional<std::int64_t> min;     ///< lowest value to split from (UNIX seconds); unset: probed
    std::optional<std::int64_t> max;     ///< highest value; must be > min; unset: probed
    unsigned partitions = 4;             ///< K, 1..64 (requests in flight are still capped by the limiter)
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
    std::size_t probes = 0;             ///< of which range probes (0 or 2)
    std::size_t delivered = 0;          ///< items handed out
    std::size_t dropped_duplicates = 0; ///< ids already delivered (overlap at a cut)
    std::size_t remembered = 0;         ///< ids kept for deduplication
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
    /// The cut points actually used (`partitions() - 1` of them).
    const std::vector<std::int64_t>& cuts() const;

private:
    explicit partitioned_export(std::shared_ptr<detail::export_state> st);
    std::shared_ptr<detail::export_state> st_;
};

namespace detail {
/// The cut points for [lo, hi] in `k` parts at `granularity` (see `partition_options`); exposed for tests.
std::vector<std::int64_t> export_cuts(std::int64_t lo, std::int64_t hi, unsigned k, std::int64_t granularity);
/// Width below a cut within which the two neighbouring partitions may both return an item.
std::int64_t export_margin(std::int64_t granularity);
} // namespace detail

} // namespace intercom::pagination
