#include "intercom_bench/common.hpp"

#include <intercom/http/https_transport.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <sys/resource.h>

namespace intercom::bench {

target_options parse_target(const args& a, std::size_t default_contacts) {
    target_options o;
    o.base_url = a.get("base-url", "");
    o.ca_file = a.get("ca-file", "");
    const char* env_token = std::getenv("INTERCOM_TOKEN");
    o.token = a.get("token", env_token && *env_token ? env_token : "bench-token");
    auto scheme = a.get("scheme", "https");
    if (scheme != "https" && scheme != "http") throw std::invalid_argument("--scheme must be https or http");
    o.tls = scheme == "https";
    o.server_threads = static_cast<unsigned>(std::max<std::int64_t>(1, a.get_int("server-threads", 1)));
    o.server.tls = o.tls;
    o.server.seed.contacts = static_cast<std::size_t>(a.get_int("contacts", static_cast<std::int64_t>(default_contacts)));
    // The record would grow with every request and distort memory and time.
    o.server.record_requests = false;
    // Benchmarks drive far more than Intercom's budget; throttling is asked for explicitly.
    o.server.rate_limit.requests_per_window = 100000000;
    return o;
}

bundled_server::bundled_server(testing::fake_server_options opts, unsigned threads)
    : ioc_(static_cast<int>(threads ? threads : 1)) {
    server_.emplace(ioc_.get_executor(), std::move(opts));
    server_->start();
    for (unsigned i = 0; i < (threads ? threads : 1); ++i)
        threads_.emplace_back([this] {
            auto guard = boost::asio::make_work_guard(ioc_);
            ioc_.run();
        });
}

bundled_server::~bundled_server() {
    server_->stop();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
}

namespace {
std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

target::target(target_options o) : opts_(std::move(o)) {
    if (!opts_.ca_file.empty()) ca_pem_ = read_file(opts_.ca_file);
    if (opts_.base_url.empty()) {
        bundled_ = std::make_unique<bundled_server>(opts_.server, opts_.server_threads);
        base_url_ = bundled_->server().base_url();
        ca_pem_ += bundled_->server().ca_pem();
    } else {
        base_url_ = opts_.base_url;
    }
}

client make_client(boost::asio::any_io_executor ex, const target& t, const client_tuning& tune) {
    client_options o;
    o.token = t.token();
    o.base_url = t.base_url();
    o.transport.tls.ca_pem = t.ca_pem();
    // Benchmarks run on loopback: connections and in-flight requests follow the concurrency asked
    // for (the defaults, 16 each, are sized for Intercom's production budget).
    o.transport.pool.max_connections = std::max<std::size_t>(tune.concurrency, 1);
    o.transport.pool.max_requests_per_connection = 0;
    o.pipeline.rate_limiting = tune.rate_limiting;
    o.pipeline.limiter_options.max_in_flight = std::max<std::size_t>(tune.concurrency, 1);
    if (tune.threading) o.transport.threading = *tune.threading;
    if (auto c = tune.counters) {
        o.pipeline.on_event = [c](const pipeline::event& e) {
            using pipeline::event_kind;
            switch (e.kind) {
            case event_kind::attempt_finished:
                ++c->attempts;
                if (e.http_status == 429) ++c->status_429;
                break;
            case event_kind::retry_scheduled: ++c->retries; break;
            case event_kind::limiter_wait: ++c->limiter_waits; break;
            case event_kind::gave_up: ++c->failures; break;
            case event_kind::succeeded: break;
            }
        };
    }
    if (tune.adjust) tune.adjust(o);
    return client(std::move(ex), std::move(o));
}

void parse_hot_path_flags(const args& a, unsigned client_threads, client_tuning& tune) {
    if (a.has("no-limiter") && a.get("no-limiter", "1") != "0") tune.rate_limiting = false;
    if (a.has("threading")) {
        auto v = a.get("threading", "");
        if (v == "any") tune.threading = http::io_threading::any_thread;
        else if (v == "one") tune.threading = http::io_threading::one_thread;
        else throw std::invalid_argument("--threading must be any or one, got " + v);
    }
    if (tune.threading == http::io_threading::one_thread && client_threads > 1)
        throw std::invalid_argument("--threading=one needs --threads=1 (the transport then runs attempts inline)");
}

std::string threading_name(const client_tuning& tune) {
    auto t = tune.threading.value_or(client_options{}.transport.threading);
    return t == http::io_threading::one_thread ? "one" : "any";
}

result_line& add_hot_path_keys(result_line& line, const client_tuning& tune) {
    return line.add("limiter", std::string(tune.rate_limiting ? "on" : "off")).add("threading", threading_name(tune));
}

void runtime::drive() {
    std::vector<std::thread> extra;
    for (unsigned i = 1; i < threads_; ++i) extra.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : extra) t.join();
    ioc_.restart();
}

void runtime::wait_all() {
    drive();
    auto tasks = std::move(pending_);
    pending_.clear();
    for (auto& f : tasks) f.get();
}

double to_ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

table& add_call_rows(table& t, bool bundled_server, const call_figures& f) {
    return t.row("errors", f.errors)
        .row("seconds", f.seconds, 3)
        .row("calls per second", static_cast<double>(f.calls) / f.seconds, 0)
        .row("latency p50 (ms)", to_ms(f.latency->percentile(50)), 3)
        .row("latency p99 (ms)", to_ms(f.latency->percentile(99)), 3)
        .row("latency max (ms)", to_ms(f.latency->max()), 3)
        .row(bundled_server ? "process CPU per call (us, incl. server)" : "client CPU per call (us)", f.cpu_us_per_call, 1)
        .row(bundled_server ? "allocations per call (incl. server)" : "allocations per call", f.allocs_per_call)
        .row("peak RSS (MiB)", peak_rss_mb(), 1);
}

result_line& add_call_keys(result_line& line, const std::string& scheme, bool bundled_server, const call_figures& f) {
    return line.add("scheme", scheme)
        .add("c", f.concurrency)
        .add("threads", f.threads)
        .add("rps", static_cast<double>(f.calls) / f.seconds, 0)
        .add("p50_ms", to_ms(f.latency->percentile(50)))
        .add("p99_ms", to_ms(f.latency->percentile(99)))
        .add("requests", f.calls)
        .add("errors", f.errors)
        .add(bundled_server ? "process_cpu_us_per_req" : "client_cpu_us_per_req", f.cpu_us_per_call, 1)
        .add("allocs_per_req", f.allocs_per_call);
}

namespace {
std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}
}  // namespace

table& table::row(std::string key, std::string value) {
    rows_.emplace_back(std::move(key), std::move(value));
    return *this;
}
table& table::row(std::string key, double value, int decimals) { return row(std::move(key), fixed(value, decimals)); }
table& table::row(std::string key, std::uint64_t value) { return row(std::move(key), std::to_string(value)); }

void table::print() const {
    std::size_t kw = title_.size(), vw = 8;
    for (auto const& [k, v] : rows_) kw = std::max(kw, k.size()), vw = std::max(vw, v.size());
    std::printf("\n  %s\n  %s\n", title_.c_str(), std::string(kw + vw + 2, '-').c_str());
    for (auto const& [k, v] : rows_)
        std::printf("  %-*s  %*s\n", static_cast<int>(kw), k.c_str(), static_cast<int>(vw), v.c_str());
    std::fflush(stdout);
}

result_line::result_line(std::string tool, std::string op) : text_("RESULT tool=" + tool + " op=" + op) {}
result_line& result_line::add(std::string key, std::string value) {
    text_ += " " + key + "=" + value;
    return *this;
}
result_line& result_line::add(std::string key, double value, int decimals) {
    return add(std::move(key), fixed(value, decimals));
}
result_line& result_line::add(std::string key, std::uint64_t value) {
    return add(std::move(key), std::to_string(value));
}
void result_line::print() const {
    std::printf("%s\n", text_.c_str());
    std::fflush(stdout);
}

namespace {
double status_kb(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    std::string prefix = std::string(field) + ":";
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0) return std::strtod(line.c_str() + prefix.size(), nullptr);
    return -1;
}
}  // namespace

double current_rss_mb() {
    double kb = status_kb("VmRSS");
    return kb < 0 ? kb : kb / 1024.0;
}
double peak_rss_mb() {
    double kb = status_kb("VmHWM");
    return kb < 0 ? kb : kb / 1024.0;
}
bool reset_peak_rss() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

double process_cpu_seconds() {
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) != 0) return -1;
    auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

void reject_unknown_flags(const args& a) {
    auto unused = a.unused();
    if (unused.empty()) return;
    std::string msg = "unknown flag";
    for (auto const& k : unused) msg += " --" + k;
    throw std::invalid_argument(msg);
}

int fail(const std::string& what) {
    std::fprintf(stderr, "intercom-bench: %s\n", what.c_str());
    return 1;
}

}  // namespace intercom::bench
