// 2_pagination: walk every contact of the workspace, page by page, with the next page prefetched.
//
// Read-only: GET /contacts (cursor pagination, 150 contacts per page).
//
// Shows the two views of a pager: items (`next()`) and pages (`next_page()`), typed decoding into
// `models::contact`, limits (`max_items`), and resuming a walk later from a saved position.
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
//
//   INTERCOM_TOKEN=... ./2_pagination
#include "example_env.hpp" // example::options_from_env() and example::run_main(): env and main() plumbing

#include <intercom.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

namespace asio = boost::asio;
namespace pg = intercom::pagination;

// Every paginated operation has an `_all` twin returning a typed pager: `contacts().list_all(query)`
// walks GET /contacts page by page and hands out `models::contact`s. Its arguments are those of
// `list` plus `pager_options`; paging fields of the query (`per_page`, `starting_after`) go to the
// pager, which sends `per_page` on every page.
intercom::models::contacts_list_query contacts_query() {
    intercom::models::contacts_list_query q;
    q.per_page = 150; // the API's maximum: fewer requests for the same items
    return q;
}

// Item view: the simplest loop. Page N+1 is already on the way while page N is consumed
// (`prefetch_depth = 1`, the default).
asio::awaitable<std::size_t> count_roles(intercom::client client) {
    pg::pager<intercom::models::contact> pager = client.contacts().list_all(contacts_query());
    std::map<std::string, std::size_t> roles;
    std::size_t total = 0;
    for (;;) {
        // Errors come back as values here (retries already happened inside the call).
        intercom::result<std::optional<intercom::models::contact>> item = co_await pager.next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break; // the end of the listing
        ++roles[(*item)->role.value_or("unknown")];
        ++total;
    }
    for (const auto& [role, n] : roles)
        std::printf("  %-8s %zu\n", role.c_str(), n);
    std::printf("pagination: %zu contacts in %zu requests\n", total, pager.raw().fetches());
    co_return total;
}

// Page view with a limit, then a resume: read the first 200 contacts, remember where we stopped,
// and continue from there with a new pager (e.g. in the next run of a batch job).
asio::awaitable<void> resume_demo(intercom::client client) {
    pg::pager_options first_run;
    first_run.limits.max_items = 200; // ends the walk normally after 200 items
    auto pager = client.contacts().list_all(contacts_query(), first_run);
    std::size_t seen = 0;
    for (;;) {
        auto item = co_await pager.next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        ++seen;
    }
    std::optional<pg::resume_point> where = pager.resume(); // nullopt: nothing left to read
    if (!where) {
        std::printf("resume: the workspace has only %zu contacts, nothing to resume\n", seen);
        co_return;
    }
    // `where->at` is a plain struct (cursor, page, ...): store `at.starting_after` and `skip` anywhere.
    std::printf("resume: stopped after %zu contacts at %s (+%zu items)\n", seen,
                where->at.to_string().c_str(), where->skip);

    pg::pager_options second_run;
    second_run.start = where->at; // takes precedence over a cursor in the query
    second_run.skip_items = where->skip;
    auto rest = client.contacts().list_all(contacts_query(), second_run);
    std::size_t pages = 0, items = 0;
    for (;;) {
        auto page = co_await rest.next_page(); // page view: a vector of items per page
        if (!page) throw intercom::api_error(page.error());
        if (!*page) break;
        ++pages;
        items += (*page)->items.size();
    }
    std::printf("resume: %zu more contacts in %zu pages, %zu in total\n", items, pages, seen + items);
}

asio::awaitable<void> run(intercom::client client) {
    co_await count_roles(client);
    co_await resume_demo(client);
}

int main() {
    auto opts = example::options_from_env();
    if (!opts) return 2;
    return example::run_main("pagination", *opts, run);
}
