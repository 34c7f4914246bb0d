// 1_quickstart: the smallest useful program. Who am I, and what do the first contacts look like?
//
// Read-only: GET /me and one page of GET /contacts.
//
// Target, from the environment (every example reads the same three variables, see example_env.hpp):
//   INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region), INTERCOM_CA_FILE
//   (optional extra CA bundle).
//
//   INTERCOM_TOKEN=... ./1_quickstart
#include "example_env.hpp" // example::options_from_env() and example::run_main(): env and main() plumbing

#include <intercom.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace asio = boost::asio;

// Every call is a coroutine: `co_await` it. The plain names (`identify`, `list`) throw
// `intercom::api_error` on failure; see 4_error_handling for the non-throwing `try_` forms.
asio::awaitable<void> run(intercom::client client) {
    intercom::models::admin_with_app me = co_await client.admins().identify();
    std::printf("authenticated as %s <%s>", me.name.value_or("?").c_str(), me.email.value_or("?").c_str());
    if (me.app) std::printf(" in workspace \"%s\"", me.app->name.value_or("?").c_str());
    std::printf("\n");

    // One page of contacts. Query parameters are a plain struct; unset fields are not sent.
    intercom::models::contacts_list_query query;
    query.per_page = 5;
    intercom::models::contact_list page = co_await client.contacts().list(query);

    // Models mirror the API's JSON: optional fields are std::optional, nullable ones
    // intercom::nullable (absent, null or a value). Unknown fields are kept in `extra`.
    const auto& contacts = page.data ? *page.data : std::vector<intercom::models::contact>{};
    for (const auto& c : contacts) {
        std::printf("  %-26s %-6s %s\n", c.id ? c.id->str().c_str() : "?", c.role.value_or("?").c_str(),
                    c.email.value_or("").c_str());
    }
    std::printf("quickstart: %zu contacts on the first page, %lld in the workspace\n", contacts.size(),
                static_cast<long long>(page.total_count.value_or(-1)));
}

int main() {
    auto opts = example::options_from_env();
    if (!opts) return 2;
    // A client on an io_context, `run` to completion; a thrown intercom::api_error is printed
    // (HTTP status, Intercom's error codes, request id) and gives exit status 1.
    return example::run_main("quickstart", *opts, run);
}
