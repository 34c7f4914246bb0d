// A user middleware: counts requests and measures their latency, per attempt, without touching
// the library. Also shows the event hook (retry decisions) next to it.
//
// To stay self-contained this example talks to a scripted in-process transport that simulates
// Intercom (20 ms latency, a 503 on every 5th request). Against the real API, build the client
// with `intercom::client(ioc.get_executor(), opts)` and a token instead.
#include <intercom/client.hpp>
#include <intercom/pipeline/middleware.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The middleware: runs once per attempt, just before the transport (see pipeline.hpp for the order).
class metrics_middleware final : public intercom::pipeline::middleware {
public:
    asio::awaitable<intercom::result<intercom::http::response>> send(intercom::http::request req,
                                                                      intercom::pipeline::next_layer next) override {
        auto start = std::chrono::steady_clock::now();
        auto r = co_await next(std::move(req));
        auto took = std::chrono::steady_clock::now() - start;
        std::lock_guard lk(mtx_);  // middleware may run on several threads at once
        ++requests_;
        total_ += took;
        max_ = std::max(max_, took);
        ++by_status_[r ? r->status : 0];
        co_return r;
    }

    void print() const {
        std::lock_guard lk(mtx_);
        auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
        std::printf("requests sent: %zu, mean latency %.1f ms, max %.1f ms\n", requests_,
                    requests_ ? ms(total_) / static_cast<double>(requests_) : 0.0, ms(max_));
        for (auto [status, n] : by_status_) std::printf("  status %u: %zu\n", status, n);
    }

    std::size_t requests() const {
        std::lock_guard lk(mtx_);
        return requests_;
    }

private:
    mutable std::mutex mtx_;
    std::size_t requests_ = 0;
    std::chrono::steady_clock::duration total_{}, max_{};
    std::map<unsigned, std::size_t> by_status_;  // 0 = transport failure
};

// Stand-in for Intercom: answers after 20 ms; every 5th request gets a 503.
class simulated_intercom final : public intercom::http::transport {
public:
    explicit simulated_intercom(asio::any_io_executor ex) : ex_(std::move(ex)) {}

    asio::awaitable<intercom::result<intercom::http::response>> send(intercom::http::origin, intercom::http::request req,
                                                                     intercom::http::send_options) override {
        asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
        co_await t.async_wait(asio::use_awaitable);
        intercom::http::response r;
        r.status = (++count_ % 5 == 0) ? 503 : 200;
        r.body = r.status == 200 ? R"({"type":"contact","id":")" + req.target.substr(req.target.rfind('/') + 1) + "\"}"
                                 : R"({"type":"error.list","errors":[{"code":"service_unavailable"}]})";
        r.headers.set("X-RateLimit-Limit", "1000");
        r.headers.set("X-RateLimit-Remaining", "900");
        co_return r;
    }
    asio::any_io_executor get_executor() override { return ex_; }

private:
    asio::any_io_executor ex_;
    std::atomic<unsigned> count_{0};
};

std::atomic<int> succeeded{0}, failed{0};

asio::awaitable<void> fetch(intercom::client c, int id) {
    auto r = co_await c.request(boost::beast::http::verb::get, "/contacts/" + std::to_string(id));
    if (r) ++succeeded;
    else {
        ++failed;
        std::printf("contact %d failed: %s\n", id, r.error().what().c_str());
    }
}

int main() {
    asio::io_context ioc;
    auto metrics = std::make_shared<metrics_middleware>();

    intercom::client_options opts;
    opts.token = "example-token";
    opts.base_url = "http://127.0.0.1:8080";  // not dialled: the simulated transport answers
    opts.pipeline.per_attempt.push_back(metrics);
    opts.pipeline.on_event = [](const intercom::pipeline::event& e) {
        if (e.kind == intercom::pipeline::event_kind::retry_scheduled)
            std::printf("retrying %.*s (attempt %u got %u) in %.0f ms\n", static_cast<int>(e.target.size()),
                        e.target.data(), e.attempt, e.http_status,
                        std::chrono::duration<double, std::milli>(e.delay).count());
    };
    intercom::client c(std::make_shared<simulated_intercom>(ioc.get_executor()), opts);

    for (int id = 1; id <= 20; ++id) asio::co_spawn(ioc, fetch(c, id), asio::detached);
    ioc.run();

    metrics->print();
    std::printf("calls: %d succeeded, %d failed\n", succeeded.load(), failed.load());
    // Every 503 was retried, so the middleware saw more attempts than there were calls.
    return (succeeded == 20 && metrics->requests() > 20) ? 0 : 1;
}
