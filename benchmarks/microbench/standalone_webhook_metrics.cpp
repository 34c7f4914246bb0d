// Standalone -O2 harness for two issue-18 paths: webhook signature verification and
// client_metrics::observe. Not built by CMake: it compiles only the sources these paths need, for a
// quick measurement when the full release build is too slow (command in benchmarks/README.md).
#include <benchmark/benchmark.h>
#include <intercom/prometheus/client_metrics.hpp>
#include <intercom/webhooks/signature.hpp>
#include <prometheus/registry.h>
#include <string>

static std::string body() {
    std::string item =
        R"({"type":"contact","id":"6529d1c4a8f7b5e3","role":"user","email":"ada@example.com","name":"Ada Lovelace",)"
        R"("created_at":1700000000,"updated_at":1700000000,"custom_attributes":{"plan":"pro"},"location":{"type":"location","country":"France","city":"Paris"}})";
    std::string b =
        R"({"type":"notification_event","app_id":"abc123","id":"notif_1","topic":"contact.user.created","delivery_attempts":1,"first_sent_at":1700000001,"created_at":1700000000,"data":{"type":"notification_event_data","item":)" +
        item + "}}";
    while (b.size() < 2048)
        b.insert(b.size() - 2,
                 std::string(R"(,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")"));
    return b;
}
static void verify(benchmark::State& s) {
    auto b = body();
    auto sig = intercom::webhooks::sign(b, "secret");
    for (auto _ : s) {
        auto r = intercom::webhooks::verify_signature(b, sig, "secret");
        benchmark::DoNotOptimize(r);
    }
    s.counters["body_bytes"] = b.size();
}
BENCHMARK(verify)->Name("webhook/verify_signature");
static void observe(benchmark::State& s) {
    prometheus::Registry reg;
    auto m = intercom::prometheus::client_metrics::create(reg);
    intercom::pipeline::event e;
    e.operation = "contacts.retrieve";
    e.latency = std::chrono::microseconds(800);
    for (auto _ : s) {
        e.kind = intercom::pipeline::event_kind::attempt_finished;
        m->observe(e);
        e.kind = intercom::pipeline::event_kind::succeeded;
        m->observe(e);
    }
}
BENCHMARK(observe)->Name("metrics/observe_attempt_and_success");
BENCHMARK_MAIN();
