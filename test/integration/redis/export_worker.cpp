// A second process for the shared-budget export test: one partitioned contacts export through a
// client whose rate limiter keeps its window in Redis. Prints one line:
//   EXPORT items=<n> unique=<n> fetches=<n> seconds=<s> error=<message or empty>
// Usage: export_worker <base_url> <redis_url> <budget name> <budget per window> <window ms> <partitions>
#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/pagination/partitioned_export.hpp>
#include <intercom/redis/budget_store.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>

using namespace intercom;
namespace asio = boost::asio;

namespace {

struct outcome {
    std::size_t items = 0;
    std::unordered_set<std::string> ids;
    std::string error;
};

asio::awaitable<void> drain(pagination::partitioned_export* e, outcome* out) {
    for (;;) {
        auto r = co_await e->next();
        if (!r) {
            out->error = r.error().code.message() + " " + r.error().diag.message;
            co_return;
        }
        if (!*r) co_return;
        ++out->items;
        out->ids.insert(std::string((*r)->at("id").as_string()));
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: export_worker base_url redis_url name budget window_ms partitions\n");
        return 2;
    }
    const std::string base_url = argv[1], redis_url = argv[2], name = argv[3];
    const std::int64_t budget = std::atoll(argv[4]);
    const std::chrono::milliseconds window(std::atoll(argv[5]));
    const auto partitions = static_cast<unsigned>(std::atoi(argv[6]));

    asio::io_context ioc;
    auto transport = std::make_shared<http::https_transport>(ioc.get_executor());
    redis::budget_store_options so;
    so.url = redis_url;
    so.name = name;
    so.key_prefix = "export-test:";
    so.window = window;
    so.initial_limit = budget; // the operator knows the app's budget: no blind first window
    so.fallback_share = 0.5;
    auto store = std::make_shared<redis::budget_store>(ioc.get_executor(), so);
    pipeline::rate_limiter_options ro;
    ro.max_in_flight = 8;
    ro.store = store;
    client_options co;
    co.token = "shared-export-token";
    co.base_url = base_url;
    co.timeout = std::chrono::seconds(60);
    co.attempt_timeout = std::chrono::seconds(10);
    co.pipeline.rate_limiter = std::make_shared<pipeline::rate_limiter>(ro);
    client c(transport, co);

    pagination::partition_options po;
    po.partitions = partitions;
    po.per_page = 50;
    auto e = pagination::partitioned_export::create(c, po);
    if (!e) {
        std::fprintf(stderr, "export_worker: %s\n", e.error().diag.message.c_str());
        return 2;
    }
    outcome out;
    auto t0 = std::chrono::steady_clock::now();
    auto fut = asio::co_spawn(ioc, drain(&*e, &out), asio::use_future);
    while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(90))
        ioc.run_one_for(std::chrono::milliseconds(20));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) out.error = "timed out";
    std::printf("EXPORT items=%zu unique=%zu fetches=%zu seconds=%.3f store=%s error=%s\n", out.items,
                out.ids.size(), e->stats().fetches, secs, to_string(store->mode()), out.error.c_str());
    std::fflush(stdout);
    transport->close();
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(100));
    return out.error.empty() ? 0 : 1;
}
