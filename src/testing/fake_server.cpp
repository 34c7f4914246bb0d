// Network side of the fake server: accept loop, HTTP/1.1 sessions (plain or TLS), auth, version check,
// rate limiter, fault injection and the request record. The store and handlers live in the other files.
#include <intercom/testing/certificates.hpp>
#include <intercom/testing/fake_server.hpp>

#include "router.hpp"
#include "store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <random>
#include <tuple>
#include <unordered_map>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace intercom::testing {

namespace {

const std::vector<std::string>& default_versions() {
    static const std::vector<std::string> v{"1.0", "1.1",  "1.2",  "1.3",     "1.4",     "2.0", "2.1",
                                            "2.2", "2.3",  "2.4",  "2.5",     "2.6",     "2.7", "2.8",
                                            "2.9", "2.10", "2.11", "Preview", "Unstable"};
    return v;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string request_id_for(std::uint64_t seq) {
    // 20 lowercase base-36 characters, like Intercom's request ids; distinct per request.
    std::uint64_t z = seq * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ull;
    static const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out(20, '0');
    std::uint64_t a = z, b = seq;
    for (int i = 19; i >= 8; --i) {
        out[static_cast<std::size_t>(i)] = digits[a % 36];
        a /= 36;
    }
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[b % 36];
        b /= 36;
    }
    return out;
}

struct rate_state {
    unsigned limit = 0;
    unsigned remaining = 0;
    std::int64_t reset = 0;
    bool exceeded = false;
};

/// Requests counted in one aligned window (`window` = its index since the epoch).
struct bucket {
    std::int64_t window = -1;
    unsigned used = 0;
};

/// What to send for one request.
struct plan {
    detail::reply rep;
    fault action;
    bool keep_alive = true;
    bool send_nothing = false; // the fault decides (reset before headers)
    std::string head;          // status line and headers
};

} // namespace

struct fake_server::impl : std::enable_shared_from_this<fake_server::impl> {
    asio::any_io_executor ex;
    fake_server_options opts;
    detail::store st;
    detail::router rt;
    asio::strand<asio::any_io_executor> accept_strand;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<asio::ssl::context> ssl_ctx;
    std::string ca;
    std::uint16_t bound_port = 0;
    std::atomic<bool> stopped{false};
    bool started = false;

    mutable std::mutex mu; // everything below
    std::vector<fault_rule> rules;
    std::vector<unsigned> rule_hits;
    std::deque<recorded_request> record;
    std::uint64_t seq = 0;
    std::uint64_t conn_seq = 0;
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 0;
    std::unordered_map<std::string, bucket> buckets;            // per token (app)
    std::unordered_map<std::string, bucket> workspace_buckets;  // per workspace
    std::atomic<std::uint64_t> throttled{0};
    std::atomic<std::uint64_t> handled{0};
    std::unordered_map<std::uint64_t, std::function<void()>> closers;

    impl(asio::any_io_executor e, fake_server_options o)
        : ex(std::move(e)), opts(std::move(o)), accept_strand(asio::make_strand(ex)) {
        if (opts.accepted_versions.empty()) opts.accepted_versions = default_versions();
        st.scroll_expiry = opts.scroll_expiry;
        detail::register_contacts(rt);
        detail::register_companies(rt);
        detail::register_conversations(rt);
        detail::register_tickets(rt);
        detail::register_misc(rt);
        detail::register_generic(rt);
        detail::seed_spec spec{opts.seed.contacts, opts.seed.companies, opts.seed.conversations,
                               opts.seed.seed, opts.seed.base_time};
        spec.contact_span = opts.seed.contact_span.count();
        spec.contact_growth = opts.seed.contact_growth;
        spec.bulk_share = opts.seed.bulk_import_share;
        spec.bulk_at = opts.seed.bulk_import_at;
        detail::seed_store(st, spec);
    }

    std::string base_url() const {
        return std::string(opts.tls ? "https://" : "http://") + opts.bind_address + ":" +
               std::to_string(bound_port);
    }

    // The limiter. Windows are aligned to the wall clock so that the reset we report is exactly when
    // the next window starts: a client that waits for it always finds a full budget. (Starting each
    // token's window at its first request and rounding the reset up to a whole second made clients
    // lose up to a second of every window.)
    rate_state rate(const std::string& token, bool consume) {
        const auto& ro = opts.rate_limit;
        const std::int64_t w = std::max<std::int64_t>(1, ro.window.count());
        const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
        const std::int64_t index = now_ms / w;
        const std::int64_t end_ms = (index + 1) * w;
        auto roll = [index](bucket& b) {
            if (b.window != index) {
                b.window = index;
                b.used = 0;
            }
        };
        rate_state r;
        r.limit = ro.requests_per_window;
        r.reset = (end_ms + 999) / 1000; // exact when the window is a whole number of seconds
        auto& app = buckets[token];
        roll(app);
        bucket* ws = nullptr;
        if (ro.workspace_requests_per_window > 0) {
            auto sep = token.find(ro.workspace_separator);
            ws = &workspace_buckets[sep == std::string::npos ? token : token.substr(0, sep)];
            roll(*ws);
        }
        if (!ro.enabled) {
            r.remaining = r.limit;
            return r;
        }
        const unsigned ws_limit = ro.workspace_requests_per_window;
        if (consume) {
            if (app.used >= r.limit || (ws && ws->used >= ws_limit)) {
                r.exceeded = true;
            } else {
                ++app.used;
                if (ws) ++ws->used;
            }
        }
        r.remaining = r.limit - std::min(app.used, r.limit);
        if (ws) {
            // Remaining is whichever budget runs out first; the limit stays the app's (stable for clients).
            r.remaining = std::min(r.remaining, ws_limit - std::min(ws->used, ws_limit));
        }
        return r;
    }

    // Decides the answer to one request (synchronously, under the locks) and records it.
    plan decide(http::request<http::string_body>& req, std::uint64_t conn_id) {
        plan p;
        detail::call c;
        c.method = std::string(req.method_string());
        std::string target(req.target());
        auto q = target.find('?');
        c.path = target.substr(0, q);
        if (q != std::string::npos) {
            auto parsed = boost::urls::parse_origin_form(target);
            if (parsed)
                for (auto param : parsed->params())
                    c.query[param.key] = param.value;
        }
        c.body_text = req.body();
        c.base_url = base_url();

        std::string auth(req[http::field::authorization]);
        std::string token;
        if (auth.size() > 7 && iequals(std::string_view(auth).substr(0, 7), "Bearer ")) {
            token = auth.substr(7);
            while (!token.empty() && token.back() == ' ')
                token.pop_back();
            while (!token.empty() && token.front() == ' ')
                token.erase(0, 1);
        }
        std::string version(req["Intercom-Version"]);

        ++handled;
        std::uint64_t my_seq = 0;
        bool recorded = false;
        rate_state rs;
        {
            std::lock_guard lk(mu);
            std::uint64_t n = ++seq;
            my_seq = n;
            c.request_id = request_id_for(n);
            int chosen = -1;
            for (std::size_t i = 0; i < rules.size(); ++i) {
                const auto& r = rules[i];
                if (r.action.kind == fault_kind::tls_handshake_failure) continue;
                if (!r.method.empty() && r.method != c.method) continue;
                if (!path_matches(r.path, c.path)) continue;
                unsigned h = ++rule_hits[i];
                if (chosen < 0 && h >= r.nth && (r.count == 0 || h < r.nth + r.count))
                    chosen = static_cast<int>(i);
            }
            if (chosen >= 0) p.action = rules[static_cast<std::size_t>(chosen)].action;
            bool status_fault = p.action.kind == fault_kind::status;
            rs = rate(token, !token.empty() && !status_fault);
            if (opts.record_requests) {
                recorded_request rec;
                rec.sequence = n;
                rec.connection = conn_id;
                rec.method = c.method;
                rec.target = target;
                rec.path = c.path;
                for (const auto& f : req)
                    rec.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
                rec.body = req.body();
                rec.received = std::chrono::system_clock::now();
                rec.fault = p.action.kind;
                rec.fault_rule = chosen;
                if (record.size() >= opts.max_recorded && !record.empty()) record.pop_front();
                record.push_back(std::move(rec));
                recorded = true;
            }
        }

        // The answer.
        if (p.action.kind == fault_kind::status) {
            unsigned s = p.action.status;
            std::string body = p.action.body;
            if (body.empty()) {
                if (s == 429) {
                    body = detail::error_body(c.request_id, "rate_limit_exceeded",
                                              "Exceeded rate limit of " + std::to_string(rs.limit) +
                                                  " in 10_seconds");
                    rs.remaining = 0;
                } else if (s >= 500) {
                    body = detail::error_body(c.request_id, "server_error", "Server Error");
                } else {
                    body = detail::error_body(c.request_id, "client_error", "Injected error");
                }
            }
            p.rep = detail::json_reply(s, std::move(body));
        } else if (token.empty()) {
            p.rep = detail::error_reply(c, 401, "unauthorized", "Access Token Invalid");
        } else if (!version.empty() && std::find(opts.accepted_versions.begin(), opts.accepted_versions.end(),
                                                 version) == opts.accepted_versions.end()) {
            p.rep = detail::error_reply(c, 400, "intercom_version_invalid",
                                        "The requested version '" + version +
                                            "' is not a valid Intercom API version");
        } else if (rs.exceeded) {
            ++throttled;
            p.rep = detail::error_reply(
                c, 429, "rate_limit_exceeded",
                "Exceeded rate limit of " + std::to_string(rs.limit) + " in " +
                    std::to_string(
                        std::chrono::duration_cast<std::chrono::seconds>(opts.rate_limit.window).count()) +
                    "_seconds");
        } else if (const detail::route* r = rt.match(c)) {
            try {
                std::lock_guard lk(st.mu);
                const bool read_only = c.method == "GET" || c.method == "HEAD" ||
                                       (c.path.size() >= 7 && c.path.compare(c.path.size() - 7, 7, "/search") == 0);
                if (!read_only) ++st.generation; // invalidates cached search results
                p.rep = r->fn(c, st);
            } catch (const std::exception& e) {
                // A handler bug must not take the server down; answer like Intercom's 500.
                p.rep = detail::error_reply(c, 500, "server_error", std::string("Server Error: ") + e.what());
            }
        } else {
            // Intercom answers unknown paths and unsupported methods with 404.
            p.rep = detail::not_found(c, "not_found", "No route for " + c.method + " " + c.path);
        }
        if (!p.rep.body) p.rep.body = std::make_shared<const std::string>();

        // Shape faults that change the body or headers.
        if (p.action.kind == fault_kind::malformed_json) {
            std::string cut = p.rep.body->substr(0, p.rep.body->size() / 2);
            if (cut.size() < 2) cut = R"({"type":"contact","id":)";
            p.rep.body = std::make_shared<const std::string>(std::move(cut));
            p.rep.status = 200;
        } else if (p.action.kind == fault_kind::wrong_content_type) {
            p.rep.content_type = "text/html; charset=utf-8";
        }
        p.keep_alive = req.keep_alive() && p.action.kind != fault_kind::connection_close && !stopped;
        p.send_nothing = p.action.kind == fault_kind::reset_before_headers;

        if (recorded) {
            std::lock_guard lk(mu);
            // Older entries may have been dropped meanwhile; search from the back.
            for (auto it = record.rbegin(); it != record.rend(); ++it) {
                if (it->sequence == my_seq) {
                    it->status = p.send_nothing ? 0 : p.rep.status;
                    break;
                }
            }
        }

        std::string& h = p.head;
        h.reserve(320);
        h += "HTTP/1.1 ";
        h += std::to_string(p.rep.status);
        h += ' ';
        h += std::string(http::obsolete_reason(static_cast<http::status>(p.rep.status)));
        h += "\r\nContent-Type: ";
        h += p.rep.content_type;
        h += "\r\nContent-Length: ";
        h += std::to_string(p.rep.body->size());
        h += "\r\nX-Request-Id: ";
        h += c.request_id;
        h += "\r\nX-RateLimit-Limit: ";
        h += std::to_string(rs.limit);
        h += "\r\nX-RateLimit-Remaining: ";
        h += std::to_string(rs.remaining);
        h += "\r\nX-RateLimit-Reset: ";
        h += std::to_string(rs.reset);
        h += "\r\nX-Intercom-Version: fake-2.11\r\n";
        for (const auto& [k, v] : p.rep.headers) {
            h += k;
            h += ": ";
            h += v;
            h += "\r\n";
        }
        h += p.keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
        return p;
    }
};

namespace {

using impl_ptr = std::shared_ptr<fake_server::impl>;

tcp::socket& lowest_socket(beast::tcp_stream& s) {
    return s.socket();
}
tcp::socket& lowest_socket(asio::ssl::stream<beast::tcp_stream>& s) {
    return s.next_layer().socket();
}

void abort_connection(tcp::socket& sock) {
    boost::system::error_code ec;
    sock.set_option(asio::socket_base::linger(true, 0), ec); // close() now sends RST
    sock.close(ec);
}

void close_gracefully(tcp::socket& sock) {
    boost::system::error_code ec;
    sock.shutdown(tcp::socket::shutdown_send, ec);
    sock.close(ec);
}

// Writes `a` then `b` in one gather write. A named coroutine on purpose: the buffer array must live
// in a coroutine frame until the write completes (a lambda returning the lazily started
// `async_write` would leave it dangling once the lambda returned).
template <class Stream>
asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> write_parts(std::shared_ptr<Stream> stream,
                                                                                 std::string_view a,
                                                                                 std::string_view b) {
    std::array<asio::const_buffer, 2> bufs{asio::buffer(a.data(), a.size()), asio::buffer(b.data(), b.size())};
    co_return co_await asio::async_write(*stream, bufs, asio::as_tuple(asio::use_awaitable));
}

// Waits `d` on a timer of this coroutine: only this connection waits.
asio::awaitable<void> pause(std::chrono::nanoseconds d) {
    if (d.count() <= 0) co_return;
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

template <class Stream>
asio::awaitable<bool> deliver(std::shared_ptr<Stream> stream, plan p, std::chrono::nanoseconds downlink) {
    auto& sock = lowest_socket(*stream);
    auto ex = co_await asio::this_coro::executor;
    co_await pause(downlink + p.action.delay);
    const std::string& body = *p.rep.body;
    auto write = [&stream](std::string_view a, std::string_view b) { return write_parts(stream, a, b); };
    switch (p.action.kind) {
    case fault_kind::reset_before_headers:
        abort_connection(sock);
        co_return false;
    case fault_kind::reset_after_headers: {
        auto [ec, n] = co_await write(p.head, std::string_view(body).substr(0, body.size() / 2));
        (void)n;
        abort_connection(sock);
        co_return false;
    }
    case fault_kind::truncated_body: {
        auto [ec, n] = co_await write(p.head, std::string_view(body).substr(0, body.size() / 2));
        (void)n;
        close_gracefully(sock);
        co_return false;
    }
    case fault_kind::slow_trickle: {
        std::string all = p.head + body;
        std::size_t chunk = std::max<std::size_t>(1, p.action.trickle_chunk);
        asio::steady_timer t(ex);
        for (std::size_t off = 0; off < all.size(); off += chunk) {
            auto [ec, n] = co_await asio::async_write(
                *stream, asio::buffer(all.data() + off, std::min(chunk, all.size() - off)),
                asio::as_tuple(asio::use_awaitable));
            (void)n;
            if (ec) co_return false;
            if (off + chunk < all.size()) {
                t.expires_after(p.action.trickle_interval);
                co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            }
        }
        co_return p.keep_alive;
    }
    default: {
        auto [ec, n] = co_await write(p.head, body);
        (void)n;
        if (ec) co_return false;
        co_return p.keep_alive;
    }
    }
}

template <class Stream>
asio::awaitable<void> serve_requests(impl_ptr self, std::shared_ptr<Stream> stream, std::uint64_t conn_id) {
    beast::flat_buffer buf;
    const auto& lat = self->opts.latency;
    std::minstd_rand jitter_rng(static_cast<std::uint_fast32_t>(conn_id * 2654435761u + 1));
    for (;;) {
        if (self->stopped) break;
        http::request_parser<http::string_body> parser;
        parser.body_limit(self->opts.max_body_bytes);
        parser.header_limit(64 * 1024);
        beast::get_lowest_layer(*stream).expires_after(std::chrono::minutes(5));
        auto [ec, n] =
            co_await http::async_read_header(*stream, buf, parser, asio::as_tuple(asio::use_awaitable));
        if (!ec && !parser.is_done()) {
            // curl and others wait for "100 Continue" before sending a large body.
            if (iequals(parser.get()[http::field::expect], "100-continue")) {
                static const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
                std::tie(ec, n) = co_await asio::async_write(*stream, asio::buffer(cont),
                                                             asio::as_tuple(asio::use_awaitable));
            }
            if (!ec)
                std::tie(ec, n) =
                    co_await http::async_read(*stream, buf, parser, asio::as_tuple(asio::use_awaitable));
        }
        (void)n;
        if (ec) {
            if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted &&
                ec != beast::error::timeout && ec != asio::error::eof && !self->stopped) {
                // Unparseable request: answer 400 and close, like a real front end.
                static const std::string bad =
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                co_await asio::async_write(*stream, asio::buffer(bad), asio::as_tuple(asio::use_awaitable));
            }
            break;
        }
        if (self->stopped) break; // stop() raced with this request: drop it like a closing server would
        beast::get_lowest_layer(*stream).expires_never();
        auto req = parser.release();
        {
            std::lock_guard lk(self->mu);
            ++self->in_flight;
            self->max_in_flight = std::max(self->max_in_flight, self->in_flight);
        }
        // Simulated round trip: the request "arrives" after half of it, the answer after the rest.
        std::chrono::nanoseconds rtt = lat.fixed;
        if (lat.jitter.count() > 0)
            rtt += std::chrono::microseconds(
                std::uniform_int_distribution<std::int64_t>(0, lat.jitter.count())(jitter_rng));
        co_await pause(rtt / 2);
        if (self->stopped) {
            std::lock_guard lk(self->mu);
            --self->in_flight;
            break;
        }
        plan p = self->decide(req, conn_id);
        bool keep = co_await deliver(stream, std::move(p), rtt - rtt / 2);
        {
            std::lock_guard lk(self->mu);
            --self->in_flight;
        }
        if (!keep) break;
    }
    boost::system::error_code ec;
    auto& sock = lowest_socket(*stream);
    if (sock.is_open()) close_gracefully(sock);
}

// Registers a closer that stop() uses; unregisters when the session ends.
template <class Stream>
struct registration {
    impl_ptr self;
    std::uint64_t id;
    registration(impl_ptr s, std::uint64_t i, std::shared_ptr<Stream> stream) : self(std::move(s)), id(i) {
        std::weak_ptr<Stream> weak = stream;
        auto ex = lowest_socket(*stream).get_executor();
        std::lock_guard lk(self->mu);
        self->closers[id] = [weak, ex] {
            asio::post(ex, [weak] {
                if (auto st = weak.lock()) {
                    boost::system::error_code ec;
                    lowest_socket(*st).close(ec);
                }
            });
        };
    }
    ~registration() {
        std::lock_guard lk(self->mu);
        self->closers.erase(id);
    }
};

asio::awaitable<void> serve_plain(impl_ptr self, tcp::socket sock, std::uint64_t conn_id) {
    auto stream = std::make_shared<beast::tcp_stream>(std::move(sock));
    registration<beast::tcp_stream> reg(self, conn_id, stream);
    co_await serve_requests(self, stream, conn_id);
}

asio::awaitable<void> serve_tls(impl_ptr self, tcp::socket sock, std::uint64_t conn_id, bool fail_handshake) {
    if (fail_handshake) {
        // Not a TLS ServerHello: the client's handshake fails.
        static const std::string junk =
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        co_await asio::async_write(sock, asio::buffer(junk), asio::as_tuple(asio::use_awaitable));
        close_gracefully(sock);
        co_return;
    }
    auto stream = std::make_shared<asio::ssl::stream<beast::tcp_stream>>(beast::tcp_stream(std::move(sock)),
                                                                         *self->ssl_ctx);
    registration<asio::ssl::stream<beast::tcp_stream>> reg(self, conn_id, stream);
    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(10));
    auto [ec] =
        co_await stream->async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    co_await serve_requests(self, stream, conn_id);
}

asio::awaitable<void> accept_loop(impl_ptr self) {
    for (;;) {
        auto [ec, sock] = co_await self->acceptor->async_accept(asio::make_strand(self->ex),
                                                                asio::as_tuple(asio::use_awaitable));
        if (self->stopped) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
            continue; // e.g. too many open files: keep serving the others
        }
        boost::system::error_code ignored;
        sock.set_option(tcp::no_delay(true), ignored);
        std::uint64_t id;
        bool fail_handshake = false;
        {
            std::lock_guard lk(self->mu);
            id = ++self->conn_seq;
            if (self->opts.tls) {
                for (std::size_t i = 0; i < self->rules.size(); ++i) {
                    const auto& r = self->rules[i];
                    if (r.action.kind != fault_kind::tls_handshake_failure) continue;
                    unsigned h = ++self->rule_hits[i];
                    if (!fail_handshake && h >= r.nth && (r.count == 0 || h < r.nth + r.count)) {
                        fail_handshake = true;
                        if (self->opts.record_requests) {
                            recorded_request rec;
                            rec.sequence = ++self->seq;
                            rec.connection = id;
                            rec.received = std::chrono::system_clock::now();
                            rec.fault = fault_kind::tls_handshake_failure;
                            rec.fault_rule = static_cast<int>(i);
                            self->record.push_back(std::move(rec));
                        }
                    }
                }
            }
        }
        auto sex = sock.get_executor();
        if (self->opts.tls) {
            asio::co_spawn(sex, serve_tls(self, std::move(sock), id, fail_handshake), asio::detached);
        } else {
            asio::co_spawn(sex, serve_plain(self, std::move(sock), id), asio::detached);
        }
    }
}

} // namespace

fake_server::fake_server(asio::any_io_executor ex, fake_server_options opts)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts))) {}

fake_server::~fake_server() {
    stop();
}

void fake_server::start() {
    auto& im = *impl_;
    if (im.started) return;
    if (im.opts.tls) {
        auto id = make_tls_identity();
        im.ca = id.ca_cert_pem;
        im.ssl_ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        use_identity(*im.ssl_ctx, id);
    }
    auto ep = tcp::endpoint(asio::ip::make_address(im.opts.bind_address), im.opts.port);
    im.acceptor = std::make_unique<tcp::acceptor>(im.accept_strand);
    im.acceptor->open(ep.protocol());
    im.acceptor->set_option(asio::socket_base::reuse_address(true));
    im.acceptor->bind(ep);
    im.acceptor->listen(asio::socket_base::max_listen_connections);
    im.bound_port = im.acceptor->local_endpoint().port();
    im.started = true;
    asio::co_spawn(im.accept_strand, accept_loop(impl_), asio::detached);
}

void fake_server::stop() {
    auto& im = *impl_;
    if (!im.started || im.stopped.exchange(true)) return;
    std::weak_ptr<impl> weak = impl_;
    asio::post(im.accept_strand, [weak] {
        if (auto s = weak.lock()) {
            boost::system::error_code ec;
            s->acceptor->close(ec);
        }
    });
    std::vector<std::function<void()>> closers;
    {
        std::lock_guard lk(im.mu);
        for (auto& [id, f] : im.closers)
            closers.push_back(f);
    }
    for (auto& f : closers)
        f();
}

std::uint16_t fake_server::port() const {
    return impl_->bound_port;
}
std::string fake_server::base_url() const {
    return impl_->base_url();
}
const std::string& fake_server::ca_pem() const {
    return impl_->ca;
}

int fake_server::add_fault(fault_rule rule) {
    std::lock_guard lk(impl_->mu);
    impl_->rules.push_back(std::move(rule));
    impl_->rule_hits.push_back(0);
    return static_cast<int>(impl_->rules.size() - 1);
}

void fake_server::add_faults(const std::vector<fault_rule>& rules) {
    for (const auto& r : rules)
        add_fault(r);
}

void fake_server::clear_faults() {
    std::lock_guard lk(impl_->mu);
    impl_->rules.clear();
    impl_->rule_hits.clear();
}

std::vector<recorded_request> fake_server::requests() const {
    std::lock_guard lk(impl_->mu);
    return {impl_->record.begin(), impl_->record.end()};
}

std::size_t fake_server::count(std::string_view method, std::string_view path_pattern) const {
    std::lock_guard lk(impl_->mu);
    std::size_t n = 0;
    for (const auto& r : impl_->record)
        if (!r.method.empty() && (method.empty() || r.method == method) && path_matches(path_pattern, r.path))
            ++n;
    return n;
}

std::size_t fake_server::max_in_flight() const {
    std::lock_guard lk(impl_->mu);
    return impl_->max_in_flight;
}

std::uint64_t fake_server::throttled_count() const {
    return impl_->throttled.load();
}

std::uint64_t fake_server::request_count() const {
    return impl_->handled.load();
}

std::uint64_t fake_server::connections_accepted() const {
    std::lock_guard lk(impl_->mu);
    return impl_->conn_seq;
}

void fake_server::clear_record() {
    std::lock_guard lk(impl_->mu);
    impl_->record.clear();
    impl_->max_in_flight = impl_->in_flight;
    impl_->throttled = 0;
    impl_->handled = 0;
}

std::string fake_server::seeded_contact_id(std::size_t i) const {
    std::lock_guard lk(impl_->st.mu);
    return impl_->st.seeded_contacts.at(i);
}

std::string fake_server::seeded_company_id(std::size_t i) const {
    std::lock_guard lk(impl_->st.mu);
    return impl_->st.seeded_companies.at(i);
}

std::string fake_server::seeded_conversation_id(std::size_t i) const {
    std::lock_guard lk(impl_->st.mu);
    return impl_->st.seeded_conversations.at(i);
}

std::size_t fake_server::object_count(std::string_view collection) const {
    std::lock_guard lk(impl_->st.mu);
    auto it = impl_->st.collections.find(std::string(collection));
    return it == impl_->st.collections.end() ? 0 : it->second.size();
}

} // namespace intercom::testing
