// In-memory object store of the fake server and the helpers its handlers share (private header).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace intercom::testing::detail {

/// One stored object. The serialised form is cached until the object changes, so that hot reads
/// (GET /contacts/{id}) only copy a shared pointer.
struct entry {
    std::uint64_t seq = 0;
    std::string id;
    boost::json::object obj;
    mutable std::shared_ptr<const std::string> cache;

    const std::shared_ptr<const std::string>& json() const;
    void touch() { cache.reset(); }
};

/// Objects of one kind, kept in creation order (the order cursors walk).
class collection {
public:
    entry* find(std::string_view id);
    entry& insert(std::string id, boost::json::object obj);
    bool erase(std::string_view id);
    std::size_t size() const { return by_id_.size(); }
    /// Every entry in creation order.
    std::vector<entry*> all();
    /// Up to `n` entries created after the one with sequence number `after` (0: from the first), in
    /// creation order: O(log size + n).
    std::vector<entry*> after(std::uint64_t after_seq, std::size_t n);
    template <class F>
    entry* find_if(F f) {
        for (auto& [seq, e] : by_seq_)
            if (f(e)) return &e;
        return nullptr;
    }

private:
    std::map<std::uint64_t, entry> by_seq_;
    std::unordered_map<std::string, std::uint64_t> by_id_;
    std::uint64_t next_seq_ = 1;
};

/// What a handler answers.
struct reply {
    unsigned status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::shared_ptr<const std::string> body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// One request as the handlers see it.
struct call {
    std::string method;
    std::string path;
    std::vector<std::string> params;          ///< path parameters in order
    std::map<std::string, std::string> query; ///< decoded query parameters (last one wins)
    std::string body_text;
    std::string request_id;
    std::string base_url;

    std::string query_or(const std::string& key, std::string def = {}) const;
    /// The JSON body as an object; `nullopt` if absent or invalid (`body_error` set when invalid).
    const boost::json::object* body() const;
    bool body_invalid() const;

private:
    mutable bool parsed_ = false;
    mutable boost::json::value json_;
    mutable bool invalid_ = false;
};

reply json_reply(unsigned status, std::string body);
reply json_reply(unsigned status, const boost::json::value& v);
reply shared_reply(std::shared_ptr<const std::string> body);
reply error_reply(const call& c, unsigned status, std::string_view code, std::string_view message);
reply not_found(const call& c, std::string_view code = "not_found",
                std::string_view message = "Resource Not Found");
reply bad_param(const call& c, std::string_view message);
/// The error reply for a request whose JSON body does not parse.
reply invalid_json(const call& c);
std::string error_body(std::string_view request_id, std::string_view code, std::string_view message);

/// Pagination: a slice of `items` plus the `pages` object.
struct page_slice {
    std::vector<entry*> items;
    boost::json::object pages;
    std::size_t total = 0;
};

/// Cursor style: items after the one whose cursor is `starting_after`. Returns nullopt for a bad cursor.
/// `seq_ordered`: `items` are in creation order (binary search); otherwise the cursor's item is looked up.
/// The cursor names the last item of the previous page and its position in `items`, so the next page
/// is found in O(1) (position checked against the item; if the list changed, a binary search by
/// sequence number for creation-ordered lists, a scan otherwise).
std::optional<page_slice> cursor_page(const std::vector<entry*>& items, std::size_t per_page,
                                      std::string_view starting_after, bool seq_ordered = true);
/// Cursor-style page of a whole collection in creation order without copying it: O(log n + page).
std::optional<page_slice> collection_page(collection& items, std::size_t per_page,
                                          std::string_view starting_after);
/// Page-number style (1-based `page`). `next_url` (may be empty) is the base for a `next` link.
page_slice number_page(const std::vector<entry*>& items, std::size_t page, std::size_t per_page,
                       std::string_view next_url_base);
/// Opaque cursor naming the item with sequence number `seq` at 0-based position `pos - 1` of its list.
std::string make_cursor(std::uint64_t seq, std::size_t pos = 0);
struct parsed_cursor {
    std::uint64_t seq = 0;
    std::size_t pos = 0; ///< items before the next page; 0: unknown (an old-style cursor)
};
std::optional<parsed_cursor> parse_cursor(std::string_view s);

/// `{"type":<type>,<field>:[items...],<extra...>}` built from cached serialisations.
std::string list_body(std::string_view type, std::string_view field, const std::vector<entry*>& items,
                      const boost::json::object& extra = {});

/// Parses `per_page` from a string (1..max, default `def`); nullopt when invalid.
std::optional<std::size_t> parse_per_page(const std::string& s, std::size_t def, std::size_t max = 150);

/// The whole state. Every access happens with `mu` held.
struct store {
    std::mutex mu;
    std::unordered_map<std::string, collection> collections;
    std::unordered_map<std::string, std::uint64_t> id_counters;
    std::int64_t base_time = 1700000000;
    std::string workspace_id = "ecahpwf5";
    std::chrono::milliseconds scroll_expiry{60000};

    // Companies scroll: one open at a time.
    struct scroll_state {
        std::string param;
        std::size_t position = 0;
        std::uint64_t last_seq = 0; ///< sequence number of the last company returned
        std::chrono::steady_clock::time_point last_used;
        bool finished = false;
    };
    std::optional<scroll_state> scroll;
    std::uint64_t scroll_counter = 0;

    // Data events, deduplicated by (user, name, created_at).
    std::vector<boost::json::object> events;

    std::vector<std::string> seeded_contacts, seeded_companies, seeded_conversations;

    /// Bumped before every request that may change objects (anything but a GET or a search).
    std::uint64_t generation = 0;
    /// Search matches per (collection, query, sort), valid while `generation` is unchanged.
    struct cached_search {
        std::uint64_t generation = 0;
        std::shared_ptr<const std::vector<entry*>> hits;
    };
    std::unordered_map<std::string, cached_search> search_cache;
    std::size_t search_cache_items = 0; ///< sum of the cached hit lists' sizes (bounded, see handlers)

    /// Entries of a collection with a single numeric value in a field, sorted by that value (then by
    /// creation): the fake's index for range searches. Rebuilt when `generation` changes.
    struct field_index {
        bool built = false;
        bool usable = true; ///< false: some entry has several values (the field is not indexed)
        std::uint64_t generation = 0;
        std::vector<std::pair<double, entry*>> keys;
    };
    std::unordered_map<std::string, field_index> indexes;

    collection& coll(std::string_view name);
    /// A new id for `kind`: 24 hex digits for "hex" kinds, a decimal string otherwise.
    std::string new_id(std::string_view kind, bool hex);
    /// Current Unix time (seconds).
    std::int64_t now() const;
};

// Seeding.
struct seed_spec {
    std::size_t contacts, companies, conversations;
    std::uint64_t seed;
    std::int64_t base_time;
    std::int64_t contact_span = 0; ///< seconds; 0: contacts 37 s apart (the old layout)
    double contact_growth = 4.0;   ///< density at the end of the span over density at its start
    double bulk_share = 0.0;       ///< share of contacts created on the bulk-import day
    double bulk_at = 0.5;          ///< where in the span the bulk day lies (0..1)
};
/// created_at of the `i`-th of `n` seeded contacts, before making the sequence non-decreasing.
std::int64_t seeded_contact_time(const seed_spec& spec, std::size_t i, std::size_t n);
void seed_store(store& s, const seed_spec& spec);

// Object builders shared between seeding and handlers.
boost::json::object make_contact(store& s, const std::string& id, std::int64_t created_at);
boost::json::object empty_embedded_list(std::string_view url);
boost::json::object admin_ref(const std::string& admin_id);

/// Merges `src` into `dst` (one level; objects named in `deep` are merged key by key).
void merge_fields(boost::json::object& dst, const boost::json::object& src,
                  std::initializer_list<std::string_view> deep = {"custom_attributes"});

std::string to_lower(std::string_view s);

} // namespace intercom::testing::detail
