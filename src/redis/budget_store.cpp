#include "asio_adapter.hpp"
#include "budget_script.hpp"

#include <intercom/redis/budget_store.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace intercom::redis {

namespace asio = boost::asio;
using detail::strand_type;
using std::chrono::milliseconds;
using std::chrono::system_clock;

namespace {

// A redisReply copied out of hiredis (which frees it when the callback returns).
struct reply {
    int type = 0;
    long long integer = 0;
    std::string str;
    std::vector<reply> elements;

    bool is_error() const { return type == REDIS_REPLY_ERROR; }
};

reply convert(const redisReply* r) {
    reply out;
    out.type = r->type;
    out.integer = r->integer;
    if (r->str) out.str.assign(r->str, r->len);
    for (std::size_t i = 0; i < r->elements; ++i)
        out.elements.push_back(convert(r->element[i]));
    return out;
}

// One command in flight: hiredis completes it by cancelling the timer that bounds it.
struct pending {
    explicit pending(strand_type s) : timer(std::move(s)) {}
    asio::steady_timer timer;
    bool done = false;
    std::optional<reply> result; // empty when done: the connection went away
};

enum class outcome { ok, timeout, lost, cancelled };

struct cmd_result {
    outcome what = outcome::lost;
    reply r;
};

std::int64_t unix_ms(system_clock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

system_clock::time_point from_unix_ms(std::int64_t ms) {
    return system_clock::time_point{milliseconds{ms}};
}

struct parsed_url {
    std::string host;
    int port = 6379;
    std::string user, password;
    int db = 0;
};

parsed_url parse_redis_url(const std::string& url) {
    auto u = boost::urls::parse_uri(url);
    if (!u) throw std::invalid_argument("intercom::redis: bad URL '" + url + "': " + u.error().message());
    if (u->scheme() != "redis") throw std::invalid_argument("intercom::redis: URL scheme must be redis://");
    parsed_url p;
    p.host = u->host_address();
    if (p.host.empty()) throw std::invalid_argument("intercom::redis: URL without host");
    if (u->has_port()) p.port = u->port_number();
    if (u->has_userinfo()) {
        p.user = u->user();
        if (u->has_password())
            p.password = u->password();
        else
            p.password = std::exchange(p.user, std::string{}); // redis://secret@host
    }
    auto path = std::string(u->path());
    if (!path.empty() && path != "/") {
        try {
            std::size_t used = 0;
            p.db = std::stoi(path.substr(1), &used);
            if (used != path.size() - 1 || p.db < 0) throw std::invalid_argument("db");
        } catch (const std::exception&) {
            throw std::invalid_argument("intercom::redis: URL path must be a database number");
        }
    }
    return p;
}

} // namespace

struct budget_store::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, budget_store_options o)
        : opts(std::move(o)), strand(asio::make_strand(ex)), ready_evt(strand), backoff_timer(strand) {
        url = parse_redis_url(opts.url);
        auto base = opts.key_prefix + "{" + opts.name + "}";
        wkey = base + ":w";
        mkey = base + ":m";
        window_len = opts.window;
    }

    ~impl() { drop(); }

    budget_store_options opts;
    parsed_url url;
    std::string wkey, mkey;
    strand_type strand;

    // Strand-only state.
    redisAsyncContext* ac = nullptr;
    bool connected = false;
    bool closed = false;
    bool maintaining = false;             // the (re)connect loop runs
    std::shared_ptr<pending> connect_evt; // completed by on_connect
    asio::steady_timer ready_evt;         // cancelled when the first connection attempt ends
    asio::steady_timer backoff_timer;
    std::string sha;
    std::shared_ptr<pipeline::local_budget_store> fallback;

    // Any thread.
    std::atomic<store_mode> mode{store_mode::connecting};
    mutable std::mutex mtx;                         // guards the members below
    std::optional<rate_limit_snapshot> last;        // last view from Redis
    std::int64_t last_budget = 0;                   // last window budget from Redis (or the server)
    std::optional<rate_limit_snapshot> last_server; // last X-RateLimit-* snapshot seen by this process
    milliseconds window_len;
    store_stats stats;
    std::shared_ptr<pipeline::local_budget_store> fallback_view; // = fallback, for snapshot()

    // host:port/db, never the password.
    std::string where() const {
        return url.host + ":" + std::to_string(url.port) + "/" + std::to_string(url.db);
    }

    void log(std::string_view line) {
        if (opts.log) opts.log(line);
    }

    // ---- connection -------------------------------------------------------------------------

    static void on_connect(const redisAsyncContext* c, int status) {
        auto* self = static_cast<impl*>(c->data);
        if (!self || self->ac != c) return;
        self->connected = status == REDIS_OK;
        if (!self->connected) self->ac = nullptr; // hiredis frees it after this callback
        if (auto ev = self->connect_evt) {
            ev->done = true;
            ev->timer.cancel();
        }
    }

    static void on_disconnect(const redisAsyncContext* c, int) {
        auto* self = static_cast<impl*>(c->data);
        if (!self || self->ac != c) return; // dropped by us: nothing to report
        // The server closed the connection (hiredis frees the context after this callback).
        self->ac = nullptr;
        self->connected = false;
        asio::post(self->strand, [w = self->weak_from_this()] {
            if (auto s = w.lock()) s->enter_fallback("connection to Redis lost");
        });
    }

    static void on_reply(redisAsyncContext*, void* r, void* priv) {
        std::unique_ptr<std::shared_ptr<pending>> holder(static_cast<std::shared_ptr<pending>*>(priv));
        auto& p = **holder;
        p.done = true;
        if (r) p.result = convert(static_cast<redisReply*>(r));
        p.timer.cancel();
    }

    // Frees the connection; pending commands complete as `lost`.
    void drop() {
        if (!ac) return;
        auto* a = std::exchange(ac, nullptr);
        connected = false;
        redisAsyncFree(a);
    }

    asio::awaitable<cmd_result> command(std::vector<std::string> args, milliseconds timeout) {
        if (!ac || !connected) co_return cmd_result{outcome::lost, {}};
        auto p = std::make_shared<pending>(strand);
        p->timer.expires_after(timeout);
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        auto* holder = new std::shared_ptr<pending>(p);
        if (redisAsyncCommandArgv(ac, &impl::on_reply, holder, static_cast<int>(argv.size()), argv.data(),
                                  lens.data()) != REDIS_OK) {
            delete holder;
            co_return cmd_result{outcome::lost, {}};
        }
        auto [ec] = co_await p->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!p->done) co_return cmd_result{ec ? outcome::cancelled : outcome::timeout, {}};
        if (!p->result) co_return cmd_result{outcome::lost, {}};
        co_return cmd_result{outcome::ok, std::move(*p->result)};
    }

    static milliseconds time_left(std::chrono::steady_clock::time_point deadline) {
        return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(
                                             deadline - std::chrono::steady_clock::now()));
    }

    // One attempt: TCP connect, AUTH, SELECT, SCRIPT LOAD, all within connect_timeout.
    asio::awaitable<bool> connect_once() {
        drop();
        auto deadline = std::chrono::steady_clock::now() + opts.connect_timeout;
        auto* c = redisAsyncConnect(url.host.c_str(), url.port);
        if (!c) co_return false;
        if (c->err) {
            redisAsyncFree(c);
            co_return false;
        }
        c->data = this;
        ac = c;
        connected = false;
        detail::attach_asio(c, strand);
        connect_evt = std::make_shared<pending>(strand);
        auto ev = connect_evt;
        ev->timer.expires_at(deadline);
        redisAsyncSetConnectCallback(c, &impl::on_connect);
        redisAsyncSetDisconnectCallback(c, &impl::on_disconnect);
        (void)co_await ev->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        connect_evt.reset();
        if (!connected || closed) {
            drop();
            co_return false;
        }
        if (!url.password.empty()) {
            std::vector<std::string> auth{"AUTH"};
            if (!url.user.empty()) auth.push_back(url.user);
            auth.push_back(url.password);
            auto r = co_await command(std::move(auth), time_left(deadline));
            if (r.what != outcome::ok || r.r.is_error()) {
                drop();
                co_return false;
            }
        }
        if (url.db != 0) {
            std::vector<std::string> select{"SELECT", std::to_string(url.db)};
            auto r = co_await command(std::move(select), time_left(deadline));
            if (r.what != outcome::ok || r.r.is_error()) {
                drop();
                co_return false;
            }
        }
        if (!co_await load_script(time_left(deadline))) {
            drop();
            co_return false;
        }
        co_return !closed;
    }

    asio::awaitable<bool> load_script(milliseconds timeout) {
        std::vector<std::string> load{"SCRIPT", "LOAD", detail::budget_script};
        auto r = co_await command(std::move(load), timeout);
        if (r.what != outcome::ok || r.r.type != REDIS_REPLY_STRING) co_return false;
        sha = r.r.str;
        std::lock_guard lk(mtx);
        ++stats.script_loads;
        co_return true;
    }

    // A restarted Redis knows nothing: tell it what the server said last, so the window it starts
    // is not a full one that the fallback has already spent from.
    asio::awaitable<bool> replay_last_server() {
        std::optional<rate_limit_snapshot> seen;
        {
            std::lock_guard lk(mtx);
            seen = last_server;
        }
        if (!seen) co_return true;
        if (co_await eval(update_args(*seen, pipeline::budget_query{system_clock::now(), 0}), false))
            co_return true;
        drop();
        co_return false;
    }

    // Connects, and reconnects with backoff after failures, until connected or closed.
    static asio::awaitable<void> maintain(std::shared_ptr<impl> self) {
        co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
        auto backoff = self->opts.reconnect_backoff;
        for (;;) {
            if (self->closed) break;
            bool ok = co_await self->connect_once();
            bool first = self->mode.load() == store_mode::connecting;
            if (ok && !first) ok = co_await self->replay_last_server();
            if (ok) {
                self->fallback.reset();
                {
                    std::lock_guard lk(self->mtx);
                    self->fallback_view.reset();
                }
                self->mode = store_mode::shared;
                if (!first) {
                    {
                        std::lock_guard lk(self->mtx);
                        ++self->stats.reconnects;
                    }
                    self->log("intercom redis budget store: Redis is back; shared accounting resumed");
                }
                self->ready_evt.cancel();
                break;
            }
            if (first) self->enter_fallback("cannot connect to Redis at " + self->where());
            self->ready_evt.cancel();
            if (self->closed) break;
            self->backoff_timer.expires_after(backoff);
            (void)co_await self->backoff_timer.async_wait(asio::as_tuple(asio::use_awaitable));
            backoff = std::min(backoff * 2, self->opts.reconnect_backoff_max);
        }
        self->maintaining = false;
    }

    void start_maintain() {
        if (maintaining || closed) return;
        // Requests wait for the first attempt at most this long (see await_first_connection).
        if (mode.load() == store_mode::connecting)
            ready_evt.expires_after(opts.connect_timeout + milliseconds(50));
        maintaining = true;
        asio::co_spawn(strand, maintain(shared_from_this()), asio::detached);
    }

    // ---- fallback ---------------------------------------------------------------------------

    std::optional<std::int64_t> fallback_budget(std::int64_t full) const {
        if (opts.fallback_limit) return std::max<std::int64_t>(1, *opts.fallback_limit);
        if (full <= 0) return std::nullopt;
        return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(full * opts.fallback_share)));
    }

    // A server snapshot cut down to the fallback's share.
    rate_limit_snapshot scaled(const rate_limit_snapshot& s) const {
        rate_limit_snapshot out = s;
        if (opts.fallback_limit) {
            out.limit = std::max<std::int64_t>(1, *opts.fallback_limit);
            out.remaining = std::min(out.limit, s.remaining);
        } else {
            out.limit = *fallback_budget(std::max<std::int64_t>(1, s.limit));
            out.remaining = std::min(out.limit, static_cast<std::int64_t>(std::floor(
                                                    static_cast<double>(s.remaining) * opts.fallback_share)));
        }
        return out;
    }

    void fail(bool fall_back, const std::string& why) {
        if (fall_back) enter_fallback(why);
    }

    void enter_fallback(const std::string& why) {
        if (mode.load() == store_mode::fallback || closed) return;
        std::optional<rate_limit_snapshot> seen;
        std::int64_t full;
        pipeline::local_budget_options lo;
        {
            std::lock_guard lk(mtx);
            ++stats.fallbacks;
            seen = last;
            full = last_budget;
            lo.window = window_len;
        }
        lo.reset_margin = opts.reset_margin;
        lo.initial_limit = fallback_budget(full);
        if (!lo.initial_limit && opts.initial_limit) lo.initial_limit = fallback_budget(*opts.initial_limit);
        fallback = std::make_shared<pipeline::local_budget_store>(lo);
        if (seen && full > 0) {
            auto s = *seen;
            s.limit = full;
            fallback->update_now(scaled(s), {system_clock::now(), 0});
        }
        {
            std::lock_guard lk(mtx);
            fallback_view = fallback;
        }
        mode = store_mode::fallback;
        drop();
        std::string line = "intercom redis budget store: " + why + "; using an in-process budget of ";
        line +=
            lo.initial_limit ? std::to_string(*lo.initial_limit) + " per window" : "(learned from headers)";
        line += " until Redis is back";
        log(line);
        start_maintain();
    }

    // ---- the two operations, on the strand ---------------------------------------------------

    std::vector<std::string> script_args(char op, const pipeline::budget_query& q) {
        std::int64_t seed = -1;
        {
            std::lock_guard lk(mtx);
            if (last_budget > 0) seed = last_budget;
        }
        if (seed < 0 && opts.initial_limit) seed = *opts.initial_limit;
        constexpr std::int64_t grace_ms = 1000;
        return {"EVALSHA",
                sha,
                "2",
                wkey,
                mkey,
                std::string(1, op),
                std::to_string(unix_ms(q.now)),
                std::to_string(q.unanswered),
                std::to_string(opts.window.count()),
                std::to_string(opts.reset_margin.count()),
                std::to_string(grace_ms),
                std::to_string(std::max<std::int64_t>(1000, opts.meta_ttl.count())),
                std::to_string(seed)};
    }

    std::vector<std::string> update_args(const rate_limit_snapshot& s, const pipeline::budget_query& q) {
        auto args = script_args('u', q);
        args.push_back(std::to_string(s.limit));
        args.push_back(std::to_string(s.remaining));
        args.push_back(std::to_string(s.reset == system_clock::time_point{} ? 0 : unix_ms(s.reset)));
        return args;
    }

    // Runs the script (reloading it once on NOSCRIPT). Empty on failure, after falling back.
    // With `fall_back` false (while reconnecting) a failure only returns empty.
    asio::awaitable<std::optional<std::vector<std::int64_t>>> eval(std::vector<std::string> args,
                                                                   bool fall_back = true) {
        auto r = co_await command(args, opts.command_timeout);
        if (r.what == outcome::ok && r.r.is_error() && r.r.str.rfind("NOSCRIPT", 0) == 0) {
            if (co_await load_script(opts.command_timeout)) {
                args[1] = sha;
                r = co_await command(args, opts.command_timeout);
            }
        }
        if (r.what == outcome::cancelled) co_return std::nullopt;
        if (r.what != outcome::ok) {
            fail(fall_back, r.what == outcome::timeout ? "Redis did not answer within command_timeout"
                                                       : "connection to Redis lost");
            co_return std::nullopt;
        }
        if (r.r.type != REDIS_REPLY_ARRAY || r.r.elements.size() != 6) {
            fail(fall_back, "unexpected answer from Redis: " + (r.r.is_error() ? r.r.str : std::string("?")));
            co_return std::nullopt;
        }
        std::vector<std::int64_t> v;
        for (auto& e : r.r.elements) {
            if (e.type != REDIS_REPLY_INTEGER) {
                fail(fall_back, "unexpected answer from Redis");
                co_return std::nullopt;
            }
            v.push_back(e.integer);
        }
        // {admitted, end, limit, remaining, budget, len}
        std::lock_guard lk(mtx);
        if (v[2] >= 0 && v[3] >= 0) {
            last = rate_limit_snapshot{v[2], v[3], from_unix_ms(v[1])};
            last_budget = v[4];
        }
        if (v[5] > 0) window_len = milliseconds(v[5]);
        co_return v;
    }

    // Waits (bounded by connect_timeout) for the first connection attempt to finish.
    asio::awaitable<void> await_first_connection() {
        if (mode.load() != store_mode::connecting) co_return;
        (void)co_await ready_evt.async_wait(asio::as_tuple(asio::use_awaitable));
        if (mode.load() == store_mode::connecting)
            enter_fallback("no connection to Redis within connect_timeout");
    }

    static asio::awaitable<pipeline::budget_grant> acquire(std::shared_ptr<impl> self,
                                                           pipeline::budget_query q) {
        co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
        co_await self->await_first_connection();
        if (self->mode.load() == store_mode::shared) {
            auto v = co_await self->eval(self->script_args('a', q));
            if (v) {
                std::lock_guard lk(self->mtx);
                ++self->stats.redis_acquires;
                if ((*v)[0] == 1) co_return pipeline::budget_grant{true, {}};
                co_return pipeline::budget_grant{false, from_unix_ms((*v)[1]) + self->opts.reset_margin};
            }
        }
        {
            std::lock_guard lk(self->mtx);
            ++self->stats.fallback_acquires;
        }
        if (!self->fallback) co_return pipeline::budget_grant{true, {}}; // cancelled mid-command: fail open
        co_return self->fallback->acquire_now(q);
    }

    static asio::awaitable<void> update(std::shared_ptr<impl> self, rate_limit_snapshot s,
                                        pipeline::budget_query q) {
        co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
        co_await self->await_first_connection();
        {
            std::lock_guard lk(self->mtx);
            self->last_server = s;
        }
        if (self->mode.load() == store_mode::shared) {
            if (co_await self->eval(self->update_args(s, q))) {
                std::lock_guard lk(self->mtx);
                ++self->stats.redis_updates;
                co_return;
            }
        }
        {
            std::lock_guard lk(self->mtx);
            if (self->last_budget <= 0) self->last_budget = s.limit;
        }
        if (self->fallback) self->fallback->update_now(self->scaled(s), q);
    }

    void close() {
        closed = true;
        backoff_timer.cancel();
        ready_evt.cancel();
        if (auto ev = connect_evt) ev->timer.cancel();
        drop();
    }
};

budget_store::budget_store(asio::any_io_executor ex, budget_store_options opts)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts))) {
    if (impl_->opts.fallback_share <= 0 || impl_->opts.fallback_share > 1)
        throw std::invalid_argument("intercom::redis: fallback_share must be in (0, 1]");
    asio::post(impl_->strand, [self = impl_] { self->start_maintain(); });
}

budget_store::~budget_store() {
    asio::post(impl_->strand, [self = impl_] { self->close(); });
}

asio::awaitable<pipeline::budget_grant> budget_store::try_acquire(pipeline::budget_query q) {
    co_return co_await asio::co_spawn(impl_->strand, impl::acquire(impl_, q), asio::use_awaitable);
}

asio::awaitable<void> budget_store::update(rate_limit_snapshot s, pipeline::budget_query q) {
    co_await asio::co_spawn(impl_->strand, impl::update(impl_, s, q), asio::use_awaitable);
}

std::optional<rate_limit_snapshot> budget_store::snapshot() const {
    std::shared_ptr<pipeline::local_budget_store> fb;
    {
        std::lock_guard lk(impl_->mtx);
        if (impl_->mode.load() != store_mode::fallback || !impl_->fallback_view) return impl_->last;
        fb = impl_->fallback_view;
    }
    return fb->snapshot();
}

store_mode budget_store::mode() const noexcept {
    return impl_->mode.load();
}

store_stats budget_store::stats() const {
    std::lock_guard lk(impl_->mtx);
    return impl_->stats;
}

std::string budget_store::window_key() const {
    return impl_->wkey;
}
std::string budget_store::meta_key() const {
    return impl_->mkey;
}
const budget_store_options& budget_store::options() const noexcept {
    return impl_->opts;
}

} // namespace intercom::redis
