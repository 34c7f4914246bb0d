// Fake transports for pipeline tests: scripted answers, and a budget-enforcing fake Intercom.
// Both use the injected sleeper for latency, so they run in virtual time.
#pragma once

#include <intercom/http/transport.hpp>
#include <intercom/pipeline/clock.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace intercom::test {

/// One scripted answer: a response or a transport error, after `latency`.
struct step {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body = "{}";
    errc failure{};                         ///< non-zero: fail with this code instead
    request_stage stage = request_stage::not_sent;
    std::chrono::nanoseconds latency{};

    static step ok(std::string body = "{}") {
        step s;
        s.body = std::move(body);
        return s;
    }
    static step with_status(unsigned st) {
        step s;
        s.status = st;
        s.body = R"({"type":"error.list","request_id":"r1","errors":[{"code":"x","message":"m"}]})";
        return s;
    }
    static step fail(errc e, request_stage where) {
        step s;
        s.failure = e;
        s.stage = where;
        return s;
    }
    step& header(std::string k, std::string v) {
        headers.emplace_back(std::move(k), std::move(v));
        return *this;
    }
    step& after(std::chrono::nanoseconds d) {
        latency = d;
        return *this;
    }
};

/// Answers requests with the script, in order; when the script runs out, repeats the last step.
class scripted_transport final : public http::transport {
public:
    scripted_transport(boost::asio::any_io_executor ex, std::shared_ptr<pipeline::sleeper> sl)
        : ex_(std::move(ex)), sleeper_(std::move(sl)) {}

    std::deque<step> script;
    std::vector<http::request> received;
    std::vector<std::chrono::milliseconds> attempt_timeouts;

    boost::asio::awaitable<result<http::response>> send(http::origin, http::request req,
                                                        http::send_options opts) override {
        received.push_back(req);
        attempt_timeouts.push_back(opts.attempt_timeout);
        step s = script.empty() ? step::ok() : script.front();
        if (script.size() > 1) script.pop_front();
        if (s.latency > std::chrono::nanoseconds::zero()) {
            auto ec = co_await sleeper_->sleep_for(s.latency);
            if (ec) {
                error_info e{errc::cancelled};
                e.diag.stage = request_stage::sent;
                co_return e;
            }
        }
        if (s.failure != errc{}) {
            // A body that broke off midway: part of it already reached the sink.
            if (s.stage == request_stage::response_started && opts.sink) (void)opts.sink(s.body);
            error_info e{s.failure};
            e.diag.stage = s.stage;
            co_return e;
        }
        http::response r;
        r.status = s.status;
        for (auto& [k, v] : s.headers) r.headers.set(k, v);
        if (s.status >= 200 && s.status < 300 && opts.sink) {
            auto ec = opts.sink(s.body);
            if (ec) co_return error_info{ec};
        } else {
            r.body = s.body;
        }
        co_return r;
    }

    boost::asio::any_io_executor get_executor() override { return ex_; }

private:
    boost::asio::any_io_executor ex_;
    std::shared_ptr<pipeline::sleeper> sleeper_;
};

/// A fake Intercom that enforces `limit` requests per window (default 10 s, aligned to wall-clock
/// multiples of its length), reports X-RateLimit-* on every answer, answers 429 beyond the budget, and records
/// concurrency.
class budget_transport final : public http::transport {
public:
    budget_transport(boost::asio::any_io_executor ex, std::shared_ptr<pipeline::clock> c,
                     std::shared_ptr<pipeline::sleeper> sl, std::int64_t limit, std::chrono::nanoseconds latency,
                     std::int64_t window_seconds = 10)
        : ex_(std::move(ex)), clock_(std::move(c)), sleeper_(std::move(sl)), limit_(limit), latency_(latency),
          window_s_(window_seconds) {}

    std::size_t served = 0;
    std::size_t rejected = 0;       ///< 429s sent
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 0;
    std::map<std::int64_t, std::int64_t> per_window;  ///< window start (s) -> requests admitted

    boost::asio::awaitable<result<http::response>> send(http::origin, http::request, http::send_options) override {
        ++in_flight;
        max_in_flight = std::max(max_in_flight, in_flight);
        auto secs = std::chrono::duration_cast<std::chrono::seconds>(clock_->wall_now().time_since_epoch()).count();
        auto window = secs - secs % window_s_;
        auto& used = per_window[window];
        http::response r;
        if (used < limit_) {
            ++used;
            ++served;
            r.status = 200;
            r.body = "{}";
        } else {
            ++rejected;
            r.status = 429;
            r.body = R"({"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"limit"}]})";
        }
        r.headers.set("X-RateLimit-Limit", std::to_string(limit_));
        r.headers.set("X-RateLimit-Remaining", std::to_string(limit_ - used));
        r.headers.set("X-RateLimit-Reset", std::to_string(window + window_s_));
        auto ec = co_await sleeper_->sleep_for(latency_);
        --in_flight;
        if (ec) co_return error_info{errc::cancelled};
        co_return r;
    }

    boost::asio::any_io_executor get_executor() override { return ex_; }

private:
    boost::asio::any_io_executor ex_;
    std::shared_ptr<pipeline::clock> clock_;
    std::shared_ptr<pipeline::sleeper> sleeper_;
    std::int64_t limit_;
    std::chrono::nanoseconds latency_;
    std::int64_t window_s_;
};

} // namespace intercom::test
