// 6_custom_middleware: plug your own code into the request pipeline, without touching the library.
//
// Read-only: GET /me, one page of GET /contacts, and GET /contacts/{id} for the first few contacts.
//
// Two middlewares:
//   - `tag_middleware` (per call: runs once per call, before the retry loop) adds a header to every
//     request, e.g. to tell your own proxy or logs which service sent it;
//   - `metrics_middleware` (per attempt: runs for every try, right before the transport) counts
//     attempts by status and measures their latency, so retries show up as extra attempts.
// The event hook (retry decisions) is shown next to them; see 5_retries_and_rate_limits for more.
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
#include "example_env.hpp" // example::options_from_env() and example::run_main(): env and main() plumbing

#include <intercom.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;

// Adds a fixed header to every request. A middleware may change the request before passing it on
// and the response after; it must be safe to call concurrently.
class tag_middleware final : public intercom::pipeline::middleware {
public:
    tag_middleware(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}

    // A member coroutine (g++ 12 miscompiles capturing lambdas used as coroutines).
    asio::awaitable<intercom::result<intercom::http::response>>
    send(intercom::http::request req, intercom::pipeline::next_layer next) override {
        req.headers.set(name_, value_);
        co_return co_await next(std::move(req));
    }

private:
    std::string name_, value_;
};

// Counts attempts by HTTP status and measures their latency.
class metrics_middleware final : public intercom::pipeline::middleware {
public:
    asio::awaitable<intercom::result<intercom::http::response>>
    send(intercom::http::request req, intercom::pipeline::next_layer next) override {
        auto start = std::chrono::steady_clock::now();
        auto r = co_await next(std::move(req));
        auto took = std::chrono::steady_clock::now() - start;
        std::lock_guard lk(mtx_); // the pipeline may run attempts on several threads at once
        ++attempts_;
        total_ += took;
        max_ = std::max(max_, took);
        // A response with any status is a success at this level; only network failures are errors.
        ++by_status_[r ? r->status : 0];
        co_return r;
    }

    void print() const {
        std::lock_guard lk(mtx_);
        auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
        std::printf("  mean latency %.1f ms, max %.1f ms\n",
                    attempts_ ? ms(total_) / static_cast<double>(attempts_) : 0.0, ms(max_));
        for (auto [status, n] : by_status_)
            std::printf("  HTTP %u: %zu attempts\n", status, n); // 0: no response
    }

    std::size_t attempts() const {
        std::lock_guard lk(mtx_);
        return attempts_;
    }

private:
    mutable std::mutex mtx_;
    std::size_t attempts_ = 0;
    std::chrono::steady_clock::duration total_{}, max_{};
    std::map<unsigned, std::size_t> by_status_;
};

asio::awaitable<void> run(intercom::client client, std::shared_ptr<metrics_middleware> metrics) {
    std::size_t calls = 0;
    co_await client.admins().identify();
    ++calls;
    intercom::models::contacts_list_query q;
    q.per_page = 10;
    auto page = co_await client.contacts().list(q);
    ++calls;
    for (const auto& c : page.data.value_or(std::vector<intercom::models::contact>{})) {
        if (!c.id) continue;
        co_await client.contacts().retrieve(c.id->str());
        ++calls;
    }
    metrics->print();
    // More attempts than calls means some calls were retried (and the middleware saw every try).
    std::printf("custom middleware: %zu calls, %zu attempts\n", calls, metrics->attempts());
}

int main() {
    auto opts = example::options_from_env();
    if (!opts) return 2;

    auto metrics = std::make_shared<metrics_middleware>();
    opts->pipeline.per_call.push_back(
        std::make_shared<tag_middleware>("X-Example-Client", "6_custom_middleware"));
    opts->pipeline.per_attempt.push_back(metrics);
    opts->pipeline.on_event = [](const intercom::pipeline::event& e) {
        if (e.kind == intercom::pipeline::event_kind::retry_scheduled)
            std::printf("  retrying %.*s (attempt %u got HTTP %u) in %.0f ms\n",
                        static_cast<int>(e.target.size()), e.target.data(), e.attempt, e.http_status,
                        std::chrono::duration<double, std::milli>(e.delay).count());
    };
    return example::run_main("custom middleware", *opts, run, metrics);
}
