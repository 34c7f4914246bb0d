// 5_retries_and_rate_limits: tune the request pipeline and watch what it does.
//
// Read-only: one page of GET /contacts, then GET /contacts/{id} for each contact on it, all at once.
//
// Every call goes through the pipeline: a retry loop (which failures, how often, how long to wait)
// around a client-side rate limiter (how many requests in flight, how much of Intercom's per-window
// budget is left). Both work out of the box; this example changes a few defaults and subscribes to
// the pipeline's events to show its decisions:
//   retry_scheduled   a 429, 5xx or network failure will be retried after a backoff
//   limiter_wait      the window budget learned from X-RateLimit-* headers is spent: wait for the reset
//   gave_up           the call failed for good (the error carries the reason and the attempts)
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
//
//   INTERCOM_TOKEN=... ./5_retries_and_rate_limits [contacts, default 50]
#include "example_env.hpp" // example::options_from_env() and example::run_main(): env and main() plumbing

#include <intercom.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Counters fed by the event hook. The hook runs inline in the pipeline (possibly on several threads
// when the io_context has several): keep it short, never block, never throw.
struct pipeline_stats {
    std::atomic<unsigned> attempts{0}, retries{0}, limiter_waits{0}, gave_up{0};
};

void configure_pipeline(intercom::client_options& opts, std::shared_ptr<pipeline_stats> stats) {
    auto& p = opts.pipeline;

    // Up to 4 attempts per call (default 3). Which failures are retried is decided per operation:
    // GETs and other replay-safe calls after 5xx and network errors, any call after a 429.
    p.max_attempts = 4;

    // Exponential backoff with full jitter: the n-th retry waits a random time below
    // min(max, initial * 2^(n-1)). On a 429 the wait follows Retry-After / X-RateLimit-Reset instead.
    intercom::pipeline::backoff_options backoff;
    backoff.initial = 200ms;           // default 500 ms
    backoff.max = 5s;                  // default 20 s
    backoff.max_rate_limit_wait = 30s; // give up (surface the 429) if told to wait longer
    p.backoff_policy = std::make_shared<intercom::pipeline::default_backoff_policy>(backoff);

    // The client-side rate limiter: at most 8 requests in flight (default 16); the rest wait in
    // order, holding no connection. Its window budget is learned from the X-RateLimit-* headers of
    // every response. Creating it ourselves (instead of setting `p.limiter_options`) lets several
    // clients of the same Intercom app share one budget, and lets us read its state.
    intercom::pipeline::rate_limiter_options limits;
    limits.max_in_flight = 8;
    p.rate_limiter = std::make_shared<intercom::pipeline::rate_limiter>(limits);

    p.on_event = [stats](const intercom::pipeline::event& e) {
        using intercom::pipeline::event_kind;
        auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
        switch (e.kind) {
        case event_kind::attempt_finished:
            ++stats->attempts;
            break;
        case event_kind::retry_scheduled:
            ++stats->retries;
            std::printf("  retry: %.*s attempt %u got HTTP %u (%s); next try in %.0f ms\n",
                        static_cast<int>(e.target.size()), e.target.data(), e.attempt, e.http_status,
                        e.error.message().c_str(), ms(e.delay));
            break;
        case event_kind::limiter_wait:
            ++stats->limiter_waits;
            std::printf("  limiter: window budget spent, waiting %.0f ms\n", ms(e.delay));
            break;
        case event_kind::gave_up:
            ++stats->gave_up;
            std::printf("  gave up: %.*s: %.*s\n", static_cast<int>(e.target.size()), e.target.data(),
                        static_cast<int>(e.reason.size()), e.reason.data());
            break;
        case event_kind::succeeded:
            break;
        }
    };

    // Log lines (Authorization is redacted). `info` logs one line per attempt; keep it at warning here.
    p.logger.level = intercom::pipeline::log_level::warning;
    p.logger.sink = [](intercom::pipeline::log_level, std::string_view line) {
        std::fprintf(stderr, "log: %.*s\n", static_cast<int>(line.size()), line.data());
    };
}

// Joins the spawned calls: the last one to finish wakes the waiter (single-threaded io_context).
struct tally {
    explicit tally(asio::any_io_executor ex, std::size_t n)
        : pending(n), wake(ex, asio::steady_timer::time_point::max()) {}
    std::size_t pending, ok = 0, failed = 0;
    asio::steady_timer wake;

    void finished(bool success) {
        ++(success ? ok : failed);
        if (--pending == 0) wake.cancel();
    }
    asio::awaitable<void> wait() {
        boost::system::error_code ec; // operation_aborted when woken
        if (pending) co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
};

asio::awaitable<void> retrieve(intercom::client client, std::string id, std::shared_ptr<tally> t) {
    // Per-call overrides: a 10 s deadline for this call, all attempts and waits included.
    intercom::request_options call;
    call.timeout = 10s;
    auto r = co_await client.contacts().try_retrieve(id, call);
    if (!r) std::printf("  contact %s failed: %s\n", id.c_str(), r.error().what().c_str());
    t->finished(r.has_value());
}

asio::awaitable<void> run(intercom::client client, std::shared_ptr<pipeline_stats> stats, std::int64_t n) {
    intercom::models::contacts_list_query q;
    q.per_page = n;
    auto page = co_await client.contacts().list(q);
    std::vector<std::string> ids;
    for (const auto& c : page.data.value_or(std::vector<intercom::models::contact>{}))
        if (c.id) ids.push_back(c.id->str());

    // All retrieves at once: the limiter lets 8 through at a time and paces them to the budget.
    auto ex = co_await asio::this_coro::executor;
    auto t = std::make_shared<tally>(ex, ids.size());
    for (const auto& id : ids)
        asio::co_spawn(ex, retrieve(client, id, t), asio::detached);
    co_await t->wait();

    // The limiter's view of the budget, learned from the last X-RateLimit-* headers.
    if (auto snap = client.options().pipeline.rate_limiter->snapshot())
        std::printf("  budget: %lld of %lld requests left in this window\n",
                    static_cast<long long>(snap->remaining), static_cast<long long>(snap->limit));
    std::printf(
        "retries and rate limits: %zu of %zu contacts retrieved, %zu failed; %u attempts, %u retries, "
        "%u limiter waits\n",
        t->ok, ids.size(), t->failed, stats->attempts.load(), stats->retries.load(),
        stats->limiter_waits.load());
    if (t->failed) throw std::runtime_error("some retrieves failed");
}

int main(int argc, char** argv) {
    auto opts = example::options_from_env();
    if (!opts) return 2;
    std::int64_t n = argc > 1 ? std::strtoll(argv[1], nullptr, 10) : 50;
    if (n < 1 || n > 150) n = 50;

    auto stats = std::make_shared<pipeline_stats>();
    configure_pipeline(*opts, stats);
    return example::run_main("retries and rate limits", *opts, run, stats, n);
}
