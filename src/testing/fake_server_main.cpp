// intercom-fake-server: the fake Intercom API as a standalone process, for tests in any language.
#include <intercom/testing/fake_server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

void usage() {
    std::cout << "usage: intercom-fake-server [options]\n"
                 "  --port N               listen port (default 0: ephemeral)\n"
                 "  --bind ADDR            bind address (default 127.0.0.1)\n"
                 "  --tls                  serve HTTPS with a CA generated at start\n"
                 "  --ca-file PATH         with --tls: write the CA certificate (PEM) there\n"
                 "  --contacts N           seeded contacts (default 100)\n"
                 "  --companies N          seeded companies (default 20)\n"
                 "  --conversations N      seeded conversations (default 50)\n"
                 "  --seed N               seed of the generated values (default 42)\n"
                 "  --rate-limit N         requests per window per token (default 10000000)\n"
                 "  --rate-window-ms N     window length (default 10000)\n"
                 "  --no-rate-limit        never answer 429 from the limiter\n"
                 "  --preset intercom      Intercom's limits: 1666 per 10 s window per token (app),\n"
                 "                         4166 per window per workspace (25,000/min)\n"
                 "  --workspace-rate-limit N  requests per window shared by a workspace's tokens (0: off)\n"
                 "  --workspace-separator C   a token's workspace is its prefix before C (default ':')\n"
                 "  --latency-ms N         round-trip time added to every response (default 0)\n"
                 "  --jitter-ms N          plus a uniform random 0..N ms per response (default 0)\n"
                 "  --faults PATH          fault script (JSON array of rules)\n"
                 "  --threads N            io threads (default 1)\n"
                 "  --record               keep a record of requests (off by default here)\n";
}

} // namespace

int main(int argc, char** argv) {
    intercom::testing::fake_server_options opts;
    opts.seed.contacts = 100;
    opts.seed.companies = 20;
    opts.seed.conversations = 50;
    opts.record_requests = false;
    // Benchmarks drive well over 100k requests per window; throttling must be asked for explicitly.
    opts.rate_limit.requests_per_window = 10000000;
    std::string ca_file, fault_file;
    unsigned threads = 1;
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            auto next = [&]() -> std::string {
                if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
                return args[++i];
            };
            if (a == "--port")
                opts.port = static_cast<std::uint16_t>(std::stoul(next()));
            else if (a == "--bind")
                opts.bind_address = next();
            else if (a == "--tls")
                opts.tls = true;
            else if (a == "--ca-file")
                ca_file = next();
            else if (a == "--contacts")
                opts.seed.contacts = std::stoul(next());
            else if (a == "--companies")
                opts.seed.companies = std::stoul(next());
            else if (a == "--conversations")
                opts.seed.conversations = std::stoul(next());
            else if (a == "--seed")
                opts.seed.seed = std::stoull(next());
            else if (a == "--rate-limit")
                opts.rate_limit.requests_per_window = static_cast<unsigned>(std::stoul(next()));
            else if (a == "--rate-window-ms")
                opts.rate_limit.window = std::chrono::milliseconds(std::stoul(next()));
            else if (a == "--preset") {
                auto name = next();
                if (name != "intercom") throw std::invalid_argument("unknown preset " + name);
                opts.rate_limit = intercom::testing::rate_limit_options::intercom();
            } else if (a == "--workspace-rate-limit")
                opts.rate_limit.workspace_requests_per_window = static_cast<unsigned>(std::stoul(next()));
            else if (a == "--workspace-separator") {
                auto v = next();
                if (v.size() != 1) throw std::invalid_argument("--workspace-separator takes one character");
                opts.rate_limit.workspace_separator = v[0];
            } else if (a == "--latency-ms")
                opts.latency.fixed = std::chrono::milliseconds(std::stoul(next()));
            else if (a == "--jitter-ms")
                opts.latency.jitter = std::chrono::milliseconds(std::stoul(next()));
            else if (a == "--no-rate-limit")
                opts.rate_limit.enabled = false;
            else if (a == "--faults")
                fault_file = next();
            else if (a == "--threads")
                threads = static_cast<unsigned>(std::stoul(next()));
            else if (a == "--record")
                opts.record_requests = true;
            else if (a == "--help" || a == "-h") {
                usage();
                return 0;
            } else {
                throw std::invalid_argument("unknown option " + a);
            }
        }
        std::vector<intercom::testing::fault_rule> rules;
        if (!fault_file.empty()) {
            std::ifstream in(fault_file);
            if (!in) throw std::invalid_argument("cannot read " + fault_file);
            std::stringstream ss;
            ss << in.rdbuf();
            rules = intercom::testing::parse_fault_script(ss.str());
        }

        boost::asio::io_context ioc(static_cast<int>(threads));
        intercom::testing::fake_server server(ioc.get_executor(), opts);
        server.add_faults(rules);
        server.start();
        if (opts.tls && !ca_file.empty()) {
            std::ofstream out(ca_file);
            out << server.ca_pem();
            if (!out) throw std::runtime_error("cannot write " + ca_file);
            std::cout << "ca: " << ca_file << std::endl;
        }
        std::cout << server.base_url() << std::endl;

        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) {
            server.stop();
            ioc.stop();
        });
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t)
            pool.emplace_back([&] { ioc.run(); });
        ioc.run();
        for (auto& t : pool)
            t.join();
    } catch (const std::exception& e) {
        std::cerr << "intercom-fake-server: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
