// serve: the bundled fake server alone, for load generators in other processes (wrk, another
// intercom-bench with --base-url). tools/bench-targets.sh runs wrk and intercom-bench against one
// `serve` instance so both numbers come from the same server in the same run.
//
//   intercom-bench serve [--scheme=https] [--contacts=1000] [--server-threads=1] [--port=0]
//                        [--ca-out=PATH] [--seconds=0]
//
// Prints `URL=...`, `CA_FILE=...` (https) and `CONTACT_ID=...` (the first seeded contact), then
// serves until SIGINT/SIGTERM (or --seconds). The rate limiter is effectively off (10^8 per window).
#include "intercom_bench/common.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <fstream>

namespace intercom::bench {
namespace {

int run_serve(const args& a) {
    auto topts = parse_target(a, 1000);
    if (!topts.base_url.empty()) throw std::invalid_argument("serve starts its own server; --base-url makes no sense");
    topts.server.port = static_cast<std::uint16_t>(a.get_int("port", 0));
    auto ca_out = a.get("ca-out", "");
    auto seconds = a.get_int("seconds", 0);
    reject_unknown_flags(a);

    target t(topts);
    std::printf("URL=%s\n", t.base_url().c_str());
    if (!t.ca_pem().empty() && !ca_out.empty()) {
        std::ofstream out(ca_out);
        out << t.ca_pem();
        if (!out) throw std::runtime_error("cannot write " + ca_out);
        std::printf("CA_FILE=%s\n", ca_out.c_str());
    }
    if (topts.server.seed.contacts) std::printf("CONTACT_ID=%s\n", t.bundled()->seeded_contact_id(0).c_str());
    std::printf("READY\n");
    std::fflush(stdout);

    boost::asio::io_context ioc;
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    boost::asio::steady_timer timer(ioc);
    signals.async_wait([&](const boost::system::error_code&, int) { timer.cancel(); });
    if (seconds > 0) {
        timer.expires_after(std::chrono::seconds(seconds));
        timer.async_wait([&](const boost::system::error_code&) { signals.cancel(); });
    }
    ioc.run();
    return 0;
}

}  // namespace

INTERCOM_BENCH_WORKLOAD("serve", "run the bundled fake server until SIGINT/SIGTERM (prints URL, CA_FILE, CONTACT_ID)",
                        run_serve);

}  // namespace intercom::bench
