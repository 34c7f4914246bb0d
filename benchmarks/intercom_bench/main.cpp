// intercom-bench: `intercom-bench <workload> [--key=value ...]`. Parses the arguments, runs the
// workload, and refuses flags that no workload read (a typo must never run a silent default).
#include "intercom_bench/common.hpp"
#include "intercom_bench/workload.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

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
    if (s.empty()) return fallback;
    char* end = nullptr;
    auto v = std::strtoll(s.c_str(), &end, 10);
    if (!end || *end != '\0') throw std::invalid_argument("--" + std::string(key) + " needs an integer, got " + s);
    return v;
}

double args::get_double(std::string_view key, double fallback) const {
    auto s = get(key, "");
    if (s.empty()) return fallback;
    char* end = nullptr;
    auto v = std::strtod(s.c_str(), &end);
    if (!end || *end != '\0') throw std::invalid_argument("--" + std::string(key) + " needs a number, got " + s);
    return v;
}

std::vector<std::string> args::unused() const {
    std::vector<std::string> out;
    for (auto const& [k, v] : values_)
        if (!used_.count(k)) out.push_back(k);
    return out;
}

}  // namespace intercom::bench

namespace {

int usage(FILE* to) {
    using namespace intercom::bench;
    auto all = workloads();
    std::sort(all.begin(), all.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    std::fprintf(to, "usage: intercom-bench <workload> [--key=value ...]\n\nworkloads:\n");
    for (auto const& w : all)
        std::fprintf(to, "  %-18s %.*s\n", std::string(w.name).c_str(), static_cast<int>(w.help.size()), w.help.data());
    std::fprintf(to,
                 "\ncommon flags: --base-url=URL --ca-file=PEM --token=T (default $INTERCOM_TOKEN or bench-token)\n"
                 "              --scheme=https|http --server-threads=N --threads=N --contacts=N\n"
                 "Each run prints a table and one line starting with RESULT.\n");
    return to == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace intercom::bench;
    if (argc < 2) return usage(stderr);
    std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") return usage(stdout);
    std::map<std::string, std::string> kv;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) != 0) {
            std::fprintf(stderr, "unexpected argument: %s (flags are --key=value)\n", argv[i]);
            return 2;
        }
        auto eq = a.find('=');
        if (eq == std::string::npos) kv[a.substr(2)] = "1";
        else kv[a.substr(2, eq - 2)] = a.substr(eq + 1);
    }
    for (auto const& w : workloads()) {
        if (w.name != name) continue;
        args a(kv);
        try {
            int rc = w.run(a);
            auto unused = a.unused();
            if (!unused.empty()) {
                for (auto const& k : unused) std::fprintf(stderr, "intercom-bench: unknown flag --%s\n", k.c_str());
                return 2;
            }
            return rc;
        } catch (const std::exception& e) {
            return fail(name + ": " + e.what());
        }
    }
    std::fprintf(stderr, "unknown workload: %s\n", name.c_str());
    return usage(stderr);
}
