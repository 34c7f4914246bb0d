// 2_pagination: walk every contact of the workspace, page by page, with the next page prefetched.
//
// Read-only: GET /contacts (cursor pagination, 150 contacts per page).
//
// Shows the two views of a pager: items (`next()`) and pages (`next_page()`), typed decoding into
// `models::contact`, limits (`max_items`), and resuming a walk later from a saved position.
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See 1_quickstart.cpp.
//
//   INTERCOM_TOKEN=... ./2_pagination
#include <intercom.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace asio = boost::asio;
namespace pg = intercom::pagination;

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

// What to paginate: GET /contacts, cursor style, items under "data".
pg::listing contacts_listing() {
    pg::listing l;
    l.kind = pg::style::cursor;
    l.operation = &intercom::operations::contacts_list; // retry class and operation name for events
    l.path = "/contacts";
    l.list_field = "data";
    l.per_page = 150; // the API's maximum: fewer requests for the same items
    return l;
}

// Turns one JSON item into a typed contact. Decoding is tolerant (unknown fields go to `extra`);
// it only fails when the item is not an object at all.
intercom::result<intercom::models::contact> decode_contact(const boost::json::value& v) {
    intercom::models::contact c;
    if (!intercom::models::decode(v, c)) return intercom::errc::decode_error;
    return c;
}

// Item view: the simplest loop. Page N+1 is already on the way while page N is consumed
// (`prefetch_depth = 1`, the default).
asio::awaitable<std::size_t> count_roles(intercom::client client) {
    auto pager = pg::make_pager<intercom::models::contact>(client, contacts_listing(), &decode_contact);
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
    auto pager =
        pg::make_pager<intercom::models::contact>(client, contacts_listing(), &decode_contact, first_run);
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
    second_run.start = where->at;
    second_run.skip_items = where->skip;
    auto rest =
        pg::make_pager<intercom::models::contact>(client, contacts_listing(), &decode_contact, second_run);
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
    auto opts = options_from_env();
    if (!opts) return 2;
    asio::io_context ioc;
    intercom::client client(ioc.get_executor(), *opts);
    auto done = asio::co_spawn(ioc, run(client), asio::use_future);
    ioc.run();
    try {
        done.get();
    } catch (const intercom::api_error& e) {
        std::fprintf(stderr, "pagination failed: %s\n", e.what());
        return 1;
    }
    return 0;
}
