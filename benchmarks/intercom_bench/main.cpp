// Placeholder dispatcher; the bench branch replaces it with the full harness.
#include "intercom_bench/workload.hpp"

#include <cstdio>
#include <cstdlib>

namespace intercom::bench {

std::vector<workload>& workloads() {
    static std::vector<workload> all;
    return all;
}

std::string args::get(std::string_view key, std::string_view fallback) const {
    auto it = values_.find(std::string(key));
    used_[std::string(key)] = true;
    return it == values_.end() ? std::string(fallback) : it->second;
}

std::int64_t args::get_int(std::string_view key, std::int64_t fallback) const {
    auto s = get(key, "");
    return s.empty() ? fallback : std::strtoll(s.c_str(), nullptr, 10);
}

double args::get_double(std::string_view key, double fallback) const {
    auto s = get(key, "");
    return s.empty() ? fallback : std::strtod(s.c_str(), nullptr);
}

std::vector<std::string> args::unused() const {
    std::vector<std::string> out;
    for (auto const& [k, v] : values_)
        if (!used_.count(k)) out.push_back(k);
    return out;
}

}  // namespace intercom::bench

int main(int argc, char** argv) {
    using namespace intercom::bench;
    if (argc < 2) {
        std::puts("usage: intercom-bench <workload> [--key=value ...]");
        for (auto const& w : workloads()) std::printf("  %-16s %s\n", std::string(w.name).c_str(), std::string(w.help).c_str());
        return 2;
    }
    std::map<std::string, std::string> kv;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) != 0) { std::fprintf(stderr, "unexpected argument: %s\n", argv[i]); return 2; }
        auto eq = a.find('=');
        if (eq == std::string::npos) kv[a.substr(2)] = "1";
        else kv[a.substr(2, eq - 2)] = a.substr(eq + 1);
    }
    for (auto const& w : workloads())
        if (w.name == argv[1]) return w.run(args(kv));
    std::fprintf(stderr, "unknown workload: %s\n", argv[1]);
    return 2;
}
