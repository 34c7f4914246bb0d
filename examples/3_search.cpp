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
// INTERCOM_CA_FILE (optional extra CA bundle). See 1_quickstart.cpp.
#include <intercom.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace asio = boost::asio;
namespace search = intercom::search;

std::optional<intercom::client_options> options_from_env() {
    const char* token = std::getenv("INTERCOM_TOKEN");
    if (!token || !*token) {
        std::fprintf(stderr, "INTERCOM_TOKEN is not set\n");
        return std::nullopt;
    }
    intercom::client_options opts;
    opts.token = token;
    if (const char* url = std::getenv("INTERCOM_BASE_URL"); url && *url) opts.base_url = url;
    if (const char* ca = std::getenv("INTERCOM_CA_FILE"); ca && *ca) opts.transport.tls.ca_file = ca;
    return opts;
}

intercom::result<intercom::models::contact> decode_contact(const boost::json::value& v) {
    intercom::models::contact c;
    if (!intercom::models::decode(v, c)) return intercom::errc::decode_error;
    return c;
}

asio::awaitable<void> run(intercom::client client, std::int64_t since) {
    // Build the query with C++ operators. `field()` names a documented searchable field; its type
    // (string, date, ...) decides which operators and values are accepted.
    search::expr query = search::field("role") == "user" && search::field("created_at") > since;

    // Mistakes are caught before anything is sent: `~` (contains) is not allowed on dates, and
    // Intercom allows at most 15 filters per group and two levels of nesting.
    search::expr wrong = search::field("created_at").contains("2024");
    if (auto v = search::validate(wrong, search::object_kind::contacts); !v)
        std::printf("rejected locally: %s\n", v.error().diag.message.c_str());

    // A search pager: validates the query, then carries the cursor in the request body page by page.
    search::search_request req{query, 150u, std::nullopt, std::nullopt}; // 150 per page (the maximum)
    auto src = std::make_shared<intercom::pagination::client_page_source>(client);
    auto pager = intercom::pagination::make_search_pager(src, search::object_kind::contacts, req);
    if (!pager) throw intercom::api_error(pager.error()); // errc::invalid_query, with the reason

    std::printf("query: %s\n", boost::json::serialize(query.to_json()).c_str());
    std::size_t matches = 0;
    for (;;) {
        auto item = co_await pager->next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        // The pager hands out JSON; decode it into a typed contact where that is handier.
        auto contact = decode_contact(**item);
        if (!contact) throw intercom::api_error(contact.error());
        if (matches < 3)
            std::printf("  %s %s\n", contact->id ? contact->id->str().c_str() : "?",
                        contact->email.value_or("").c_str());
        ++matches;
    }
    std::printf("search: %zu contacts match in %zu requests\n", matches, pager->raw().fetches());
}

int main(int argc, char** argv) {
    auto opts = options_from_env();
    if (!opts) return 2;
    std::int64_t since = 1672531200; // 2023-01-01: matches contacts created from 2023-01-02 on
    if (argc > 1) since = std::strtoll(argv[1], nullptr, 10);

    asio::io_context ioc;
    intercom::client client(ioc.get_executor(), *opts);
    auto done = asio::co_spawn(ioc, run(client, since), asio::use_future);
    ioc.run();
    try {
        done.get();
    } catch (const intercom::api_error& e) {
        std::fprintf(stderr, "search failed: %s\n", e.what());
        return 1;
    }
    return 0;
}
