// 8_export_jsonl: export every contact to a JSON Lines file (one contact per line), with a progress bar.
//
// Read-only against Intercom: POST /contacts/search, 150 per page, as a partitioned export whose
// partitions (K) are chosen automatically from the rate limit and the round-trip time, and balanced
// by count (see README, "Partitioned export"). Writes one local file.
//
//   INTERCOM_TOKEN=... ./8_export_jsonl [contacts.jsonl]
//
// Each line is the contact exactly as the API sent it (no typed decoding, so fields this library
// does not know are exported too). The file is written as `<name>.part` and renamed when the export
// is complete, so a failed or interrupted run never leaves a file that looks finished.
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
#include "example_env.hpp" // example::options_from_env() and example::run_main(): env and main() plumbing

#include <intercom.hpp>

#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;

// A one-line progress bar on stderr. On a terminal it redraws in place; when stderr is a file or a
// pipe (CI logs) it prints a line every 10% instead of thousands of carriage returns.
class progress_bar {
public:
    explicit progress_bar(std::size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}

    void set_total(std::size_t total) { total_ = total; }

    void update(std::size_t done) {
        std::size_t shown_total = std::max(total_, done); // the workspace may grow while we export
        unsigned percent = shown_total ? static_cast<unsigned>(100 * done / shown_total) : 100;
        if (!tty_) {
            if (percent / 10 == last_decile_) return;
            last_decile_ = percent / 10;
            std::fprintf(stderr, "progress: %zu/%zu (%u%%)\n", done, shown_total, percent);
            return;
        }
        const std::size_t width = 40, filled = width * percent / 100;
        std::fprintf(stderr, "\r[%s%s] %zu/%zu (%u%%)", std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), done, shown_total, percent);
        std::fflush(stderr);
    }

    void finish() {
        if (tty_) std::fprintf(stderr, "\n");
    }

private:
    std::size_t total_;
    bool tty_;
    unsigned last_decile_ = ~0u;
};

asio::awaitable<void> export_contacts(intercom::client client, std::string path) {
    auto t0 = std::chrono::steady_clock::now();
    const std::string part = path + ".part";
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot open " + part);

    // Every contact exactly once, K searches paginated concurrently. The defaults: partitions = auto
    // (enough concurrent page chains to spend the rate budget at the measured round-trip time), cuts
    // balanced by the counts the API reports, a bulk-import day split on updated_at. Items arrive as
    // the JSON received, which is what we write.
    intercom::pagination::partition_options po;
    po.per_page = 150; // the maximum page size
    auto exp = intercom::pagination::partitioned_export::create(client, po);
    if (!exp) throw intercom::api_error(exp.error());

    progress_bar bar(0);
    std::size_t written = 0;
    auto last_report = t0;
    for (;;) {
        auto item = co_await exp->next();
        if (!item) throw intercom::api_error(item.error()); // after the pipeline's retries
        if (!*item) break;
        if (written == 0) bar.set_total(exp->stats().total); // counted while planning
        out << boost::json::serialize(**item) << '\n';
        if (!out) throw std::runtime_error("write to " + part + " failed");
        bar.update(++written);
        // Progress per partition, every 5 s on long exports.
        if (auto now = std::chrono::steady_clock::now(); now - last_report > std::chrono::seconds(5)) {
            last_report = now;
            std::size_t done = 0;
            for (const auto& p : exp->progress())
                done += p.done;
            std::fprintf(stderr, "partitions: %zu of %zu done\n", done, exp->partitions());
        }
    }
    bar.finish();

    out.close();
    if (!out) throw std::runtime_error("write to " + part + " failed");
    std::filesystem::rename(part, path); // complete: give the file its real name
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto st = exp->stats();
    const auto prog = exp->progress();
    for (std::size_t i = 0; i < prog.size(); ++i)
        std::printf("partition %zu: %zu contacts (counted %zu) in %zu requests\n", i, prog[i].delivered,
                    prog[i].expected, prog[i].pages);
    std::printf("export: %zu partitions, %zu requests (%zu planning probes)\n", exp->partitions(), st.fetches,
                st.probes);
    std::printf("export: wrote %zu contacts to %s in %.2f s\n", written, path.c_str(), secs);
}

int main(int argc, char** argv) {
    auto opts = example::options_from_env();
    if (!opts) return 2;
    std::string path = argc > 1 ? argv[1] : "contacts.jsonl";
    int rc = example::run_main("export", *opts, export_contacts, path);
    if (rc != 0) std::fprintf(stderr, "partial output, if any, left in %s.part\n", path.c_str());
    return rc;
}
