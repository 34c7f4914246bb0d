#include <intercom/diagnostics.hpp>
#include <intercom/result.hpp>

#include <boost/json/parse.hpp>

namespace intercom {
namespace {

std::optional<std::string> optional_string(const boost::json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().get_string());
}

} // namespace

void diagnostics::set_body_excerpt(std::string_view body) {
    body_excerpt.assign(body.substr(0, body_excerpt_limit));
}

void diagnostics::parse_error_body(std::string_view body) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return;
    const auto& o = v.get_object();
    if (auto id = optional_string(o, "request_id")) request_id = *id;
    if (auto it = o.find("errors"); it != o.end() && it->value().is_array()) {
        for (const auto& e : it->value().get_array()) {
            if (!e.is_object()) continue;
            api_error_entry entry;
            entry.code = optional_string(e.get_object(), "code").value_or("");
            entry.message = optional_string(e.get_object(), "message");
            entry.field = optional_string(e.get_object(), "field");
            errors.push_back(std::move(entry));
        }
    } else if (auto key = optional_string(o, "error_key")) {
        // Some endpoints (phone_call_redirects, tickets) answer {"error_key": ..., "message": ...}.
        errors.push_back({*key, optional_string(o, "message"), std::nullopt});
    }
}

std::string error_info::what() const {
    std::string out = code.message();
    if (!diag.message.empty()) out += ": " + diag.message;
    std::string details;
    auto add = [&details](const std::string& part) {
        details += details.empty() ? "" : ", ";
        details += part;
    };
    if (!diag.method.empty()) add(diag.method + " " + diag.target);
    if (diag.http_status != 0) add("HTTP " + std::to_string(diag.http_status));
    if (!diag.request_id.empty()) add("request_id=" + diag.request_id);
    if (!diag.errors.empty()) {
        std::string list = "errors=[";
        for (std::size_t i = 0; i < diag.errors.size(); ++i) {
            const auto& e = diag.errors[i];
            if (i) list += "; ";
            list += e.code;
            if (e.message) list += ": " + *e.message;
            if (e.field) list += " (field " + *e.field + ")";
        }
        add(list + "]");
    }
    if (diag.cause) add("cause: " + diag.cause.message());
    if (diag.attempts > 1) add("attempts=" + std::to_string(diag.attempts));
    if (!details.empty()) out += " (" + details + ")";
    return out;
}

api_error::api_error(error_info info)
    : boost::system::system_error(info.code, info.what()), info_(std::move(info)) {}

void throw_exception_from_error(const error_info& e, const boost::source_location&) { throw api_error(e); }

} // namespace intercom
