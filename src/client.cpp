#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

namespace intercom {

namespace detail {

struct client_impl {
    client_options opts;
    std::shared_ptr<http::transport> transport;
    std::unique_ptr<pipeline::request_pipeline> pipe;  // retries, limiter, middleware (see pipeline.hpp)
    http::origin base;          // scheme/host/port of the base URL
    std::string base_path;      // path prefix of the base URL ("" for the real API)
    error_info config_error;    // set when the options are unusable; every call fails with it
};

namespace {

std::shared_ptr<client_impl> make_impl(std::shared_ptr<http::transport> t, client_options opts) {
    auto impl = std::make_shared<client_impl>();
    impl->transport = std::move(t);
    auto url = opts.effective_base_url();
    auto o = http::origin::parse(url);
    if (!o) {
        impl->config_error = o.error();
    } else {
        impl->base = *o;
        boost::urls::url u(url);
        std::string p(u.encoded_path());
        while (!p.empty() && p.back() == '/') p.pop_back();
        impl->base_path = p;
        if (!impl->base.is_tls() && !impl->base.is_loopback() && !opts.transport.allow_plain_http_to_remote_hosts) {
            impl->config_error = error_info{errc::insecure_url_refused};
            impl->config_error.diag.message =
                "refusing plain http:// to '" + impl->base.host +
                "'; use https or set transport_options::allow_plain_http_to_remote_hosts";
        }
    }
    impl->opts = std::move(opts);
    impl->pipe = std::make_unique<pipeline::request_pipeline>(impl->transport, impl->opts.pipeline);
    // Keep the filled-in defaults visible through client::options() (e.g. the shared limiter).
    impl->opts.pipeline = impl->pipe->options();
    return impl;
}

std::string encode_target(const std::string& base_path, const api_request& req) {
    boost::urls::url u;
    u.set_encoded_path(base_path + req.path);
    // Query characters that may stay literal in a key or value: RFC 3986 query characters minus
    // '&', '=' (separators) and '+' (form decoders, Intercom's included, read it as a space).
    static constexpr boost::urls::grammar::lut_chars literal =
        boost::urls::unreserved_chars + boost::urls::grammar::lut_chars("!$'()*,;:@/?");
    for (const auto& [k, v] : req.query)
        u.encoded_params().append({boost::urls::encode(k, literal), boost::urls::encode(v, literal)});
    return std::string(u.encoded_resource());
}

} // namespace

http::request build_http_request(const client_impl& c, const api_request& req) {
    http::request out;
    out.method = req.method;
    out.target = encode_target(c.base_path, req);
    out.headers.set(boost::beast::http::field::authorization, "Bearer " + c.opts.token);
    out.headers.set(boost::beast::http::field::accept, req.accept);
    out.headers.set(boost::beast::http::field::user_agent, c.opts.user_agent);
    std::string version = c.opts.version;
    if (req.operation && req.operation->unstable_only) version = "Unstable";
    if (req.options.version) version = *req.options.version;
    if (!version.empty()) out.headers.set("Intercom-Version", version);
    if (req.body) {
        out.headers.set(boost::beast::http::field::content_type, "application/json");
        out.body = *req.body;
    }
    for (const auto& [k, v] : req.options.headers) out.headers.set(k, v);
    return out;  // `idempotent` is set by the pipeline from its idempotency policy
}

namespace {

/// Replaces every occurrence of `secret` in `text`. A server may echo the token back (in an error
/// message, a body, a header), and diagnostics, what() and logs must never carry it.
void redact(std::string& text, std::string_view secret) {
    if (secret.empty()) return;
    constexpr std::string_view mask = "[redacted]";
    for (auto p = text.find(secret); p != std::string::npos; p = text.find(secret, p + mask.size()))
        text.replace(p, secret.size(), mask);
}

void redact(error_info& e, std::string_view secret) {
    if (secret.empty()) return;
    redact(e.diag.message, secret);
    redact(e.diag.request_id, secret);
    redact(e.diag.body_excerpt, secret);
    redact(e.diag.target, secret);
    for (auto& entry : e.diag.errors) {
        redact(entry.code, secret);
        if (entry.message) redact(*entry.message, secret);
        if (entry.field) redact(*entry.field, secret);
    }
}

} // namespace

result<api_response> to_api_result(http::response&& res, const http::request& sent, std::string_view secret) {
    if (res.status >= 200 && res.status < 300) {
        api_response out;
        out.status = res.status;
        out.rate_limit = rate_limit_snapshot::from_headers(res.headers);
        out.request_id = std::string(res.header("X-Request-Id"));
        out.headers = std::move(res.headers);
        out.body = std::move(res.body);
        return out;
    }
    error_info e{error_from_http_status(res.status)};
    e.diag.http_status = res.status;
    e.diag.stage = request_stage::completed;
    e.diag.method = std::string(boost::beast::http::to_string(sent.method));
    e.diag.target = sent.target;
    e.diag.rate_limit = rate_limit_snapshot::from_headers(res.headers);
    e.diag.request_id = std::string(res.header("X-Request-Id"));
    // Scrub the whole body before taking the excerpt, so a token cut at the excerpt's end cannot leak.
    redact(res.body, secret);
    e.diag.parse_error_body(res.body);
    e.diag.set_body_excerpt(res.body);
    e.diag.attempts = 1;
    if (!e.diag.errors.empty() && e.diag.errors.front().message) e.diag.message = *e.diag.errors.front().message;
    redact(e, secret);
    return e;
}

} // namespace detail

result<boost::json::value> api_response::json() const {
    if (body.empty()) return boost::json::value(nullptr);
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (ec) {
        error_info e{errc::decode_error};
        e.diag.cause = ec;
        e.diag.http_status = status;
        e.diag.request_id = request_id;
        e.diag.message = "response body is not valid JSON";
        e.diag.set_body_excerpt(body);
        return e;
    }
    return v;
}

client::client(boost::asio::any_io_executor ex, client_options opts) {
    auto t = std::make_shared<http::https_transport>(ex, opts.transport);
    impl_ = detail::make_impl(std::move(t), std::move(opts));
}

client::client(std::shared_ptr<http::transport> transport, client_options opts)
    : impl_(detail::make_impl(std::move(transport), std::move(opts))) {}

const client_options& client::options() const noexcept { return impl_->opts; }
const std::shared_ptr<http::transport>& client::transport() const noexcept { return impl_->transport; }
boost::asio::any_io_executor client::get_executor() const { return impl_->transport->get_executor(); }

boost::asio::awaitable<result<api_response>> client::execute(api_request req) const {
    auto impl = impl_;  // keep state alive across suspension
    if (impl->config_error.code) co_return impl->config_error;
    http::request http_req = detail::build_http_request(*impl, req);
    std::string method(boost::beast::http::to_string(http_req.method));
    std::string target = http_req.target;

    pipeline::call_context ctx;
    ctx.operation = req.operation;
    if (req.operation) ctx.operation_name = req.operation->name;
    ctx.origin = impl->base;
    ctx.max_attempts = req.options.max_attempts.value_or(impl->opts.pipeline.max_attempts);
    ctx.attempt_timeout = req.options.attempt_timeout.value_or(impl->opts.attempt_timeout);
    ctx.replay_safe_override = req.options.replay_safe;
    ctx.send.sink = std::move(req.sink);
    auto timeout = req.options.timeout.value_or(impl->opts.timeout);

    auto pr = co_await impl->pipe->run(std::move(ctx), std::move(http_req), timeout);
    if (!pr.response) {
        error_info e = std::move(pr.response).error();
        e.diag.method = std::move(method);
        e.diag.target = std::move(target);
        e.diag.attempts = pr.attempts;
        if (!e.diag.rate_limit) e.diag.rate_limit = pr.rate_limit;
        detail::redact(e, impl->opts.token);
        co_return e;
    }
    http::request sent;
    sent.method = req.method;
    sent.target = std::move(target);
    auto out = detail::to_api_result(std::move(*pr.response), sent, impl->opts.token);
    if (out) {
        out->attempts = pr.attempts;
        if (!out->rate_limit) out->rate_limit = pr.rate_limit;
        co_return out;
    }
    error_info e = out.error();
    e.diag.attempts = pr.attempts;
    if (!e.diag.rate_limit) e.diag.rate_limit = pr.rate_limit;
    if (e.diag.message.empty() && pr.attempts > 1) e.diag.message = "gave up: " + std::string(pr.gave_up_reason);
    co_return e;
}

boost::asio::awaitable<result<api_response>> client::request(boost::beast::http::verb method, std::string path,
                                                             query_params query,
                                                             std::optional<boost::json::value> body,
                                                             request_options options) const {
    api_request req;
    req.method = method;
    req.path = std::move(path);
    req.query = std::move(query);
    if (body) req.body = boost::json::serialize(*body);
    req.options = std::move(options);
    co_return co_await execute(std::move(req));
}

} // namespace intercom
