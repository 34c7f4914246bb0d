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
/// How ranges stay disjoint and complete: the boundaries b_0 < ... < b_K split [min, max) into K
/// equal ranges; partition i owns items whose field value v satisfies b_i <= v < b_(i+1), except
/// that the first partition also owns everything below `min` and the last everything from `max`
/// on, so the union is the whole (filtered) collection. Intercom compares contact dates by
/// calendar day in the workspace timezone (`>` from the start of the next day, `<` before the start
/// of the day), which no timestamp query can align to exactly. So each partition *asks* for a
/// superset, `field > b_i - 2*granularity AND field < b_(i+1) + 2*granularity` (two days of
/// margin cover any timezone and 23/25-hour DST days), and *keeps* only the items whose own field
/// value falls in its range: ownership is decided by the item's exact value, so every item is
/// owned by exactly one partition whatever the server's granularity. Items without a readable
/// value are kept by whichever partition sees them first (ids are deduplicated).
/// Cost: items within the margin around each boundary are fetched twice and dropped once.
struct partition_options {
    search::object_kind object = search::object_kind::contacts;
    std::string field = "created_at";          ///< a date field of `object` (dotted paths allowed)
    std::int64_t min = 0;                      ///< lower end of the split (UNIX seconds)
    std::int64_t max = 0;                      ///< upper end of the split; must be > min
    unsigned partitions = 4;                   ///< K, 1..15
    std::optional<search::expr> filter;        ///< ANDed with each partition's range
    unsigned per_page = 150;
    std::int64_t granularity = 86400;          ///< of the server's comparison (a day for contacts)
    std::size_t prefetch_depth = 1;            ///< per partition
    bool dedupe_by_id = true;                  ///< drop repeated ids (memory: one string per item)
    request_options options;                   ///< applied to every request
    search::validation_options validation;
};

/// Counters of an export (instrumentation).
struct export_stats {
    std::size_t fetches = 0;            ///< requests started, all partitions
    std::size_t delivered = 0;          ///< items handed out
    std::size_t dropped_foreign = 0;    ///< fetched by a partition that does not own them
    std::size_t dropped_duplicates = 0; ///< ids already delivered
};

namespace detail {
struct export_state;
}

/// Iterates the items of all partitions as they arrive (order across partitions is not defined).
/// Destroying it cancels every request in flight.
class partitioned_export {
public:
    /// Validates the options and the query of every partition; fails with `errc::invalid_query`
    /// or `errc::invalid_argument` before any request.
    static result<partitioned_export> create(std::shared_ptr<page_source> src, partition_options o);
    static result<partitioned_export> create(const client& c, partition_options o);

    partitioned_export(partitioned_export&&) noexcept;
    partitioned_export& operator=(partitioned_export&&) noexcept;
    ~partitioned_export();

    /// The next item, nullopt when every partition is done; the first error ends the export.
    boost::asio::awaitable<result<std::optional<boost::json::value>>> next();

    export_stats stats() const;

    /// The search of partition `i` (to inspect or log).
    const search::expr& partition_query(std::size_t i) const;

private:
    explicit partitioned_export(std::shared_ptr<detail::export_state> st);
    std::shared_ptr<detail::export_state> st_;
};

} // namespace intercom::pagination
