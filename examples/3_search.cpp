// 3_search: find contacts with a typed, validated query and page through every match.
//
// Read-only: POST /contacts/search (a search reads; it is retried like a GET).
//
// The query below finds users (not leads) created after a given day:
//     role = "user" AND created_at > <since>
// Pass another time as Unix seconds to change it: ./3_search 1704067200
// Intercom compares contact dates by day (in the workspace's time zone): `created_at > t` matches
// contacts created from the day after t's day on.
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
#include "example_env.hpp" // example::options_from_env() and example::run_main(): env and main() plumbing

#include <intercom.hpp>

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace asio = boost::asio;
namespace search = intercom::search;

asio::awaitable<void> run(intercom::client client, std::int64_t since) {
    // Build the query with C++ operators. `field()` names a documented searchable field; its type
    // (string, date, ...) decides which operators and values are accepted.
    search::expr query = search::field("role") == "user" && search::field("created_at") > since;

    // Mistakes are caught before anything is sent: `~` (contains) is not allowed on dates, and
    // Intercom allows at most 15 filters per group and two levels of nesting.
    search::expr wrong = search::field("created_at").contains("2024");
    if (auto v = search::validate(wrong, search::object_kind::contacts); !v)
        std::printf("rejected locally: %s\n", v.error().diag.message.c_str());

    // `search_all` from the typed query: validates it, then walks every page of matches, carrying
    // the cursor in the request body. Items arrive decoded as `models::contact`.
    search::search_request req{query, 150u, std::nullopt, std::nullopt}; // 150 per page (the maximum)
    intercom::result<intercom::pagination::pager<intercom::models::contact>> pager =
        client.contacts().search_all(req);
    if (!pager) throw intercom::api_error(pager.error()); // errc::invalid_query, with the reason

    std::printf("query: %s\n", boost::json::serialize(query.to_json()).c_str());
    std::size_t matches = 0;
    for (;;) {
        auto item = co_await pager->next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        const intercom::models::contact& c = **item;
        if (matches < 3)
            std::printf("  %s %s\n", c.id ? c.id->str().c_str() : "?", c.email.value_or("").c_str());
        ++matches;
    }
    std::printf("search: %zu contacts match in %zu requests\n", matches, pager->raw().fetches());
}

int main(int argc, char** argv) {
    auto opts = example::options_from_env();
    if (!opts) return 2;
    std::int64_t since = 1672531200; // 2023-01-01: matches contacts created from 2023-01-02 on
    if (argc > 1) since = std::strtoll(argv[1], nullptr, 10);
    return example::run_main("search", *opts, run, since);
}
