#include <intercom/http/https_transport.hpp>

#include <intercom/http/detail/connection_pool.hpp>
#include <intercom/http/detail/read_response.hpp>
#include <intercom/http/detail/transport_rules.hpp>
#include <intercom/http/request_rules.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace intercom::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using detail::connection;
using detail::connection_pool;
using detail::io_phase;
using asio::awaitable;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using outgoing_message = beast_http::request<beast_http::string_body>;

bool is_ip_literal(const std::string& host) {
    error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

std::string host_header(const origin& o) {
    std::string h = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
    bool default_port = (o.is_tls() && o.port == 443) || (!o.is_tls() && o.port == 80);
    return default_port ? h : h + ":" + std::to_string(o.port);
}

} // namespace

struct https_transport::impl {
    asio::any_io_executor ex;
    transport_options opts;
    std::optional<ssl::context> tls_ctx;
    std::string tls_ctx_error;  // why the TLS context could not be set up (bad CA file/PEM)

    mutable std::mutex mtx;
    bool closed = false;
    std::map<origin, std::shared_ptr<connection_pool>> pools;

    impl(asio::any_io_executor e, transport_options o) : ex(std::move(e)), opts(std::move(o)) { setup_tls(); }

    void setup_tls() {
        tls_ctx.emplace(ssl::context::tls_client);
        auto& ctx = *tls_ctx;
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
        error_code ec;
        if (opts.tls.verification == peer_verification::enabled) {
            ctx.set_verify_mode(ssl::verify_peer);
        } else {
            ctx.set_verify_mode(ssl::verify_none);
        }
        if (opts.tls.use_system_trust_store) {
            ctx.set_default_verify_paths(ec);  // a machine without a CA store can still use ca_pem
        }
        if (!opts.tls.ca_file.empty()) {
            ctx.load_verify_file(opts.tls.ca_file, ec);
            if (ec) tls_ctx_error = "cannot load CA file '" + opts.tls.ca_file + "': " + ec.message();
        }
        if (!opts.tls.ca_pem.empty()) {
            ctx.add_certificate_authority(asio::buffer(opts.tls.ca_pem), ec);
            if (ec) tls_ctx_error = "cannot load CA PEM: " + ec.message();
        }
    }

    std::shared_ptr<connection_pool> pool_for(const origin& o) {
        std::lock_guard lk(mtx);
        if (closed) return nullptr;
        auto& p = pools[o];
        if (!p) p = std::make_shared<connection_pool>(opts.pool);
        return p;
    }
};

namespace {

/// Everything one send needs. Lives in the caller's coroutine frame for the whole send; with
/// `io_threading::any_thread` the attempt coroutine on the connection's strand borrows it (the
/// caller is suspended on that coroutine meanwhile).
struct exchange {
    https_transport::impl* owner = nullptr;
    connection_pool* pool = nullptr;
    const origin* to = nullptr;
    outgoing_message msg;            // built once per send, reused by the fresh-connection resend
    const send_options* opts = nullptr;
    detail::pool_lease lease;
    bool head = false;
    std::chrono::steady_clock::time_point deadline;  // the attempt budget ends here

    request_stage stage = request_stage::not_sent;
    bool keep_alive = false;
    bool budget_bound = false;  // the last phase timeout was cut short by the attempt budget

    /// `configured`, capped by what is left of the attempt budget (at least 1 ms).
    std::chrono::steady_clock::duration phase_budget(std::chrono::steady_clock::duration configured) {
        auto left = deadline - std::chrono::steady_clock::now();
        budget_bound = left < configured;
        auto d = budget_bound ? left : configured;
        return d < std::chrono::milliseconds(1) ? std::chrono::steady_clock::duration(std::chrono::milliseconds(1)) : d;
    }
};

error_info make_error(errc code, error_code cause, std::string message) {
    error_info e{code};
    e.diag.cause = cause;
    e.diag.message = std::move(message);
    return e;
}

awaitable<std::optional<error_info>> establish(exchange* x) {
    auto& o = x->owner->opts;
    connection& c = *x->lease.get();
    const std::string& host = x->to->host;

    std::vector<asio::ip::tcp::endpoint> endpoints;
    error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (!ec) {
        endpoints.emplace_back(addr, x->to->port);
    } else {
        // The resolver has no timeout of its own: a timer on the same strand cancels it.
        struct resolve_state {
            explicit resolve_state(const asio::any_io_executor& s) : resolver(s), timer(s) {}
            asio::ip::tcp::resolver resolver;
            asio::steady_timer timer;
            bool done = false;
            bool timed_out = false;
        };
        auto st = std::make_shared<resolve_state>(c.executor);
        st->timer.expires_after(x->phase_budget(o.resolve_timeout));
        st->timer.async_wait([st](error_code e) {
            if (e || st->done) return;
            st->timed_out = true;
            st->resolver.cancel();
        });
        auto [rec, results] = co_await st->resolver.async_resolve(host, std::to_string(x->to->port), use_tuple);
        st->done = true;
        st->timer.cancel();
        if (rec) {
            if (st->timed_out)
                co_return make_error(x->budget_bound ? errc::attempt_timeout : errc::resolve_failed,
                                     asio::error::timed_out, "resolving '" + host + "' timed out");
            co_return make_error(detail::classify_io_error(rec, io_phase::resolve), rec,
                                 "cannot resolve '" + host + "': " + rec.message());
        }
        for (const auto& r : results) endpoints.push_back(r.endpoint());
    }

    if (x->to->is_tls()) {
        c.tls.emplace(c.executor, *x->owner->tls_ctx);
    } else {
        c.plain.emplace(c.executor);
    }
    auto& tcp = c.tcp();
    tcp.expires_after(x->phase_budget(o.connect_timeout));
    auto [cec, ep] = co_await tcp.async_connect(endpoints, use_tuple);
    if (cec) {
        auto code = detail::classify_io_error(cec, io_phase::connect);
        if (code == errc::connect_timeout && x->budget_bound) code = errc::attempt_timeout;
        co_return make_error(code, cec,
                             code == errc::connect_timeout || code == errc::attempt_timeout
                                 ? "connecting to " + x->to->to_string() + " timed out"
                                 : "cannot connect to " + x->to->to_string() + ": " + cec.message());
    }
    error_code ignored;
    tcp.socket().set_option(asio::ip::tcp::no_delay(true), ignored);

    if (c.tls) {
        SSL* s = c.tls->native_handle();
        bool ip = is_ip_literal(host);
        if (!ip) SSL_set_tlsext_host_name(s, host.c_str());  // SNI (not allowed for IP literals)
        if (o.tls.verification == peer_verification::enabled) {
            c.tls->set_verify_mode(ssl::verify_peer);
            // OpenSSL's own check gives a precise verify result (X509_V_ERR_HOSTNAME_MISMATCH);
            // Asio's callback is the belt to those braces.
            X509_VERIFY_PARAM* param = SSL_get0_param(s);
            if (ip) X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
            else X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
            c.tls->set_verify_callback(ssl::host_name_verification(host));
        } else {
            c.tls->set_verify_mode(ssl::verify_none);
        }
        tcp.expires_after(x->phase_budget(o.tls_handshake_timeout));
        auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, use_tuple);
        if (hec) {
            long vr = SSL_get_verify_result(s);
            bool verify_failed = vr != X509_V_OK ||
                                 (hec.category() == asio::error::get_ssl_category() &&
                                  ERR_GET_REASON(static_cast<unsigned long>(hec.value())) ==
                                      SSL_R_CERTIFICATE_VERIFY_FAILED);
            if (verify_failed && hec != beast::error::timeout && hec != asio::error::operation_aborted) {
                std::string why = vr != X509_V_OK ? X509_verify_cert_error_string(vr) : hec.message();
                co_return make_error(errc::tls_verification_failed, hec,
                                     "TLS certificate of " + x->to->to_string() + " rejected: " + why);
            }
            auto code = detail::classify_io_error(hec, io_phase::handshake);
            if (code == errc::tls_handshake_timeout && x->budget_bound) code = errc::attempt_timeout;
            co_return make_error(code, hec,
                                 code == errc::tls_handshake_timeout || code == errc::attempt_timeout
                                     ? "TLS handshake with " + x->to->to_string() + " timed out"
                                     : "TLS handshake with " + x->to->to_string() + " failed: " + hec.message());
        }
    }
    tcp.expires_never();
    c.established = true;
    c.created_at = c.last_used = x->pool->now();
    co_return std::nullopt;
}

template <class Stream>
awaitable<result<response>> exchange_on(Stream* s, exchange* x) {
    auto& o = x->owner->opts;
    connection& c = *x->lease.get();
    auto& tcp = c.tcp();
    auto fail = [&x](errc code, error_code cause, std::string what) {
        auto e = make_error(code, cause, std::move(what));
        e.diag.stage = x->stage;
        return e;
    };

    // The stream's expiry is the attempt timeout: what is left of the budget, for writing and reading.
    auto left = x->deadline - std::chrono::steady_clock::now();
    tcp.expires_after(left < std::chrono::milliseconds(1) ? std::chrono::steady_clock::duration(std::chrono::milliseconds(1)) : left);
    x->stage = request_stage::partially_sent;
    auto [wec, wn] = co_await beast_http::async_write(*s, x->msg, use_tuple);
    if (wec) {
        auto code = detail::classify_io_error(wec, io_phase::exchange);
        co_return fail(code, wec, "writing the request failed: " + wec.message());
    }
    x->stage = request_stage::sent;

    auto r = co_await detail::read_response(s, &c.buffer, o.limits, x->head, x->opts->sink ? &x->opts->sink : nullptr,
                                            &x->stage);
    if (!r) co_return std::move(r).error();
    tcp.expires_never();
    ++c.requests_served;
    x->keep_alive = r->keep_alive;
    co_return std::move(r->res);
}

/// One attempt on a leased connection: connect if it is fresh, then write the request and read
/// the response. Never throws.
awaitable<result<response>> attempt_body(exchange* x) {
    try {
        connection& c = *x->lease.get();
        if (!c.established) {
            if (auto e = co_await establish(x)) {
                e->diag.stage = request_stage::not_sent;
                co_return *e;
            }
            x->lease.mark_created();
        }
        if (c.tls) co_return co_await exchange_on(&*c.tls, x);
        co_return co_await exchange_on(&*c.plain, x);
    } catch (const boost::system::system_error& ex) {
        auto e = make_error(detail::classify_io_error(ex.code(), io_phase::exchange), ex.code(), ex.what());
        e.diag.stage = x->stage;
        co_return e;
    } catch (const std::exception& ex) {
        auto e = make_error(errc::connection_closed, {}, std::string("unexpected failure: ") + ex.what());
        e.diag.stage = x->stage;
        co_return e;
    }
}

/// `attempt_body` as its own awaitable thread on the connection's strand (`io_threading::any_thread`).
awaitable<result<response>> run_attempt_on_strand(exchange* x) {
    // Errors come back as values even after cancellation, so the caller can classify them.
    co_await asio::this_coro::throw_if_cancelled(false);
    co_return co_await attempt_body(x);
}

awaitable<result<response>> do_send(std::shared_ptr<https_transport::impl> self, origin to, request req,
                                    send_options opts) {
    const auto start = std::chrono::steady_clock::now();
    auto finish = [&req](error_info e, unsigned attempts) {
        e.diag.method = std::string(beast_http::to_string(req.method));
        e.diag.target = req.target;
        e.diag.attempts = attempts;
        return e;
    };

    if (!to.is_tls() && !to.is_loopback() && !self->opts.allow_plain_http_to_remote_hosts) {
        co_return finish(make_error(errc::insecure_url_refused, {},
                                    "refusing plain http:// to non-loopback host '" + to.host +
                                        "' (set allow_plain_http_to_remote_hosts to permit it)"),
                         0);
    }
    // The last point before the wire: also covers headers that user middleware added.
    if (auto bad = check_request(req)) {
        co_return finish(make_error(errc::invalid_argument, {}, "cannot send: " + *bad), 0);
    }
    if (to.is_tls() && !self->tls_ctx_error.empty()) {
        co_return finish(make_error(errc::invalid_argument, {}, self->tls_ctx_error), 0);
    }

    auto pool = self->pool_for(to);
    if (!pool) co_return finish(make_error(errc::pool_closed, {}, "the transport is closed"), 0);

    exchange x;
    x.owner = self.get();
    x.pool = pool.get();
    x.to = &to;
    x.opts = &opts;
    x.head = req.method == beast_http::verb::head;
    x.deadline = start + opts.attempt_timeout;
    try {
        // Built once: the request's own fields move into the message (the caller gave us a copy).
        // Fields first: Beast keeps the start line's target inside the fields object.
        static_cast<beast_http::fields&>(x.msg) = std::move(req.headers);
        x.msg.method(req.method);
        x.msg.target(req.target);
        x.msg.version(11);
        x.msg.set(beast_http::field::host, host_header(to));
        if (self->opts.request_gzip) x.msg.set(beast_http::field::accept_encoding, "gzip");
        x.msg.keep_alive(true);
        x.msg.body() = std::move(req.body);
        x.msg.prepare_payload();
    } catch (const std::exception& ex) {
        co_return finish(make_error(errc::invalid_argument, {}, std::string("cannot build the request: ") + ex.what()),
                         0);
    }

    const bool inline_io = self->opts.threading == io_threading::one_thread;
    unsigned attempts = 0;
    bool fresh = opts.fresh_connection;
    bool reused = false;
    try {
        for (;;) {
            ++attempts;
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(x.deadline - std::chrono::steady_clock::now());
            const bool budget_bound = wait < pool->options().wait_timeout;
            auto lease = co_await connection_pool::acquire(pool, fresh, budget_bound ? wait : pool->options().wait_timeout);
            if (!lease) {
                auto e = lease.error();
                if (budget_bound && e.code == errc::pool_wait_timeout) {
                    e.code = make_error_code(errc::attempt_timeout);
                    e.diag.message = "no pooled connection became free within the attempt timeout";
                }
                e.diag.stage = request_stage::not_sent;
                co_return finish(std::move(e), attempts);
            }
            x.lease = std::move(*lease);
            x.stage = request_stage::not_sent;
            x.keep_alive = false;
            reused = x.lease.reused();
            if (!x.lease.get()) {
                asio::any_io_executor ex;
                if (inline_io) {
                    ex = co_await asio::this_coro::executor;
                } else {
                    ex = asio::make_strand(self->ex);
                }
                x.lease.adopt(std::make_unique<connection>(std::move(ex)));
            }

            result<response> r = error_info{};
            if (inline_io) {
                r = co_await attempt_body(&x);
            } else {
                auto ex = x.lease.get()->executor;
                r = co_await asio::co_spawn(ex, run_attempt_on_strand(&x), asio::use_awaitable);
            }
            if (r) {
                x.lease.release(x.keep_alive);
                r->reused_connection = reused;
                r->elapsed = std::chrono::steady_clock::now() - start;
                co_return r;
            }
            x.lease.release(false);  // a failed connection is never reused
            auto e = std::move(r).error();
            e.diag.reused_connection = reused;
            errc code = e.code.category() == error_category() ? static_cast<errc>(e.code.value()) : errc{};
            if (opts.resend_on_fresh_connection && !fresh &&
                detail::may_retry_on_fresh_connection(reused, code, e.diag.stage, req.idempotent)) {
                fresh = true;
                continue;
            }
            co_return finish(std::move(e), attempts);
        }
    } catch (const boost::system::system_error& ex) {
        // co_await throws once the awaiting coroutine is cancelled (throw_if_cancelled);
        // leases are released by their destructors.
        auto code = ex.code() == asio::error::operation_aborted ? errc::cancelled : errc::connection_closed;
        auto e = make_error(code, ex.code(), "the request was cancelled");
        e.diag.stage = x.stage;
        e.diag.reused_connection = reused;
        co_return finish(std::move(e), attempts);
    }
}

} // namespace

https_transport::https_transport(asio::any_io_executor ex, transport_options opts)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts))) {}

https_transport::~https_transport() { close(); }

awaitable<result<response>> https_transport::send(origin to, request req, send_options opts) {
    return do_send(impl_, std::move(to), std::move(req), std::move(opts));
}

asio::any_io_executor https_transport::get_executor() { return impl_->ex; }

bool https_transport::enforces_attempt_timeout() const noexcept { return true; }

pool_stats https_transport::stats(const origin& to) const {
    std::shared_ptr<connection_pool> p;
    {
        std::lock_guard lk(impl_->mtx);
        auto it = impl_->pools.find(to);
        if (it != impl_->pools.end()) p = it->second;
    }
    return p ? p->stats() : pool_stats{};
}

void https_transport::close() {
    std::map<origin, std::shared_ptr<connection_pool>> pools;
    {
        std::lock_guard lk(impl_->mtx);
        if (impl_->closed) return;
        impl_->closed = true;
        pools = impl_->pools;  // keep them registered so stats() still answers
    }
    for (auto& [o, p] : pools) p->close();
}

const transport_options& https_transport::options() const noexcept { return impl_->opts; }

} // namespace intercom::http
