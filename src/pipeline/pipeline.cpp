#include "detail.hpp"

#include <intercom/pipeline/pipeline.hpp>
#include <intercom/pipeline/retry_machine.hpp>

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
    std::vector<std::shared_ptr<middleware>> per_call;     // user stage 2, nulls dropped
    std::vector<std::shared_ptr<middleware>> per_attempt;  // chain form: built-in stages 4-6, then user ones
    const std::vector<std::shared_ptr<middleware>> no_stages;
    std::unique_ptr<next_layer::terminal> transport_end;
    std::unique_ptr<next_layer::terminal> retry_end;
    // The flat path: no user per-attempt middleware, so stages 4-8 run as plain code in the
    // call's coroutine (one coroutine per call when there is no per-call middleware either).
    bool flat = true;
    bool logging = false;
    bool transport_enforces_timeout = false;

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

// The built-in per-attempt work (stages 4-6), written once as plain functions. The flat path calls
// them inline from the call's one coroutine; the stage classes below wrap them for the chain used
// when the user inserted per-attempt middleware.

// Stage 4a: admission. Empty on success (the permit is in `adm`), else the error to return.
boost::asio::awaitable<std::optional<error_info>> admit(const request_pipeline::impl* p, call_context* ctx,
                                                        const http::request* req, admission* adm) {
    auto& lim = *p->opts.rate_limiter;
    *adm = co_await lim.acquire(ctx->deadline);
    if (adm->waited_for_budget > nanoseconds::zero()) {
        event e;
        e.kind = event_kind::limiter_wait;
        e.delay = adm->waited_for_budget;
        e.reason = "window budget exhausted";
        p->emit(*ctx, *req, e);
    }
    if (adm->error == errc::rate_limited) {
        auto e = make_error(errc::rate_limited, request_stage::not_sent,
                            "not sent: the rate-limit window resets in " + ms_text(adm->budget_wait) +
                                ", after this call's deadline");
        e.diag.rate_limit = lim.snapshot();
        co_return e;
    }
    if (adm->error) {
        co_return make_error(adm->error == errc::cancelled ? errc::cancelled : errc::deadline_exceeded,
                             request_stage::not_sent,
                             adm->error == errc::cancelled ? "cancelled while waiting for the rate limiter"
                                                           : "deadline passed while waiting for the rate limiter");
    }
    co_return std::nullopt;
}

// Stage 4b: learning from the answer's X-RateLimit-* headers.
boost::asio::awaitable<void> learn(const request_pipeline::impl* p, call_context* ctx, const result<http::response>* r) {
    if (!*r) co_return;
    if (auto snap = rate_limit_snapshot::from_headers((*r)->headers, p->opts.clock->wall_now())) {
        ctx->rate_limit = snap;
        co_await p->opts.rate_limiter->observe(*snap);
    }
}

// Stage 5: the attempt budget, min(attempt timeout, time left). Sets `send.attempt_timeout`;
// returns false (and the error) when no time is left.
struct attempt_budget {
    nanoseconds budget{};
    bool deadline_bound = false;
};

std::optional<error_info> plan_budget(const request_pipeline::impl* p, call_context* ctx, attempt_budget* b) {
    auto left = std::chrono::duration_cast<nanoseconds>(ctx->deadline - p->opts.clock->now());
    if (left <= nanoseconds::zero())
        return make_error(errc::deadline_exceeded, request_stage::not_sent, "deadline passed before the attempt");
    b->deadline_bound = left < nanoseconds(ctx->attempt_timeout);
    b->budget = b->deadline_bound ? left : nanoseconds(ctx->attempt_timeout);
    ctx->send.attempt_timeout = std::chrono::ceil<std::chrono::milliseconds>(b->budget);
    return std::nullopt;
}

// A timeout the transport enforced is the attempt budget running out: say which budget it was.
void name_timeout(result<http::response>& r, const attempt_budget& b) {
    if (!r && b.deadline_bound && r.error().code == errc::attempt_timeout) {
        r.error().code = make_error_code(errc::deadline_exceeded);
        r.error().diag.message = "deadline passed during the attempt";
    }
}

// Stage 6: logging. Never writes the Authorization value.
std::string describe(const call_context& ctx, const http::request& req) {
    std::string what = std::string(bhttp::to_string(req.method)) + " " + req.target;
    if (!ctx.operation_name.empty()) what += " (" + std::string(ctx.operation_name) + ")";
    return what;
}

void log_request(const request_pipeline::impl* p, const call_context& ctx, const http::request& req) {
    const auto& lg = p->opts.logger;
    if (!lg.enabled(log_level::debug)) return;
    std::string line = "-> " + describe(ctx, req) + " attempt " + std::to_string(ctx.attempt);
    if (lg.enabled(log_level::trace)) {
        for (const auto& f : req.headers) {
            line += "\n   ";
            line += std::string_view{f.name_string()};
            line += ": ";
            bool secret = f.name() == bhttp::field::authorization || f.name() == bhttp::field::proxy_authorization ||
                          f.name() == bhttp::field::cookie;
            line += secret ? std::string_view{"[redacted]"} : std::string_view{f.value()};
        }
        line += "\n   body: " + std::to_string(req.body.size()) + " bytes";
    }
    lg.sink(log_level::debug, line);
}

void log_response(const request_pipeline::impl* p, const call_context& ctx, const http::request& req,
                  const result<http::response>& r, nanoseconds took) {
    const auto& lg = p->opts.logger;
    if (r) {
        auto level = r->status >= 500 || r->status == 429 ? log_level::warning
                     : r->status >= 400                  ? log_level::info
                                                         : log_level::debug;
        if (lg.enabled(level)) {
            lg.sink(level, "<- " + describe(ctx, req) + " attempt " + std::to_string(ctx.attempt) + ": " +
                               std::to_string(r->status) + " in " + ms_text(took) + ", " +
                               std::to_string(r->body.size()) + " bytes");
        }
    } else if (lg.enabled(log_level::warning)) {
        lg.sink(log_level::warning, "<- " + describe(ctx, req) + " attempt " + std::to_string(ctx.attempt) +
                                        ": failed after " + ms_text(took) + ": " + r.error().code.message());
    }
}

// Stage 8: the transport.
boost::system::error_code count_and_forward(std::size_t* counter, const http::body_sink* inner, std::string_view chunk) {
    *counter += chunk.size();
    return (*inner)(chunk);
}

boost::asio::awaitable<result<http::response>> transport_send(const request_pipeline::impl* p, call_context* ctx,
                                                              http::request req) {
    http::send_options so = ctx->send;
    so.resend_on_fresh_connection = false;  // the retry machine decides that (and the limiter pays for it)
    if (ctx->send.sink) {
        // Count what reaches the caller's sink: after the first byte, a retry would duplicate data.
        std::size_t* counter = &ctx->streamed_bytes;
        const http::body_sink* inner = &ctx->send.sink;
        so.sink = [counter, inner](std::string_view chunk) { return count_and_forward(counter, inner, chunk); };
    }
    auto start = p->opts.clock->now();
    auto r = co_await p->transport->send(ctx->origin, std::move(req), std::move(so));
    ctx->last_latency = p->opts.clock->now() - start;
    co_return r;
}

// The rest of an attempt, with an exception (from user middleware behind the timeout) turned
// into a value: Asio's `||` waits for one *successful* branch, so a throwing branch would
// otherwise be ignored until the timer fired.
boost::asio::awaitable<result<http::response>> guarded(next_layer next, http::request req) {
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

// Races the rest of the attempt against the budget on the pipeline's sleeper. Only for transports
// that do not enforce `send_options::attempt_timeout` themselves, or when user middleware runs
// behind the timeout (it may wait on anything).
boost::asio::awaitable<result<http::response>> race_budget(const request_pipeline::impl* p, next_layer next,
                                                           http::request req, attempt_budget b) {
    using namespace boost::asio::experimental::awaitable_operators;
    auto r = co_await (guarded(next, std::move(req)) || p->opts.sleeper->sleep_for(b.budget));
    if (r.index() == 0) co_return std::move(std::get<0>(r));
    if (std::get<1>(r)) co_return make_error(errc::cancelled, request_stage::sent, "cancelled during the attempt");
    // We cannot know how far the transport got: assume the server may have seen the request.
    if (b.deadline_bound)
        co_return make_error(errc::deadline_exceeded, request_stage::sent, "deadline passed during the attempt");
    co_return make_error(errc::attempt_timeout, request_stage::sent, "attempt timed out");
}

// ---------------------------------------------------------------------------------------------
// The chain form of stages 4-6, used only when the user inserted per-attempt middleware.

class limiter_stage final : public middleware {
public:
    explicit limiter_stage(const request_pipeline::impl* p) : p_(p) {}

    boost::asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        auto* ctx = &next.context();
        admission adm;
        if (auto refused = co_await admit(p_, ctx, &req, &adm)) co_return std::move(*refused);
        auto r = co_await next(std::move(req));
        co_await learn(p_, ctx, &r);
        co_return r;  // the permit (in-flight slot) is released here
    }

private:
    const request_pipeline::impl* p_;
};

class timeout_stage final : public middleware {
public:
    explicit timeout_stage(const request_pipeline::impl* p) : p_(p) {}

    boost::asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        attempt_budget b;
        if (auto late = plan_budget(p_, &next.context(), &b)) co_return std::move(*late);
        auto r = co_await race_budget(p_, next, std::move(req), b);
        name_timeout(r, b);
        co_return r;
    }

private:
    const request_pipeline::impl* p_;
};

class logging_stage final : public middleware {
public:
    explicit logging_stage(const request_pipeline::impl* p) : p_(p) {}

    boost::asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        auto& ctx = next.context();
        log_request(p_, ctx, req);
        auto start = p_->opts.clock->now();
        http::request head;  // what log_response needs of the request, kept past the move
        head.method = req.method;
        head.target = req.target;
        auto r = co_await next(std::move(req));
        log_response(p_, ctx, head, r, p_->opts.clock->now() - start);
        co_return r;
    }

private:
    const request_pipeline::impl* p_;
};

class transport_terminal final : public next_layer::terminal {
public:
    explicit transport_terminal(const request_pipeline::impl* p) : p_(p) {}
    boost::asio::awaitable<result<http::response>> send(call_context* ctx, http::request req) override {
        co_return co_await transport_send(p_, ctx, std::move(req));
    }

private:
    const request_pipeline::impl* p_;
};

// ---------------------------------------------------------------------------------------------
// One attempt of the flat path: stages 4-8 as plain code in the call's coroutine.

boost::asio::awaitable<result<http::response>> flat_attempt(const request_pipeline::impl* p, call_context* ctx,
                                                            http::request req) {
    admission adm;
    if (p->opts.rate_limiter) {
        if (auto refused = co_await admit(p, ctx, &req, &adm)) co_return std::move(*refused);
    }
    attempt_budget b;
    if (auto late = plan_budget(p, ctx, &b)) co_return std::move(*late);
    const bool logging = p->logging;
    http::request head;
    if (logging) {
        log_request(p, *ctx, req);
        head.method = req.method;
        head.target = req.target;
    }
    auto start = p->opts.clock->now();
    result<http::response> r = error_info{};
    if (p->transport_enforces_timeout) {
        r = co_await transport_send(p, ctx, std::move(req));  // the stream's expiry is the budget
    } else {
        next_layer rest(&p->no_stages, 0, p->transport_end.get(), ctx);
        r = co_await race_budget(p, rest, std::move(req), b);
    }
    name_timeout(r, b);
    if (logging) log_response(p, *ctx, head, r, p->opts.clock->now() - start);
    if (p->opts.rate_limiter) co_await learn(p, ctx, &r);
    co_return r;  // the permit (in-flight slot) is released here
}

// Stage 3: the retry loop, driven by the retry machine. Runs stages 4-8 once per send.
boost::asio::awaitable<result<http::response>> retry_loop(const request_pipeline::impl* p, call_context* ctx,
                                                          http::request req) {
    const auto& o = p->opts;
    retry_machine m(*o.retry_policy, *o.backoff_policy, ctx->max_attempts, ctx->replay_safe, ctx->deadline);
    auto step = m.start();
    result<http::response> r = error_info{};
    for (;;) {
        switch (step.what) {
        case retry_step::action::send: {
            ctx->attempt = m.attempt();
            ctx->last_latency = {};
            ctx->send.fresh_connection = step.fresh_connection;
            http::request copy = req;  // a retry resends the same request
            if (p->flat) {
                r = co_await flat_attempt(p, ctx, std::move(copy));
            } else {
                next_layer chain(&p->per_attempt, 0, p->transport_end.get(), ctx);
                r = co_await chain(std::move(copy));
            }
            attempt_report rep;
            if (r) {
                rep.http_status = r->status;
                rep.stage = request_stage::completed;
                rep.error = r->status >= 200 && r->status < 300 ? boost::system::error_code{}
                                                                : error_from_http_status(r->status);
                rep.headers = &r->headers;
                rep.reused_connection = r->reused_connection;
            } else {
                rep.error = r.error().code;
                rep.stage = r.error().diag.stage;
                rep.reused_connection = r.error().diag.reused_connection;
            }
            rep.streamed_bytes = ctx->streamed_bytes;

            event fin;
            fin.kind = event_kind::attempt_finished;
            fin.http_status = rep.http_status;
            fin.error = rep.error;
            fin.latency = ctx->last_latency;
            fin.request_bytes = req.body.size();
            fin.response_bytes = r ? r->body.size() : 0;
            p->emit(*ctx, req, fin);

            auto cs = co_await asio::this_coro::cancellation_state;
            bool cancelled = cs.cancelled() != asio::cancellation_type::none;
            step = m.on_attempt(rep, o.clock->now(), o.clock->wall_now(), rep.error ? o.random() : 0.0, cancelled);
            break;
        }
        case retry_step::action::wait: {
            const auto& out = m.last_outcome();
            event e;
            e.kind = event_kind::retry_scheduled;
            e.http_status = out.http_status;
            e.error = out.error;
            e.delay = step.delay;
            e.reason = step.detail;
            p->emit(*ctx, req, e);
            if (o.logger.enabled(log_level::info))
                p->log(log_level::info, "retrying " + std::string(bhttp::to_string(req.method)) + " " + req.target +
                                            " in " + ms_text(step.delay) + " (attempt " + std::to_string(m.attempt()) +
                                            ": " + out.error.message() + ")");
            auto ec = co_await o.sleeper->sleep_for(step.delay);
            step = m.on_wait_done(bool(ec));
            if (step.what == retry_step::action::finish)
                r = make_error(errc::cancelled, request_stage::not_sent, "cancelled during the backoff wait");
            break;
        }
        case retry_step::action::finish: {
            ctx->outcome_reason = step.detail;
            ctx->stop = step.reason;
            event e;
            e.kind = step.reason == stop_reason::succeeded ? event_kind::succeeded : event_kind::gave_up;
            e.http_status = r ? r->status : 0;
            if (!r) e.error = r.error().code;
            else if (e.kind == event_kind::gave_up) e.error = error_from_http_status(r->status);
            e.reason = step.detail;
            e.stop = step.reason;
            p->emit(*ctx, req, e);
            if (e.kind == event_kind::gave_up && o.logger.enabled(log_level::info) && m.attempt() > 1)
                p->log(log_level::info, "giving up after " + std::to_string(m.attempt()) +
                                            " attempts: " + std::string(step.detail));
            co_return r;
        }
        }
    }
}

class retry_terminal final : public next_layer::terminal {
public:
    explicit retry_terminal(const request_pipeline::impl* p) : p_(p) {}
    boost::asio::awaitable<result<http::response>> send(call_context* ctx, http::request req) override {
        co_return co_await retry_loop(p_, ctx, std::move(req));
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
    for (auto& m : p->opts.per_call)
        if (m) p->per_call.push_back(m);
    p->logging = p->opts.logger.sink && p->opts.logger.level != log_level::off;
    p->transport_enforces_timeout = p->transport && p->transport->enforces_attempt_timeout();
    for (auto& m : p->opts.per_attempt)
        if (m) p->flat = false;
    if (!p->flat) {
        if (p->opts.rate_limiter) p->per_attempt.push_back(std::make_shared<limiter_stage>(p));
        p->per_attempt.push_back(std::make_shared<timeout_stage>(p));
        if (p->logging) p->per_attempt.push_back(std::make_shared<logging_stage>(p));
        for (auto& m : p->opts.per_attempt)
            if (m) p->per_attempt.push_back(m);
    }
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
    pipeline_result out;
    try {
        if (im->per_call.empty()) {
            out.response = co_await retry_loop(im.get(), &ctx, std::move(req));
        } else {
            next_layer chain(&im->per_call, 0, im->retry_end.get(), &ctx);
            out.response = co_await chain(std::move(req));
        }
    } catch (const boost::system::system_error& e) {
        // Asio throws operation_aborted when a cancelled coroutine starts another operation
        // (e.g. inside user middleware); callers get the documented error instead.
        if (e.code() == asio::error::operation_aborted) {
            out.response = make_error(errc::cancelled, request_stage::not_sent, "cancelled");
            ctx.outcome_reason = "cancelled";
            ctx.stop = stop_reason::cancelled;
        } else {
            out.response = make_error(errc::callback_failed, request_stage::sent,
                                      std::string("exception in the pipeline: ") + e.what());
            ctx.outcome_reason = "exception";
            ctx.stop = stop_reason::pipeline_error;
        }
    } catch (const std::exception& e) {
        // A throwing middleware or logger ends the call with a value, never an escaping exception.
        // The stage is unknown, so it counts as possibly sent.
        out.response = make_error(errc::callback_failed, request_stage::sent,
                                  std::string("exception in the pipeline: ") + e.what());
        ctx.outcome_reason = "exception";
        ctx.stop = stop_reason::pipeline_error;
    }
    out.attempts = ctx.attempt;
    out.rate_limit = ctx.rate_limit;
    out.gave_up_reason = ctx.outcome_reason;
    out.stop = ctx.stop;
    co_return out;
}

} // namespace intercom::pipeline
