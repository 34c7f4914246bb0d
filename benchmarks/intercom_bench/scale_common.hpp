// Helpers shared by the real-world-scale workloads (export, tenants): an in-process fake server on
// its own io threads, wall-clock helpers and the option parsing they have in common.
#pragma once

#include "intercom_bench/workload.hpp"

#include <intercom/testing/fake_server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace intercom::bench::scale {

/// The fake server on its own io_context and threads, so its work does not run on the client's
/// event loop (both still share the machine's cores).
class server_runner {
public:
    server_runner(testing::fake_server_options o, int threads)
        : guard_(ioc_.get_executor()), server_(ioc_.get_executor(), std::move(o)) {
        server_.start();
        for (int i = 0; i < std::max(1, threads); ++i)
            threads_.emplace_back([this] { ioc_.run(); });
    }
    ~server_runner() {
        server_.stop();
        guard_.reset();
        ioc_.stop();
        for (auto& t : threads_)
            t.join();
    }
    testing::fake_server& server() { return server_; }

private:
    boost::asio::io_context ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    testing::fake_server server_;
    std::vector<std::thread> threads_;
};

/// Rate-limit settings from `--preset=intercom` (default), or `--budget=N --window-ms=W`, or
/// `--no-rate-limit`.
inline testing::rate_limit_options rate_limit_from(const args& a) {
    testing::rate_limit_options rl;
    auto preset = a.get("preset", "intercom");
    if (preset == "intercom") rl = testing::rate_limit_options::intercom();
    if (a.has("budget")) rl.requests_per_window = static_cast<unsigned>(a.get_int("budget", 1666));
    if (a.has("window-ms")) rl.window = std::chrono::milliseconds(a.get_int("window-ms", 10000));
    if (a.has("no-rate-limit")) rl.enabled = a.get_int("no-rate-limit", 1) == 0;
    return rl;
}

inline testing::latency_options latency_from(const args& a, std::int64_t default_rtt_ms) {
    testing::latency_options l;
    l.fixed = std::chrono::milliseconds(a.get_int("rtt-ms", default_rtt_ms));
    l.jitter = std::chrono::milliseconds(a.get_int("jitter-ms", 0));
    return l;
}

/// Sleeps until just after the start of the server's next clock-aligned rate-limit window, so a
/// run's first window is a whole one.
inline void sleep_to_window_start(std::chrono::milliseconds window) {
    auto now = std::chrono::system_clock::now();
    auto into = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % window;
    std::this_thread::sleep_until(now - into + window + std::chrono::milliseconds(20));
}

inline double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

/// Splits "1,4,8" into numbers.
inline std::vector<long> int_list(const std::string& s) {
    std::vector<long> out;
    std::size_t from = 0;
    while (from <= s.size()) {
        auto comma = s.find(',', from);
        auto part = s.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        if (!part.empty()) out.push_back(std::stol(part));
        if (comma == std::string::npos) break;
        from = comma + 1;
    }
    return out;
}

} // namespace intercom::bench::scale
