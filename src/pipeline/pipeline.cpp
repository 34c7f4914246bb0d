#include "detail.hpp"

#include <intercom/pipeline/pipeline.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/field.hpp>

#include <cstdio>
#include <string>
#include <variant>

namespace intercom::pipeline {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using std::chrono::nanoseconds;

// ---------------------------------------------------------------------------------------------
// next_layer

boost::asio::awaitable<result<http::response>> next_layer::operator()(http::request req) const {
    if (index_ < stages_->size()) {
        next_layer rest(stages_, index_ + 1, end_, ctx_);
        co_return co_await (*stages_)[index_]->send(std::move(req), rest);
    }
    co_return co_await end_->send(ctx_, std::move(req));
}

// ---------------------------------------------------------------------------------------------

struct request_pipeline::impl {
    std::shared_ptr<http::transport> transport;
    pipeline_options opts;
    std::vector<std::shared_ptr<middleware>> per_attempt;  // built-in stages 4-6, then user ones
    std::unique_ptr<next_layer::terminal> transport_end;
    std::unique_ptr<next_layer::terminal> retry_end;

    void emit(const call_context& ctx, const http::request& req, event e) const {
        if (!opts.on_event) return;
        e.operation = ctx.operation_name;
        e.method = req.method;
        e.target = req.target;
        e.attempt = ctx.attempt;
        e.rate_limit = ctx.rate_limit;
        try {
            opts.on_event(e);
        } catch (...) {
            // A throwing hook must not turn a finished request into a lost one.
        }
    }

    void log(log_level l, const std::string& line) const {
        if (opts.logger.enabled(l)) opts.logger.sink(l, line);
    }
};

namespace {

std::string ms_text(nanoseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(d.count()) / 1e6);
    return buf;
}

error_info make_error(errc code, request_stage stage, std::string msg) {
    error_info e{code};
    e.diag.stage = stage;
    e.diag.message = std::move(msg);
    return e;
}

// Stage 4: rate limiter admission and learning.
class limiter_stage final : public middleware {
public:
    explicit limiter_stage(const request_pipeline::impl* p) : p_(p) {}

    boost::asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        auto& ctx = next.context();
        auto& lim = *p_->opts.rate_limiter;
        auto adm = co_await lim.acquire(ctx.deadline);
        if (adm.waited_for_budget > nanoseconds::zero()) {
            event e;
            e.kind = event_kind::limiter_wait;
            e.delay = adm.waited_for_budget;
            e.reason = "window budget exhausted";
            p_->emit(ctx, req, e);
        }
        if (adm.error == errc::rate_limited) {
            auto e = make_error(errc::rate_limited, request_stage::not_sent,
                                "not sent: the rate-limit window resets in " + ms_text(adm.budget_wait) +
                                    ", after this call's deadline");
            e.diag.rate_limit = lim.snapshot();
            co_return e;
        }
        if (adm.error) {
            co_return make_error(adm.error == errc::cancelled ? errc::cancelled : errc::deadline_exceeded,
                                 request_stage::not_sent,
                                 adm.error == errc::cancelled ? "cancelled while waiting for the rate limiter"
                                                              : "deadline passed while waiting for the rate limiter");
        }
        auto r = co_await next(std::move(req));
        if (r) {
            if (auto snap = rate_limit_snapshot::from_headers(r->headers, p_->opts.clock->wall_now())) {
                ctx.rate_limit = snap;
                co_await lim.observe(*snap);
            }
        }
        co_return r;  // the permit (in-flight slot) is released here
    }

private:
    const request_pipeline::impl* p_;
};

// Stage 5: attempt timeout, capped by the overall deadline; enforced here even if the transport
// ignores `send_options::attempt_timeout`.
class timeout_stage final : public middleware {
public:
    explicit timeout_stage(const request_pipeline::impl* p) : p_(p) {}

    // The rest of the attempt, with an exception (from user middleware behind this stage) turned
    // into a value: Asio's `||` waits for one *successful* branch, so a throwing branch would
    // otherwise be ignored until the timer fired.
    static boost::asio::awaitable<result<http::response>> guarded(next_layer next, http::request req) {
        std::string what;
        try {
            co_return co_await next(std::move(req));
        } catch (const boost::system::system_error& e) {
            if (e.code() == asio::error::operation_aborted)
                co_return make_error(errc::cancelled, request_stage::sent, "cancelled during the attempt");
            what = e.what();
        } catch (const std::exception& e) {
            what = e.what();
        }
        co_return make_error(errc::callback_failed, request_stage::sent, "exception in the pipeline: " + what);
    }

    boost::asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        using namespace boost::asio::experimental::awaitable_operators;
        auto& ctx = next.context();
        auto left = std::chrono::duration_cast<nanoseconds>(ctx.deadline - p_->opts.clock->now());
        if (left <= nanoseconds::zero())
            co_return make_error(errc::deadline_exceeded, request_stage::not_sent, "deadline passed before the attempt");
        bool deadline_bound = left < nanoseconds(ctx.attempt_timeout);
        auto budget = deadline_bound ? left : nanoseconds(ctx.attempt_timeout);
        ctx.send.attempt_timeout = std::chrono::ceil<std::chrono::milliseconds>(budget);
        auto r = co_await (guarded(next, std::move(req)) || p_->opts.sleeper->sleep_for(budget));
        if (r.index() == 0) co_return std::move(std::get<0>(r));
        if (std::get<1>(r)) co_return make_error(errc::cancelled, request_stage::sent, "cancelled during the attempt");
        // We cannot know how far the transport got: assume the server may have seen the request.
        if (deadline_bound)
            co_return make_error(errc::deadline_exceeded, request_stage::sent, "deadline passed during the attempt");
        co_return make_error(errc::attempt_timeout, request_stage::sent, "attempt timed out");
    }

private:
    const request_pipeline::impl* p_;
};

// Stage 6: logging. Never writes the Authorization value.
class logging_stage final : public middleware {
public:
    explicit logging_stage(const request_pipeline::impl* p) : p_(p) {}

    boost::asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        auto& ctx = next.context();
        const auto& lg = p_->opts.logger;
        std::string what = std::string(bhttp::to_string(req.method)) + " " + req.target;
        if (!ctx.operation_name.empty()) what += " (" + std::string(ctx.operation_name) + ")";
        if (lg.enabled(log_level::debug)) {
            std::string line = "-> " + what + " attempt " + std::to_string(ctx.attempt);
            if (lg.enabled(log_level::trace)) {
                for (const auto& f : req.headers) {
                    line += "\n   ";
                    line += std::string_view{f.name_string()};
                    line += ": ";
                    bool secret = f.name() == bhttp::field::authorization ||
                                  f.name() == bhttp::field::proxy_authorization ||
                                  f.name() == bhttp::field::cookie;
                    line += secret ? std::string_view{"[redacted]"} : std::string_view{f.value()};
                }
                line += "\n   body: " + std::to_string(req.body.size()) + " bytes";
            }
            lg.sink(log_level::debug, line);
        }
        auto start = p_->opts.clock->now();
        auto r = co_await next(std::move(req));
        auto took = p_->opts.clock->now() - start;
        if (r) {
            auto level = r->status >= 500 || r->status == 429 ? log_level::warning
                         : r->status >= 400                  ? log_level::info
                                                             : log_level::debug;
            if (lg.enabled(level)) {
                lg.sink(level, "<- " + what + " attempt " + std::to_string(ctx.attempt) + ": " +
                                   std::to_string(r->status) + " in " + ms_text(took) + ", " +
                                   std::to_string(r->body.size()) + " bytes");
            }
        } else if (lg.enabled(log_level::warning)) {
            lg.sink(log_level::warning, "<- " + what + " attempt " + std::to_string(ctx.attempt) +
                                            ": failed after " + ms_text(took) + ": " + r.error().code.message());
        }
        co_return r;
    }

private:
    const request_pipeline::impl* p_;
};

// Stage 8: the transport.
class transport_terminal final : public next_layer::terminal {
public:
    explicit transport_terminal(const request_pipeline::impl* p) : p_(p) {}

    static boost::system::error_code count_and_forward(std::size_t* counter, const http::body_sink* inner,
                                                       std::string_view chunk) {
        *counter += chunk.size();
        return (*inner)(chunk);
    }

    boost::asio::awaitable<result<http::response>> send(call_context* ctx, http::request req) override {
        http::send_options so = ctx->send;
        if (ctx->send.sink) {
            // Count what reaches the caller's sink: after the first byte, a retry would duplicate data.
            std::size_t* counter = &ctx->streamed_bytes;
            const http::body_sink* inner = &ctx->send.sink;
            so.sink = [counter, inner](std::string_view chunk) { return count_and_forward(counter, inner, chunk); };
        }
        auto start = p_->opts.clock->now();
        auto r = co_await p_->transport->send(ctx->origin, std::move(req), std::move(so));
        ctx->last_latency = p_->opts.clock->now() - start;
        co_return r;
    }

private:
    const request_pipeline::impl* p_;
};

// Stage 3: the retry loop; runs stages 4-8 once per attempt.
class retry_terminal final : public next_layer::terminal {
public:
    explicit retry_terminal(const request_pipeline::impl* p) : p_(p) {}

    boost::asio::awaitable<result<http::response>> send(call_context* ctx, http::request req) override {
        const auto& o = p_->opts;
        for (unsigned attempt = 1;; ++attempt) {
            ctx->attempt = attempt;
            ctx->last_latency = {};
            next_layer chain(&p_->per_attempt, 0, p_->transport_end.get(), ctx);
            auto r = co_await chain(req);  // copy: a retry resends the same request

            attempt_outcome out;
            out.attempt = attempt;
            out.max_attempts = ctx->max_attempts;
            out.replay_safe = ctx->replay_safe;
            const bhttp::fields* headers = nullptr;
            if (r) {
                out.http_status = r->status;
                out.stage = request_stage::completed;
                out.error = r->status >= 200 && r->status < 300 ? boost::system::error_code{}
                                                                : error_from_http_status(r->status);
                headers = &r->headers;
            } else {
                out.error = r.error().code;
                out.stage = r.error().diag.stage;
            }

            event fin;
            fin.kind = event_kind::attempt_finished;
            fin.http_status = out.http_status;
            fin.error = out.error;
            fin.latency = ctx->last_latency;
            fin.request_bytes = req.body.size();
            fin.response_bytes = r ? r->body.size() : 0;
            p_->emit(*ctx, req, fin);

            if (!out.error) {
                ctx->outcome_reason = "succeeded";
                event e;
                e.kind = event_kind::succeeded;
                e.http_status = out.http_status;
                p_->emit(*ctx, req, e);
                co_return r;
            }

            auto decision = o.retry_policy->decide(out);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (decision.retry && cs.cancelled() != asio::cancellation_type::none)
                decision = {false, "cancelled"};
            if (decision.retry && ctx->streamed_bytes > 0)
                decision = {false, "part of the body was already streamed to the caller"};
            std::optional<nanoseconds> delay;
            if (decision.retry) {
                backoff_input in;
                in.retry = attempt;
                in.http_status = out.http_status;
                in.headers = headers;
                in.wall_now = o.clock->wall_now();
                in.random = o.random();
                delay = o.backoff_policy->delay(in);
                if (!delay) decision = {false, "the server asks for a longer wait than allowed"};
            }
            if (decision.retry && o.clock->now() + *delay >= ctx->deadline)
                decision = {false, "the backoff wait would pass the deadline"};
            if (!decision.retry) {
                ctx->outcome_reason = decision.reason;
                event e;
                e.kind = event_kind::gave_up;
                e.http_status = out.http_status;
                e.error = out.error;
                e.reason = decision.reason;
                p_->emit(*ctx, req, e);
                if (p_->opts.logger.enabled(log_level::info) && attempt > 1)
                    p_->log(log_level::info, "giving up after " + std::to_string(attempt) +
                                                 " attempts: " + std::string(decision.reason));
                co_return r;
            }

            event e;
            e.kind = event_kind::retry_scheduled;
            e.http_status = out.http_status;
            e.error = out.error;
            e.delay = *delay;
            e.reason = decision.reason;
            p_->emit(*ctx, req, e);
            if (p_->opts.logger.enabled(log_level::info))
                p_->log(log_level::info, "retrying " + std::string(bhttp::to_string(req.method)) + " " + req.target +
                                             " in " + ms_text(*delay) + " (attempt " + std::to_string(attempt) +
                                             ": " + out.error.message() + ")");
            auto ec = co_await o.sleeper->sleep_for(*delay);
            if (ec) {
                ctx->outcome_reason = "cancelled during the backoff wait";
                co_return make_error(errc::cancelled, request_stage::not_sent, "cancelled during the backoff wait");
            }
        }
    }

private:
    const request_pipeline::impl* p_;
};

} // namespace

request_pipeline::request_pipeline(std::shared_ptr<http::transport> transport, pipeline_options opts)
    : impl_(std::make_shared<impl>()) {
    if (!opts.retry_policy) opts.retry_policy = std::make_shared<default_retry_policy>();
    if (!opts.backoff_policy) opts.backoff_policy = std::make_shared<default_backoff_policy>();
    if (!opts.idempotency_policy) opts.idempotency_policy = std::make_shared<default_idempotency_policy>();
    if (!opts.clock) opts.clock = real_clock();
    if (!opts.sleeper) opts.sleeper = real_sleeper();
    if (!opts.random) opts.random = default_random_source();
    if (opts.max_attempts == 0) opts.max_attempts = 1;
    if (opts.rate_limiting && !opts.rate_limiter) {
        rate_limiter_options ro = opts.limiter_options;
        if (!ro.clock) ro.clock = opts.clock;
        if (!ro.sleeper) ro.sleeper = opts.sleeper;
        opts.rate_limiter = std::make_shared<pipeline::rate_limiter>(std::move(ro));
    }
    if (!opts.rate_limiting) opts.rate_limiter.reset();
    impl_->transport = std::move(transport);
    impl_->opts = std::move(opts);
    auto* p = impl_.get();
    if (p->opts.rate_limiter) p->per_attempt.push_back(std::make_shared<limiter_stage>(p));
    p->per_attempt.push_back(std::make_shared<timeout_stage>(p));
    if (p->opts.logger.sink && p->opts.logger.level != log_level::off)
        p->per_attempt.push_back(std::make_shared<logging_stage>(p));
    for (auto& m : p->opts.per_attempt)
        if (m) p->per_attempt.push_back(m);
    p->transport_end = std::make_unique<transport_terminal>(p);
    p->retry_end = std::make_unique<retry_terminal>(p);
}

request_pipeline::~request_pipeline() = default;

const pipeline_options& request_pipeline::options() const noexcept { return impl_->opts; }

const std::shared_ptr<pipeline::rate_limiter>& request_pipeline::limiter() const noexcept {
    return impl_->opts.rate_limiter;
}

boost::asio::awaitable<pipeline_result> request_pipeline::run(call_context ctx, http::request req,
                                                              std::chrono::milliseconds timeout) {
    auto im = impl_;  // keep the stages alive across suspension
    ctx.deadline = im->opts.clock->now() + timeout;
    ctx.replay_safe = ctx.replay_safe_override
                          ? *ctx.replay_safe_override
                          : im->opts.idempotency_policy->is_replay_safe(ctx.operation, req.method);
    if (ctx.max_attempts == 0) ctx.max_attempts = 1;
    req.idempotent = ctx.replay_safe;
    std::vector<std::shared_ptr<middleware>> per_call;
    for (auto& m : im->opts.per_call)
        if (m) per_call.push_back(m);
    next_layer chain(&per_call, 0, im->retry_end.get(), &ctx);
    pipeline_result out;
    try {
        out.response = co_await chain(std::move(req));
    } catch (const boost::system::system_error& e) {
        // Asio throws operation_aborted when a cancelled coroutine starts another operation
        // (e.g. inside user middleware); callers get the documented error instead.
        if (e.code() == asio::error::operation_aborted) {
            out.response = make_error(errc::cancelled, request_stage::not_sent, "cancelled");
            ctx.outcome_reason = "cancelled";
        } else {
            out.response = make_error(errc::callback_failed, request_stage::sent,
                                      std::string("exception in the pipeline: ") + e.what());
            ctx.outcome_reason = "exception";
        }
    } catch (const std::exception& e) {
        // A throwing middleware or logger ends the call with a value, never an escaping exception.
        // The stage is unknown, so it counts as possibly sent.
        out.response = make_error(errc::callback_failed, request_stage::sent,
                                  std::string("exception in the pipeline: ") + e.what());
        ctx.outcome_reason = "exception";
    }
    out.attempts = ctx.attempt;
    out.rate_limit = ctx.rate_limit;
    out.gave_up_reason = ctx.outcome_reason;
    co_return out;
}

} // namespace intercom::pipeline
