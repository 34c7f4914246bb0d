#include "detail/redactor.hpp"

#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/http/request_rules.hpp>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
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
    redactor secrets;           // scrubs the token from answers, errors, events and log lines
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
    // Everything that becomes a header is checked once here, so a CR/LF can never split a request.
    // The messages name the option, never its value (the token is a secret).
    auto refuse = [&impl](const char* what) {
        if (impl->config_error.code) return;
        impl->config_error = error_info{errc::invalid_argument};
        impl->config_error.diag.message = std::string(what) + " contains a control character (CR, LF, NUL, ...)";
    };
    if (!http::is_valid_header_value(opts.token)) refuse("client_options::token");
    if (!http::is_valid_header_value(opts.version)) refuse("client_options::version");
    if (!http::is_valid_header_value(opts.user_agent)) refuse("client_options::user_agent");
    impl->secrets = redactor(opts.token);
    opts.pipeline.on_event = impl->secrets.wrap(std::move(opts.pipeline.on_event));
    opts.pipeline.logger = impl->secrets.wrap(std::move(opts.pipeline.logger));
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

// `res` was scrubbed of the token by the caller. `seen` is what the limiter already read of these
// headers (the pipeline parses X-RateLimit-* once per answer when rate limiting is on).
result<api_response> to_api_result(http::response&& res, boost::beast::http::verb method, std::string_view target,
                                   std::chrono::system_clock::time_point wall_now,
                                   const std::optional<rate_limit_snapshot>& seen) {
    if (res.status >= 200 && res.status < 300) {
        api_response out;
        out.status = res.status;
        out.rate_limit = seen ? seen : rate_limit_snapshot::from_headers(res.headers, wall_now);
        out.request_id = std::string(res.header("X-Request-Id"));
        out.headers = std::move(res.headers);
        out.body = std::move(res.body);
        return out;
    }
    error_info e{error_from_http_status(res.status)};
    e.diag.http_status = res.status;
    e.diag.stage = request_stage::completed;
    e.diag.method = std::string(boost::beast::http::to_string(method));
    e.diag.target = std::string(target);
    e.diag.rate_limit = rate_limit_snapshot::from_headers(res.headers, wall_now);
    e.diag.request_id = std::string(res.header("X-Request-Id"));
    e.diag.parse_error_body(res.body);
    e.diag.set_body_excerpt(res.body);
    e.diag.attempts = 1;
    if (!e.diag.errors.empty() && e.diag.errors.front().message) e.diag.message = *e.diag.errors.front().message;
    return e;
}

} // namespace detail

result<boost::json::value> api_response::json() const { return json(boost::json::storage_ptr{}); }

boost::json::storage_ptr api_response::arena() const {
    // A DOM takes about twice its text; one block that size usually holds all of it.
    return boost::json::make_shared_resource<boost::json::monotonic_resource>(2 * body.size() + 512);
}

result<boost::json::value> api_response::json(boost::json::storage_ptr storage) const {
    if (body.empty()) return boost::json::value(nullptr, std::move(storage));
    boost::system::error_code ec;
    boost::json::parse_options po;
    po.max_depth = json_max_depth;
    boost::json::value v = boost::json::parse(body, ec, std::move(storage), po);
    if (ec) {
        error_info e{errc::decode_error};
        e.diag.cause = ec;
        e.diag.http_status = status;
        e.diag.request_id = request_id;
        e.diag.message = ec == boost::json::error::too_deep
                             ? "response body nests JSON deeper than " + std::to_string(json_max_depth) + " levels"
                             : "response body is not valid JSON";
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

namespace detail {
namespace {

error_info invalid(std::string message) {
    error_info e{errc::invalid_argument};
    e.diag.message = std::move(message);
    return e;
}

} // namespace
} // namespace detail

boost::asio::awaitable<result<api_response>> client::execute(api_request req) const {
    auto impl = impl_;  // keep state alive across suspension
    if (impl->config_error.code) co_return impl->config_error;
    std::string target;
    // Whatever goes wrong below, the caller gets a value: a throwing middleware, hook or sink, or a
    // library bug, becomes an error instead of escaping into the caller's coroutine.
    error_info failure;
    try {
        if (auto bad = http::check_path(req.path)) co_return detail::invalid("cannot send: " + *bad);
        http::request http_req = detail::build_http_request(*impl, req);
        if (auto bad = http::check_request(http_req)) co_return detail::invalid("cannot send: " + *bad);
        target = http_req.target;

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
            failure = std::move(pr.response).error();
            failure.diag.attempts = pr.attempts;
            if (!failure.diag.rate_limit) failure.diag.rate_limit = pr.rate_limit;
        } else {
            impl->secrets.scrub(*pr.response);  // before anything reads the answer
            const bool learned = impl->pipe->limiter() != nullptr;  // then pr.rate_limit is this answer's
            auto out = detail::to_api_result(std::move(*pr.response), req.method, target,
                                             impl->opts.pipeline.clock->wall_now(),
                                             learned ? pr.rate_limit : std::optional<rate_limit_snapshot>{});
            if (out) {
                out->attempts = pr.attempts;
                if (!out->rate_limit) out->rate_limit = pr.rate_limit;
                co_return out;
            }
            failure = std::move(out).error();
            failure.diag.attempts = pr.attempts;
            if (!failure.diag.rate_limit) failure.diag.rate_limit = pr.rate_limit;
            if (failure.diag.message.empty() && pr.attempts > 1)
                failure.diag.message = "gave up: " + std::string(pr.gave_up_reason);
        }
    } catch (const std::exception& ex) {
        failure = error_info{errc::callback_failed};
        failure.diag.message = std::string("unexpected exception: ") + ex.what();
    }
    failure.diag.method = std::string(boost::beast::http::to_string(req.method));
    failure.diag.target = std::move(target);
    impl->secrets.scrub(failure);
    co_return failure;
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
