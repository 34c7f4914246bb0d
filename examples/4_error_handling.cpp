// 4_error_handling: the two error styles (result<T> and exceptions), what a failure tells you,
// and how to branch on it.
//
// Read-only: GET /contacts/{id} for an id that does not exist (a 404 with an `error.list` body).
//
// Every operation comes in two forms:
//   co_await client.contacts().retrieve(id)       -> models::contact, throws intercom::api_error
//   co_await client.contacts().try_retrieve(id)   -> intercom::result<models::contact>, never throws
// Both carry the same `intercom::diagnostics`: HTTP status, Intercom's error codes, request id,
// attempts made, the last rate-limit headers seen, and the underlying system/TLS error if any.
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
#include "example_env.hpp" // example::options_from_env() and example::run_main(): env and main() plumbing

#include <intercom.hpp>

#include <cstdio>
#include <string>

namespace asio = boost::asio;

// Prints everything a failure carries. Log this (it never contains the token).
void print_diagnostics(const intercom::error_info& e) {
    const intercom::diagnostics& d = e.diag;
    std::printf("  code:        %s (%s)\n", e.code.message().c_str(), e.code.category().name());
    std::printf("  http status: %u, attempts: %u, request id: %s\n", d.http_status, d.attempts,
                d.request_id.empty() ? "-" : d.request_id.c_str());
    std::printf("  request:     %s %s\n", d.method.c_str(), d.target.c_str());
    // Intercom's `error.list` body, one entry per error: a stable code plus a human message.
    for (const intercom::api_error_entry& entry : d.errors)
        std::printf("  error.list:  %s: %s\n", entry.code.c_str(), entry.message.value_or("").c_str());
    if (d.rate_limit)
        std::printf("  rate limit:  %lld of %lld left in this window\n",
                    static_cast<long long>(d.rate_limit->remaining),
                    static_cast<long long>(d.rate_limit->limit));
    if (d.cause) std::printf("  cause:       %s\n", d.cause.message().c_str());
}

// What an application typically does with an error: branch on the stable code, not on text.
const char* advice(const boost::system::error_code& ec) {
    using intercom::errc;
    if (ec == errc::not_found) return "the object does not exist (or was deleted): skip it";
    if (ec == errc::unauthorized) return "the token is invalid or revoked: stop and fix the configuration";
    if (ec == errc::forbidden) return "the app lacks a permission or the plan lacks the feature";
    if (ec == errc::unprocessable_entity || ec == errc::bad_request)
        return "fix the request (see error.list)";
    // 429, 5xx, timeouts, resets: the pipeline already retried them; trying later may work.
    if (intercom::is_transient(ec)) return "transient: already retried; queue it for later";
    return "unexpected: log the diagnostics";
}

asio::awaitable<bool> run(intercom::client client) {
    const std::string missing_id = "intercom-cpp-example-no-such-contact";

    // 1. The non-throwing style: inspect a result<T>.
    intercom::result<intercom::models::contact> r = co_await client.contacts().try_retrieve(missing_id);
    if (r) {
        std::printf("unexpected: contact %s exists\n", missing_id.c_str());
        co_return false;
    }
    std::printf("try_retrieve failed as expected:\n");
    print_diagnostics(r.error());
    std::printf("  advice:      %s\n", advice(r.error().code));
    // `r.value()` would throw the same error as an intercom::api_error.

    // 2. The throwing style: catch intercom::api_error (a boost::system::system_error).
    bool caught_not_found = false;
    try {
        intercom::models::contact c = co_await client.contacts().retrieve(missing_id);
        std::printf("unexpected: got contact %s\n", c.id ? c.id->str().c_str() : "?");
    } catch (const intercom::api_error& e) {
        std::printf("retrieve threw: %s\n", e.what());
        caught_not_found = e.code() == intercom::errc::not_found &&
                           e.diagnostics().first_error_code() == r.error().diag.first_error_code();
    }

    // 3. Errors found before sending anything, e.g. an invalid search query.
    namespace search = intercom::search;
    auto invalid = search::validate(search::field("email") > 5, search::object_kind::contacts);
    if (!invalid)
        std::printf("validation failed locally (%s): %s\n", invalid.error().code.message().c_str(),
                    invalid.error().diag.message.c_str());

    bool ok = r.error().code == intercom::errc::not_found && caught_not_found && !invalid;
    std::printf("error handling: not_found seen in both styles (HTTP %u, first error code \"%.*s\"): %s\n",
                r.error().diag.http_status, static_cast<int>(r.error().diag.first_error_code().size()),
                r.error().diag.first_error_code().data(), ok ? "ok" : "unexpected");
    co_return ok;
}

int main() {
    auto opts = example::options_from_env();
    if (!opts) return 2;
    // `run` returns false when the errors were not the expected ones; a throw (e.g. a network
    // failure during the first call) is printed; both give exit status 1.
    return example::run_main("error handling example", *opts, run);
}
