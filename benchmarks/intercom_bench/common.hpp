// Shared pieces of the intercom-bench workloads: the target (the bundled fake server started
// in-process on its own threads, or any base URL), the client runtime (an io_context run by N
// threads), a client built for a given concurrency, and the output (a table plus one RESULT line).
//
// Common flags (every workload that talks to a server):
//   --base-url=URL     talk to this server instead of starting the bundled fake server
//   --ca-file=PATH     extra CA (PEM) to trust, e.g. the one `intercom-bench serve` wrote
//   --token=T          access token (default: $INTERCOM_TOKEN, else "bench-token")
//   --scheme=https|http  bundled server only (default https, CA from make_tls_identity)
//   --server-threads=N threads of the bundled server's io_context (default 1)
//   --threads=N        threads running the client's io_context (default 1)
//   --contacts=N       contacts seeded into the bundled server (workload-specific default)
// Hot-path flags (retrieve, paginate, search-paginate; see parse_hot_path_flags):
//   --no-limiter       client_options::pipeline.rate_limiting = false
//   --threading=any|one  client_options::transport.threading (default: the library's, any_thread)
#pragma once

#include <functional>

#include "intercom_bench/workload.hpp"

#include <intercom/client.hpp>
#include <intercom/metrics/latency_histogram.hpp>
#include <intercom/pipeline/events.hpp>
#include <intercom/testing/fake_server.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace intercom::bench {

/// Where the requests go and with what credentials.
struct target_options {
    std::string base_url;           ///< empty: start the bundled fake server
    std::string ca_file;
    std::string token;
    bool tls = true;                ///< bundled server: https (default) or http
    unsigned server_threads = 1;
    testing::fake_server_options server;  ///< bundled server settings (seed, rate limit, ...)
};

/// Reads the common flags; `default_contacts` seeds the bundled server.
target_options parse_target(const args& a, std::size_t default_contacts);

/// The bundled fake server on its own io_context and threads, as a remote server would be.
class bundled_server {
public:
    bundled_server(testing::fake_server_options opts, unsigned threads);
    ~bundled_server();
    bundled_server(const bundled_server&) = delete;
    bundled_server& operator=(const bundled_server&) = delete;

    testing::fake_server& server() noexcept { return *server_; }

private:
    boost::asio::io_context ioc_;
    std::optional<testing::fake_server> server_;
    std::vector<std::thread> threads_;
};

/// A started target: the bundled server (if any) plus what a client needs to reach it.
class target {
public:
    explicit target(target_options o);

    const std::string& base_url() const noexcept { return base_url_; }
    const std::string& ca_pem() const noexcept { return ca_pem_; }  ///< empty: system trust only
    const std::string& token() const noexcept { return opts_.token; }
    std::string scheme() const { return base_url_.rfind("https:", 0) == 0 ? "https" : "http"; }
    /// Null when talking to an external server.
    testing::fake_server* bundled() noexcept { return bundled_ ? &bundled_->server() : nullptr; }

private:
    target_options opts_;
    std::unique_ptr<bundled_server> bundled_;
    std::string base_url_;
    std::string ca_pem_;
};

/// Counters the pipeline reports through `pipeline_options::on_event` (thread-safe).
struct pipeline_counters {
    std::atomic<std::uint64_t> attempts{0}, retries{0}, status_429{0}, limiter_waits{0}, failures{0};
};

/// Client settings that matter for throughput. Connections and in-flight cap follow `concurrency`
/// so the benchmark measures the library, not a pool sized for Intercom's production budget.
struct client_tuning {
    std::size_t concurrency = 1;
    bool rate_limiting = true;
    std::shared_ptr<pipeline_counters> counters;  ///< optional
    std::function<void(client_options&)> adjust;  ///< optional: last change to the options (e.g. metrics)
    std::optional<http::io_threading> threading;  ///< unset: the library's default
};


/// A client for `t` sending from `ex`.
client make_client(boost::asio::any_io_executor ex, const target& t, const client_tuning& tune);

/// An io_context run by `threads` threads for the duration of one awaitable.
class runtime {
public:
    explicit runtime(unsigned threads) : ioc_(static_cast<int>(threads)), threads_(threads ? threads : 1) {}

    boost::asio::any_io_executor executor() { return ioc_.get_executor(); }
    unsigned threads() const noexcept { return threads_; }

    /// Runs `aw` to completion on this runtime's threads; rethrows its exception.
    template <class T>
    T run(boost::asio::awaitable<T> aw) {
        auto fut = boost::asio::co_spawn(ioc_, std::move(aw), boost::asio::use_future);
        drive();
        return fut.get();
    }

    /// Starts `aw` now; `wait_all()` runs the threads until every started task has finished.
    void spawn(boost::asio::awaitable<void> aw) {
        pending_.push_back(boost::asio::co_spawn(ioc_, std::move(aw), boost::asio::use_future));
    }
    /// Runs the io_context until all spawned tasks are done; rethrows the first exception.
    void wait_all();

private:
    void drive();  // runs ioc_ on threads_ threads until it is out of work
    std::vector<std::future<void>> pending_;
    boost::asio::io_context ioc_;
    unsigned threads_;
};

// --- output --------------------------------------------------------------------------------------

double to_ms(std::chrono::nanoseconds d);

/// A two-column human table, printed to stdout.
class table {
public:
    explicit table(std::string title) : title_(std::move(title)) {}
    table& row(std::string key, std::string value);
    table& row(std::string key, double value, int decimals = 2);
    table& row(std::string key, std::uint64_t value);
    void print() const;

private:
    std::string title_;
    std::vector<std::pair<std::string, std::string>> rows_;
};

/// One machine-readable line: `RESULT tool=<tool> op=<op> key=value ...` (values are printed as
/// given; doubles with a fixed number of decimals).
class result_line {
public:
    result_line(std::string tool, std::string op);
    result_line& add(std::string key, std::string value);
    result_line& add(std::string key, double value, int decimals = 3);
    result_line& add(std::string key, std::uint64_t value);
    void print() const;

private:
    std::string text_;
};

/// What a run of N calls measured; `retrieve` and its bare-Beast baseline report it the same way.
struct call_figures {
    std::uint64_t calls = 0;
    std::uint64_t errors = 0;
    std::uint64_t concurrency = 0;
    std::uint64_t threads = 0;
    double seconds = 0;
    double cpu_us_per_call = 0;
    std::string allocs_per_call;  ///< `allocs_per(...)`: a number or "na"
    const metrics::latency_histogram* latency = nullptr;
};

/// The rows from "errors" to "peak RSS" (CPU and allocation labels say whether the bundled server
/// is included).
table& add_call_rows(table& t, bool bundled_server, const call_figures& f);
/// `scheme c threads rps p50_ms p99_ms requests errors *_cpu_us_per_req allocs_per_req`.
result_line& add_call_keys(result_line& line, const std::string& scheme, bool bundled_server, const call_figures& f);

/// Reads `--no-limiter` (rate_limiting = false) and `--threading=any|one` into `tune`. Refuses
/// `--threading=one` with more than one client thread (the transport requires a single thread).
void parse_hot_path_flags(const args& a, unsigned client_threads, client_tuning& tune);

/// `limiter=on|off threading=any|one` as the client is actually configured (the library's default
/// threading when --threading was not given).
result_line& add_hot_path_keys(result_line& line, const client_tuning& tune);
std::string threading_name(const client_tuning& tune);

// --- memory --------------------------------------------------------------------------------------

/// Resident set size now, in MiB (VmRSS), or -1 when /proc is unavailable.
double current_rss_mb();
/// Peak resident set size since start or the last `reset_peak_rss()` (VmHWM), in MiB; -1 if unknown.
double peak_rss_mb();
/// Restarts the peak (writes 5 to /proc/self/clear_refs); false if the kernel refused.
bool reset_peak_rss();

/// Throws `std::invalid_argument` naming every flag not read so far. Workloads call it after
/// reading their flags and before doing any work, so a typo never runs a long benchmark.
void reject_unknown_flags(const args& a);

/// CPU time (user + system) used by the whole process so far, in seconds. With --base-url this
/// is the client's alone; with the bundled server it includes the server's threads.
double process_cpu_seconds();

/// Fails the run with a message on stderr (returns exit code 1 for `return fail(...)`).
int fail(const std::string& what);

}  // namespace intercom::bench
