// intercom-microbench: Google Benchmark micro-benchmarks of the hot paths.
//
//   decode/*    a real 150-contact page (the bundled fake server's bytes): raw `boost::json::parse`
//               vs the typed path (`parse` + `models::decode` into `models::contact_list`, what
//               `contacts().list()` does), in MB/s, plus the ratio on a RESULT line.
//   encode/*    request encoding: a typed create body to JSON text, and one page request of a
//               cursor listing (`pagination::build_request`).
//   request/*   cost per request of the client (pipeline: headers, retry loop, rate limiter,
//               deadline, transport pool) against a bare Beast keep-alive loop. Both send the same
//               GET to the same loopback fake server over plain HTTP, one request at a time, so
//               they pay the same socket and server costs and the difference is the library's
//               overhead. `request/client_in_memory` runs the client over an in-memory transport
//               (the public `http::transport` seam answering a canned response): the pipeline's
//               own CPU cost with no I/O at all, which is the number that does not depend on the
//               server's speed or on the other processes sharing the machine.
//   webhook/*   a `contact.user.created` notification carrying one fake-server contact:
//               `verify_signature` (HMAC-SHA1 + constant-time compare) alone, and
//               `verify_and_parse` (signature, JSON parse, typed decoding of the contact).
#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/models/models.hpp>
#include <intercom/pagination/listing.hpp>
#include <intercom/resources/contacts.hpp>
#include <intercom/testing/fake_server.hpp>
#include <intercom/webhooks/notification.hpp>
#include <intercom/webhooks/signature.hpp>

#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// --- shared fixture: a loopback fake server on its own thread, and sample bodies -----------------

struct fixture {
    asio::io_context server_ioc;
    std::optional<intercom::testing::fake_server> server;
    std::thread server_thread;
    std::string page_body;     // GET /contacts?per_page=150
    std::string contact_body;  // GET /contacts/{id}
    std::string contact_id;
    std::string host = "127.0.0.1";
    std::string port;

    void start() {
        intercom::testing::fake_server_options o;
        o.seed.contacts = 150;
        o.record_requests = false;
        o.rate_limit.enabled = false;
        server.emplace(server_ioc.get_executor(), o);
        server->start();
        port = std::to_string(server->port());
        contact_id = server->seeded_contact_id(0);
        server_thread = std::thread([this] {
            auto guard = asio::make_work_guard(server_ioc);
            server_ioc.run();
        });
        asio::io_context ioc;
        auto fut = asio::co_spawn(ioc, fetch_samples(this), asio::use_future);
        ioc.run();
        fut.get();
    }
    void stop() {
        server->stop();
        server_ioc.stop();
        server_thread.join();
        server.reset();
    }
    intercom::client_options client_opts() const {
        intercom::client_options o;
        o.token = "microbench-token";
        o.base_url = server->base_url();
        return o;
    }
    static asio::awaitable<void> fetch_samples(fixture* f) {
        auto ex = co_await asio::this_coro::executor;
        auto tr = std::make_shared<intercom::http::https_transport>(ex);
        intercom::client c(tr, f->client_opts());
        intercom::query_params q;  // a named value: g++ 12 miscompiles braced lists inside co_await
        q.emplace_back("per_page", "150");
        auto page = co_await c.request(bhttp::verb::get, "/contacts", q);
        auto one = co_await c.request(bhttp::verb::get, "/contacts/" + f->contact_id);
        tr->close();
        if (!page || !one) throw std::runtime_error("microbench: cannot fetch sample bodies from the fake server");
        f->page_body = std::move(page->body);
        f->contact_body = std::move(one->body);
    }
};

fixture& fx() {
    static fixture f;
    return f;
}

// --- decode --------------------------------------------------------------------------------------

void decode_raw_parse(benchmark::State& st) {
    const std::string& body = fx().page_body;
    for (auto _ : st) {
        json::value jv = json::parse(body);
        benchmark::DoNotOptimize(jv);
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * body.size()));
    st.counters["page_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(decode_raw_parse)->Name("decode/raw_parse");

// The typed path of `contacts().list()`: parse, then decode into the model (the parsed DOM is
// kept as `raw`, as the client does, so no copy is hidden from the measurement).
void decode_typed(benchmark::State& st) {
    const std::string& body = fx().page_body;
    for (auto _ : st) {
        json::value jv = json::parse(body);
        intercom::models::contact_list list;
        if (!intercom::models::decode(jv, list)) st.SkipWithError("page did not decode");
        list.raw = std::make_shared<const json::value>(std::move(jv));
        benchmark::DoNotOptimize(list);
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * body.size()));
}
BENCHMARK(decode_typed)->Name("decode/typed_parse_and_decode");

// The decoding step alone, from an already parsed DOM (what the typed pagers add per page).
void decode_typed_from_dom(benchmark::State& st) {
    const std::string& body = fx().page_body;
    json::value jv = json::parse(body);
    for (auto _ : st) {
        intercom::models::contact_list list;
        if (!intercom::models::decode(jv, list)) st.SkipWithError("page did not decode");
        benchmark::DoNotOptimize(list);
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * body.size()));
}
BENCHMARK(decode_typed_from_dom)->Name("decode/typed_from_dom");

// --- encode --------------------------------------------------------------------------------------

void encode_create_body(benchmark::State& st) {
    std::size_t bytes = 0;
    for (auto _ : st) {
        intercom::models::create_contact_request body;
        body.role = "user";
        body.email = "jane.doe@example.com";
        body.name = "Jane Doe";
        body.custom_attributes = json::object{{"plan", "pro"}, {"seats", 12}};
        json::value jv;
        intercom::models::encode(jv, body);
        std::string text = json::serialize(jv);
        bytes += text.size();
        benchmark::DoNotOptimize(text);
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(encode_create_body)->Name("encode/create_contact_body");

void encode_page_request(benchmark::State& st) {
    intercom::pagination::listing l;
    l.path = "/contacts";
    l.per_page = 150;
    intercom::pagination::position at;
    at.starting_after = "WzE3MDAwMDAwMDAsIjY1YTFiMmMzZDRlNWY2MDcwODA5MGExYiJd";
    for (auto _ : st) {
        auto req = intercom::pagination::build_request(l, at);
        benchmark::DoNotOptimize(req);
    }
}
BENCHMARK(encode_page_request)->Name("encode/cursor_page_request");

// --- request -------------------------------------------------------------------------------------

asio::awaitable<void> client_loop(intercom::client c, std::shared_ptr<intercom::http::https_transport> tr,
                                  benchmark::State* st, std::string path, bool typed) {
    for (auto _ : *st) {
        bool ok;
        if (typed) ok = bool(co_await c.contacts().try_retrieve(path.substr(std::string("/contacts/").size())));
        else ok = bool(co_await c.request(bhttp::verb::get, path));
        if (!ok) {
            st->SkipWithError("request failed");
            break;
        }
    }
    if (tr) tr->close();
}

void request_client(benchmark::State& st, bool typed) {
    asio::io_context ioc;
    auto tr = std::make_shared<intercom::http::https_transport>(ioc.get_executor());
    intercom::client c(tr, fx().client_opts());
    asio::co_spawn(ioc, client_loop(c, tr, &st, "/contacts/" + fx().contact_id, typed), asio::detached);
    ioc.run();
}
void request_client_raw(benchmark::State& st) { request_client(st, false); }
void request_client_typed(benchmark::State& st) { request_client(st, true); }
BENCHMARK(request_client_raw)->Name("request/client_loopback_http")->UseRealTime();
BENCHMARK(request_client_typed)->Name("request/client_loopback_http_typed")->UseRealTime();

asio::awaitable<void> beast_loop(benchmark::State* st, std::string host, std::string port, std::string target) {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    tcp::socket sock(ex);
    co_await asio::async_connect(sock, co_await resolver.async_resolve(host, port, asio::use_awaitable),
                                 asio::use_awaitable);
    sock.set_option(tcp::no_delay(true));
    boost::beast::flat_buffer buf;
    for (auto _ : *st) {
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, host);
        req.set(bhttp::field::authorization, "Bearer microbench-token");
        req.set(bhttp::field::accept, "application/json");
        req.set("Intercom-Version", "2.11");
        co_await bhttp::async_write(sock, req, asio::use_awaitable);
        bhttp::response<bhttp::string_body> res;
        co_await bhttp::async_read(sock, buf, res, asio::use_awaitable);
        if (res.result_int() != 200) {
            st->SkipWithError("bad status");
            break;
        }
        benchmark::DoNotOptimize(res);
    }
}

void request_beast(benchmark::State& st) {
    asio::io_context ioc;
    asio::co_spawn(ioc, beast_loop(&st, fx().host, fx().port, "/contacts/" + fx().contact_id), asio::detached);
    ioc.run();
}
BENCHMARK(request_beast)->Name("request/beast_loopback_http")->UseRealTime();

// An http::transport that answers every request from memory.
class canned_transport final : public intercom::http::transport {
public:
    canned_transport(asio::any_io_executor ex, std::string body) : ex_(std::move(ex)), body_(std::move(body)) {}
    asio::awaitable<intercom::result<intercom::http::response>> send(intercom::http::origin, intercom::http::request,
                                                                    intercom::http::send_options) override {
        intercom::http::response r;
        r.status = 200;
        r.headers.set(bhttp::field::content_type, "application/json");
        r.body = body_;
        co_return r;
    }
    asio::any_io_executor get_executor() override { return ex_; }
    // It answers at once, so there is no budget to enforce: the pipeline takes its flat path,
    // the one an https_transport call takes.
    bool enforces_attempt_timeout() const noexcept override { return true; }

private:
    asio::any_io_executor ex_;
    std::string body_;
};

void request_client_in_memory(benchmark::State& st) {
    asio::io_context ioc;
    auto tr = std::make_shared<canned_transport>(ioc.get_executor(), fx().contact_body);
    intercom::client c(tr, fx().client_opts());
    asio::co_spawn(ioc, client_loop(c, nullptr, &st, "/contacts/" + fx().contact_id, false), asio::detached);
    ioc.run();
}
BENCHMARK(request_client_in_memory)->Name("request/client_in_memory");

// --- webhooks -----------------------------------------------------------------------------------

std::string webhook_body() {
    return R"({"type":"notification_event","app_id":"abc123","id":"notif_1","topic":"contact.user.created",)"
           R"("delivery_attempts":1,"first_sent_at":1700000001,"created_at":1700000000,)"
           R"("data":{"type":"notification_event_data","item":)" +
           fx().contact_body + "}}";
}

void webhook_verify(benchmark::State& state) {
    const std::string body = webhook_body();
    const std::string sig = intercom::webhooks::sign(body, "bench-client-secret");
    for (auto _ : state) {
        auto r = intercom::webhooks::verify_signature(body, sig, "bench-client-secret");
        benchmark::DoNotOptimize(r);
        if (!r) state.SkipWithError("signature did not verify");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
    state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(webhook_verify)->Name("webhook/verify_signature");

void webhook_verify_and_parse(benchmark::State& state) {
    const std::string body = webhook_body();
    const std::string sig = intercom::webhooks::sign(body, "bench-client-secret");
    for (auto _ : state) {
        auto r = intercom::webhooks::verify_and_parse(body, sig, "bench-client-secret");
        benchmark::DoNotOptimize(r);
        if (!r || !r->item_as<intercom::models::contact>()) state.SkipWithError("notification did not decode");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(webhook_verify_and_parse)->Name("webhook/verify_and_parse");

// --- main: run, then print the decode ratio as a RESULT line -----------------------------------

class capturing_reporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> bytes_per_second;
    std::map<std::string, double> ns_per_iteration;
    std::map<std::string, double> cpu_ns_per_iteration;
    void ReportRuns(const std::vector<Run>& runs) override {
        for (auto const& r : runs) {
            if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
            auto it = r.counters.find("bytes_per_second");
            if (it != r.counters.end()) bytes_per_second[r.benchmark_name()] = it->second.value;
            double unit = r.time_unit == benchmark::kNanosecond    ? 1.0
                          : r.time_unit == benchmark::kMicrosecond ? 1e3
                          : r.time_unit == benchmark::kMillisecond ? 1e6
                                                                   : 1e9;
            ns_per_iteration[r.benchmark_name()] = r.GetAdjustedRealTime() * unit;
            cpu_ns_per_iteration[r.benchmark_name()] = r.GetAdjustedCPUTime() * unit;
        }
        ConsoleReporter::ReportRuns(runs);
    }
};

double find(const std::map<std::string, double>& m, const std::string& prefix) {
    for (auto const& [k, v] : m)
        if (k.rfind(prefix, 0) == 0) return v;
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    fx().start();
    std::printf("sample page: %zu bytes (150 contacts), contact: %zu bytes\n", fx().page_body.size(),
                fx().contact_body.size());
    capturing_reporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    fx().stop();
    std::fflush(stdout);
    std::printf("\n");  // the console reporter may leave a colour reset at the start of the line

    const auto& bps = rep.bytes_per_second;
    double raw = find(bps, "decode/raw_parse"), typed = find(bps, "decode/typed_parse_and_decode");
    if (raw > 0 && typed > 0)
        std::printf("RESULT tool=intercom-cpp op=decode raw_mb_s=%.1f typed_mb_s=%.1f ratio=%.3f page_bytes=%zu\n",
                    raw / 1e6, typed / 1e6, typed / raw, fx().page_body.size());
    // Wall time per request depends on how fast the server thread gets the CPU; the client
    // thread's CPU time per request does not, so both are printed.
    const auto& ns = rep.ns_per_iteration;
    const auto& cpu = rep.cpu_ns_per_iteration;
    double cl = find(ns, "request/client_loopback_http/"), be = find(ns, "request/beast_loopback_http"),
           mem = find(cpu, "request/client_in_memory");
    double cl_cpu = find(cpu, "request/client_loopback_http/"), be_cpu = find(cpu, "request/beast_loopback_http");
    if (cl > 0 && be > 0)
        std::printf("RESULT tool=intercom-cpp op=request_overhead client_us=%.2f beast_us=%.2f overhead_us=%.2f "
                    "client_cpu_us=%.2f beast_cpu_us=%.2f overhead_cpu_us=%.2f in_memory_cpu_us=%.2f\n",
                    cl / 1e3, be / 1e3, (cl - be) / 1e3, cl_cpu / 1e3, be_cpu / 1e3, (cl_cpu - be_cpu) / 1e3,
                    mem / 1e3);
    benchmark::Shutdown();
    return 0;
}
