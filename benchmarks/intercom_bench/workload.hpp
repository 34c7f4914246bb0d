// intercom-bench: one executable, one workload per file. Each workload file registers
// itself with INTERCOM_BENCH_WORKLOAD; main.cpp parses `intercom-bench <workload> [--key=value ...]`
// and dispatches. Keeping workloads in separate files lets them grow independently.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace intercom::bench {

// Command-line arguments after the workload name, as `--key=value` or `--flag` (value "1").
class args {
public:
    args() = default;
    explicit args(std::map<std::string, std::string> values) : values_(std::move(values)) {}

    bool has(std::string_view key) const { return values_.count(std::string(key)) != 0; }
    std::string get(std::string_view key, std::string_view fallback) const;
    std::int64_t get_int(std::string_view key, std::int64_t fallback) const;
    double get_double(std::string_view key, double fallback) const;
    // Keys no workload asked for: main.cpp reports them so a typo never runs silently.
    std::vector<std::string> unused() const;

private:
    std::map<std::string, std::string> values_;
    mutable std::map<std::string, bool> used_;
};

struct workload {
    std::string_view name;
    std::string_view help;  // one line, listed by `intercom-bench --help`
    int (*run)(const args&);
};

// Registry filled by static registrars before main() runs.
std::vector<workload>& workloads();

struct registrar {
    explicit registrar(workload w) { workloads().push_back(w); }
};

}  // namespace intercom::bench

#define INTERCOM_BENCH_CONCAT2(a, b) a##b
#define INTERCOM_BENCH_CONCAT(a, b) INTERCOM_BENCH_CONCAT2(a, b)
#define INTERCOM_BENCH_WORKLOAD(name, help, fn)                                                  \
    static ::intercom::bench::registrar INTERCOM_BENCH_CONCAT(intercom_bench_registrar_, __LINE__) \
    {                                                                                            \
        ::intercom::bench::workload { name, help, fn }                                           \
    }
