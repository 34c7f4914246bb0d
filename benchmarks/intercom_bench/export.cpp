// intercom-bench export: a partitioned contacts export against the fake server with a simulated
// round-trip time and Intercom's rate limits; compares the wall time with the rate-limit bound
// (requests / allowed rate) and checks that every seeded contact arrived exactly once.
//
// The fake server runs in a child process (forked before any thread exists), so the client's peak
// RSS is measured alone; the child reports its own counters (requests, 429s) and RSS over a pipe.
//
//   intercom-bench export --contacts=200000 --rtt-ms=100 --partitions=auto,1,8,32 [--bulk-share=0.3]
//                         [--span-days=1095] [--pool=32] [--max-in-flight=32] [--per-page=150]
#include "intercom_bench/common.hpp"
#include "intercom_bench/scale_common.hpp"
#include "intercom_bench/workload.hpp"

#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/pagination/partitioned_export.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace intercom::bench {
namespace {

namespace asio = boost::asio;

// What the export delivered, kept flat in the number of contacts: the fake's contact ids end in a
// 16-hex-digit counter (1-based), so one byte per seeded contact records how often each arrived.
struct drained {
    std::vector<std::uint8_t> seen;
    std::size_t items = 0, foreign = 0;
    std::string error;
};

std::size_t counter_of(std::string_view id) {
    if (id.size() < 16) return 0;
    return static_cast<std::size_t>(
        std::strtoull(std::string(id.substr(id.size() - 16)).c_str(), nullptr, 16));
}

asio::awaitable<void> drain(pagination::partitioned_export* e, drained* out, bool progress) {
    auto last = std::chrono::steady_clock::now();
    for (;;) {
        auto r = co_await e->next();
        if (!r) {
            out->error = r.error().code.message() + ": " + r.error().diag.message;
            co_return;
        }
        if (!*r) co_return;
        ++out->items;
        const auto* obj = (*r)->if_object();
        const auto* id = obj ? obj->if_contains("id") : nullptr;
        std::size_t c = id && id->is_string() ? counter_of(id->get_string()) : 0;
        if (c == 0 || c >= out->seen.size())
            ++out->foreign;
        else if (out->seen[c] < 255)
            ++out->seen[c];
        if (progress && std::chrono::steady_clock::now() - last > std::chrono::seconds(2)) {
            last = std::chrono::steady_clock::now();
            std::size_t done = 0;
            for (const auto& p : e->progress())
                done += p.done;
            std::printf("  progress: %zu items, %zu of %zu partitions done\n", out->items, done,
                        e->partitions());
            std::fflush(stdout);
        }
    }
}

// --- the server process ---------------------------------------------------------------------------

struct server_counters {
    std::uint64_t requests = 0, throttled = 0, peak_in_flight = 0;
    double rss_mb = 0;
};

bool read_all(int fd, void* p, std::size_t n) {
    auto* b = static_cast<char*>(p);
    while (n > 0) {
        auto r = ::read(fd, b, n);
        if (r <= 0) return false;
        b += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}
bool write_all(int fd, const void* p, std::size_t n) {
    const auto* b = static_cast<const char*>(p);
    while (n > 0) {
        auto r = ::write(fd, b, n);
        if (r <= 0) return false;
        b += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

[[noreturn]] void serve_child(testing::fake_server_options so, int threads, int cmd_fd, int reply_fd) {
    {
        scale::server_runner srv(std::move(so), threads);
        std::uint16_t port = srv.server().port();
        double rss = current_rss_mb();
        write_all(reply_fd, &port, sizeof port);
        write_all(reply_fd, &rss, sizeof rss);
        char cmd = 0;
        while (read_all(cmd_fd, &cmd, 1) && cmd != 'x') {
            if (cmd == 'c') {
                srv.server().clear_record();
                write_all(reply_fd, &cmd, 1);
            } else if (cmd == 's') {
                server_counters c{srv.server().request_count(), srv.server().throttled_count(),
                                  srv.server().max_in_flight(), current_rss_mb()};
                write_all(reply_fd, &c, sizeof c);
            }
        }
    }
    std::_Exit(0);
}

struct server_process {
    pid_t pid = -1;
    int cmd = -1, reply = -1;
    std::uint16_t port = 0;
    double seeded_rss_mb = 0;

    server_counters counters() {
        char c = 's';
        server_counters out;
        write_all(cmd, &c, 1);
        read_all(reply, &out, sizeof out);
        return out;
    }
    void clear() {
        char c = 'c';
        write_all(cmd, &c, 1);
        read_all(reply, &c, 1);
    }
    ~server_process() {
        if (pid > 0) {
            char c = 'x';
            write_all(cmd, &c, 1);
            ::close(cmd);
            ::close(reply);
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
    }
};

int run_export(const args& a) {
    const auto contacts = static_cast<std::size_t>(a.get_int("contacts", 20000));
    std::vector<long> ks;
    {
        std::string list = a.get("partitions", "auto,1,8,32");
        std::size_t from = 0;
        while (from <= list.size()) {
            auto comma = list.find(',', from);
            auto part = list.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
            if (!part.empty()) ks.push_back(part == "auto" ? 0 : std::stol(part));
            if (comma == std::string::npos) break;
            from = comma + 1;
        }
    }
    const auto per_page = static_cast<unsigned>(a.get_int("per-page", 150));
    const auto pool = static_cast<std::size_t>(a.get_int("pool", 32));
    const auto max_in_flight =
        static_cast<std::size_t>(a.get_int("max-in-flight", static_cast<std::int64_t>(pool)));
    const int server_threads = static_cast<int>(a.get_int("server-threads", 1));
    const double span_days = a.get_double("span-days", 1095);
    const double bulk_share = a.get_double("bulk-share", 0.0);
    const bool progress = a.get_int("progress", 0) != 0;

    testing::fake_server_options so;
    so.seed.contacts = contacts;
    so.seed.contact_span = std::chrono::seconds(static_cast<std::int64_t>(span_days * 86400));
    so.seed.bulk_import_share = bulk_share;
    so.record_requests = false;
    so.rate_limit = scale::rate_limit_from(a);
    so.latency = scale::latency_from(a, 100);
    const double rtt_ms = std::chrono::duration<double, std::milli>(so.latency.fixed).count();
    const double allowed_per_s =
        so.rate_limit.enabled ? so.rate_limit.requests_per_window /
                                    std::chrono::duration<double>(so.rate_limit.window).count()
                              : 0.0;
    for (const auto& u : a.unused()) {
        std::fprintf(stderr, "export: unknown option --%s\n", u.c_str());
        return 2;
    }
    std::printf("export: %zu contacts over %.0f days (bulk-import day %.0f %%), RTT %.0f ms (+0..%lld ms "
                "jitter), limit %u per %lld ms window (%.1f req/s), pool %zu, limiter max in flight %zu, "
                "per_page %u\n",
                contacts, span_days, bulk_share * 100, rtt_ms,
                static_cast<long long>(so.latency.jitter.count() / 1000), so.rate_limit.requests_per_window,
                static_cast<long long>(so.rate_limit.window.count()), allowed_per_s, pool, max_in_flight,
                per_page);
    std::fflush(stdout);

    // The server in its own process (no thread exists yet in this one).
    server_process sp;
    {
        int to_child[2], from_child[2];
        if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) return fail("export: pipe failed");
        const double rss_before = current_rss_mb();
        pid_t pid = ::fork();
        if (pid < 0) return fail("export: fork failed");
        if (pid == 0) {
            ::close(to_child[1]);
            ::close(from_child[0]);
            serve_child(so, server_threads, to_child[0], from_child[1]);
        }
        ::close(to_child[0]);
        ::close(from_child[1]);
        sp.pid = pid;
        sp.cmd = to_child[1];
        sp.reply = from_child[0];
        if (!read_all(sp.reply, &sp.port, sizeof sp.port) ||
            !read_all(sp.reply, &sp.seeded_rss_mb, sizeof(double)))
            return fail("export: the server process did not start");
        std::printf("server process: %.1f MiB RSS after seeding %zu contacts (%.2f KiB per contact over the "
                    "%.1f MiB before)\n",
                    sp.seeded_rss_mb, contacts,
                    contacts ? (sp.seeded_rss_mb - rss_before) * 1024 / contacts : 0.0, rss_before);
        std::fflush(stdout);
    }
    const std::string base_url = "http://127.0.0.1:" + std::to_string(sp.port);

    int failures = 0;
    for (long k : ks) {
        scale::sleep_to_window_start(so.rate_limit.window); // every run starts with a whole window
        reset_peak_rss();
        asio::io_context ioc;
        http::transport_options to;
        to.pool.max_connections = pool;
        auto transport = std::make_shared<http::https_transport>(ioc.get_executor(), to);
        client_options co;
        co.token = "export-bench";
        co.base_url = base_url;
        co.pipeline.limiter_options.max_in_flight = max_in_flight;
        client c(transport, co);

        pagination::partition_options po;
        po.partitions = static_cast<unsigned>(k);
        po.per_page = per_page;
        if (allowed_per_s > 0) po.auto_k.rate_per_second = allowed_per_s;
        auto e = pagination::partitioned_export::create(c, po);
        if (!e) {
            std::fprintf(stderr, "export: %s\n", e.error().diag.message.c_str());
            return 2;
        }
        sp.clear(); // resets the counters below and the peak in flight
        const auto before = sp.counters();
        drained out;
        out.seen.assign(contacts + 1, 0);
        const double cpu0 = process_cpu_seconds();
        auto t0 = std::chrono::steady_clock::now();
        auto fut = asio::co_spawn(ioc, drain(&*e, &out, progress), asio::use_future);
        ioc.run();
        auto t1 = std::chrono::steady_clock::now();
        fut.get();
        const double secs = scale::seconds_between(t0, t1);
        const auto st = e->stats();
        const auto after = sp.counters();
        const auto server_requests = after.requests - before.requests;
        const auto throttled = after.throttled - before.throttled;
        const double client_peak = peak_rss_mb();
        const double client_cpu = process_cpu_seconds() - cpu0;

        std::size_t missing = 0, repeated = 0;
        for (std::size_t i = 1; i <= contacts; ++i) {
            if (out.seen[i] == 0)
                ++missing;
            else if (out.seen[i] > 1)
                ++repeated;
        }
        const bool exactly_once = out.error.empty() && missing == 0 && repeated == 0 && out.foreign == 0 &&
                                  out.items == contacts && server_requests == st.fetches;
        if (!exactly_once) ++failures;

        // The rate-limit bound: requests (probes included) / allowed rate.
        const double bound = allowed_per_s > 0 ? static_cast<double>(server_requests) / allowed_per_s : 0.0;
        const std::size_t parts = e->partitions();
        std::size_t smallest = contacts, largest = 0;
        for (const auto& p : e->progress()) {
            smallest = std::min(smallest, p.delivered);
            largest = std::max(largest, p.delivered);
        }
        std::printf(
            "K=%s: %zu partitions (items per partition %zu..%zu), %.3f s, %zu items, %llu requests "
            "(%zu probes in %zu rounds, %zu pages), %llu 429s at the server, rate-limit bound %.3f s "
            "(ratio %.2f), dup dropped %zu, missing %zu, repeated %zu, server peak in flight %llu, "
            "client peak RSS %.1f MiB, client CPU %.2f s, server RSS %.1f MiB, probe RTT %.0f ms%s%s\n",
            k == 0 ? "auto" : std::to_string(k).c_str(), parts, parts ? smallest : 0, largest, secs,
            out.items, static_cast<unsigned long long>(server_requests), st.probes, st.probe_rounds,
            st.fetches - st.probes, static_cast<unsigned long long>(throttled), bound,
            bound > 0 ? secs / bound : 0.0, st.dropped_duplicates, missing, repeated,
            static_cast<unsigned long long>(after.peak_in_flight), client_peak, client_cpu, after.rss_mb,
            std::chrono::duration<double, std::milli>(st.probe_rtt).count(),
            out.error.empty() ? "" : ", error: ", out.error.c_str());
        std::printf(
            "RESULT tool=intercom-cpp op=export contacts=%zu span_days=%.0f bulk_share=%.2f partitions=%s "
            "effective_partitions=%zu rtt_ms=%.0f seconds=%.3f items=%zu requests=%llu probes=%zu "
            "throttled=%llu bound_s=%.3f ratio_to_bound=%.2f exactly_once=%d client_peak_rss_mb=%.1f "
            "client_cpu_s=%.2f server_rss_mb=%.1f\n",
            contacts, span_days, bulk_share, k == 0 ? "auto" : std::to_string(k).c_str(), parts, rtt_ms, secs,
            out.items, static_cast<unsigned long long>(server_requests), st.probes,
            static_cast<unsigned long long>(throttled), bound, bound > 0 ? secs / bound : 0.0,
            exactly_once ? 1 : 0, client_peak, client_cpu, after.rss_mb);
        std::fflush(stdout);
        transport->close();
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(20));
    }
    return failures == 0 ? 0 : 1;
}

} // namespace

INTERCOM_BENCH_WORKLOAD("export",
                        "partitioned contacts export: --contacts=N --rtt-ms=MS --partitions=auto,1,8,32 "
                        "[--span-days=D --bulk-share=F] [--preset=intercom|--budget=N --window-ms=MS] "
                        "[--pool=N --max-in-flight=N] [--progress=1]",
                        run_export);

} // namespace intercom::bench
