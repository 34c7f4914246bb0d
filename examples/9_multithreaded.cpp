// 9_multithreaded: one client shared by many coroutines on an io_context run by several threads.
//
// Read-only: GET /contacts (up to 200 ids), then GET /contacts/{id} for each, spread over workers.
//
//   INTERCOM_TOKEN=... ./9_multithreaded [threads, default 4] [workers, default 8]
//
// Rules for multi-threaded use:
//   - `intercom::client` is thread-safe: copy it freely and call it from any thread at the same time;
//     all copies share one connection pool, one rate limiter and one budget.
//   - A pager is not: use each pager from one coroutine, and run that coroutine on a strand (its
//     prefetch runs alongside it on the same executor).
//   - Your own shared state needs the usual protection (atomics, mutexes, or a strand).
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
#include "example_env.hpp" // example::options_from_env(): the target from the environment

#include <intercom.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace pg = intercom::pagination;

// Shared by all workers: the ids to fetch (read-only once the workers start) and the counters.
struct work_state {
    std::vector<std::string> ids;
    std::atomic<std::size_t> next{0}; // index of the next id to take
    std::atomic<std::size_t> ok{0}, failed{0};
    std::mutex mtx;
    std::set<std::thread::id> threads; // which threads ran worker code (guarded by mtx)
};

// Lists up to `max` contact ids. Runs on a strand because the pager prefetches concurrently.
asio::awaitable<std::vector<std::string>> list_ids(intercom::client client, std::size_t max) {
    intercom::models::contacts_list_query q;
    q.per_page = 150;
    pg::pager_options po;
    po.limits.max_items = max;
    pg::pager<intercom::models::contact> pager = client.contacts().list_all(q, po);
    std::vector<std::string> ids;
    for (;;) {
        auto item = co_await pager.next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        if ((*item)->id) ids.push_back((*item)->id->str());
    }
    co_return ids;
}

// A worker takes ids until none are left. Many workers run at once, on whichever threads are free;
// they all call the same client.
asio::awaitable<void> worker(intercom::client client, std::shared_ptr<work_state> st) {
    for (;;) {
        std::size_t i = st->next.fetch_add(1);
        if (i >= st->ids.size()) co_return;
        auto r = co_await client.contacts().try_retrieve(st->ids[i]);
        {
            std::lock_guard lk(st->mtx);
            st->threads.insert(std::this_thread::get_id());
        }
        if (r && r->id && r->id->str() == st->ids[i])
            ++st->ok;
        else {
            ++st->failed;
            if (!r) std::fprintf(stderr, "contact %s: %s\n", st->ids[i].c_str(), r.error().what().c_str());
        }
    }
}

int main(int argc, char** argv) {
    auto opts = example::options_from_env();
    if (!opts) return 2;
    int threads = argc > 1 ? std::atoi(argv[1]) : 4;
    int workers = argc > 2 ? std::atoi(argv[2]) : 8;
    if (threads < 1) threads = 4;
    if (workers < 1) workers = 8;

    // The concurrency hint tells Asio that several threads will call run().
    asio::io_context ioc(threads);
    intercom::client client(ioc.get_executor(), *opts);
    auto st = std::make_shared<work_state>();

    // Step 1: list the ids (one coroutine on a strand), then start the workers. Each worker gets its
    // own strand: its code never runs on two threads at once, but different workers run in parallel.
    auto ids = asio::co_spawn(asio::make_strand(ioc), list_ids(client, 200), asio::use_future);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run(); // returns when the listing is done (nothing else is queued yet)
    for (auto& t : pool)
        t.join();
    pool.clear();
    try {
        st->ids = ids.get();
    } catch (const intercom::api_error& e) {
        std::fprintf(stderr, "listing failed: %s\n", e.what());
        return 1;
    }

    // Step 2: the workers, all sharing `client`.
    ioc.restart();
    std::vector<std::future<void>> done;
    for (int w = 0; w < workers; ++w)
        done.push_back(asio::co_spawn(asio::make_strand(ioc), worker(client, st), asio::use_future));
    for (int i = 1; i < threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    for (auto& f : done)
        f.get(); // rethrows anything unexpected (e.g. std::bad_alloc)

    std::printf("multithreaded: retrieved %zu of %zu contacts with %d workers on %d threads "
                "(%zu threads ran workers), %zu failed\n",
                st->ok.load(), st->ids.size(), workers, threads, st->threads.size(), st->failed.load());
    return st->failed == 0 ? 0 : 1;
}
