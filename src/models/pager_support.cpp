// Hand-written support of the generated typed pagers (include/intercom/pagination/typed.hpp) and of
// `models::page_next`.
#include <intercom/json/conversion.hpp>
#include <intercom/models/page_next.hpp>
#include <intercom/pagination/pages.hpp>
#include <intercom/pagination/typed.hpp>

#include <boost/json/serialize.hpp>

namespace intercom {

namespace models {

bool decode(const boost::json::value& jv, page_next& out) {
    if (const auto* s = jv.if_string()) {
        out = page_next{};
        out.url = std::string(*s);
        return true;
    }
    const auto* o = jv.if_object();
    if (!o) return false;
    out = page_next{};
    json::object_reader r(*o, out.extra);
    r.field("starting_after", out.starting_after);
    r.field("page", out.page);
    r.field("per_page", out.per_page);
    r.finish();
    return true;
}

void encode(boost::json::value& jv, const page_next& v) {
    if (v.url) {
        jv = *v.url;
        return;
    }
    auto& o = jv.emplace_object();
    json::object_writer w(o);
    w.field("starting_after", v.starting_after);
    w.field("page", v.page);
    w.field("per_page", v.per_page);
    w.finish(v.extra);
}

} // namespace models

namespace pagination::detail {

error_info item_decode_error(std::string_view model, const boost::json::value& item) {
    error_info e{errc::decode_error};
    e.diag.message = "list item is not a JSON object of type " + std::string(model);
    e.diag.set_body_excerpt(boost::json::serialize(item));
    return e;
}

namespace {

std::optional<std::string> take(query_params& q, std::string_view key) {
    std::optional<std::string> out;
    for (auto it = q.begin(); it != q.end();) {
        if (it->first == key) {
            out = std::move(it->second);
            it = q.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::optional<unsigned> to_unsigned(const std::string& s) {
    auto v = lenient_int(boost::json::value(s));
    if (!v || *v <= 0 || *v > 100000) return std::nullopt;
    return static_cast<unsigned>(*v);
}

} // namespace

void bind_query_paging(listing& l, pager_options& o) {
    const bool caller_start = o.start != position{};
    if (auto pp = take(l.query, "per_page")) {
        if (auto n = to_unsigned(*pp)) l.per_page = *n;
        else l.query.emplace_back("per_page", std::move(*pp));  // not a number: let the server say so
    }
    auto page = take(l.query, "page");
    auto after = take(l.query, "starting_after");
    auto scroll = take(l.query, "scroll_param");
    if (caller_start) return;
    if (page) {
        if (auto n = lenient_int(boost::json::value(*page)))
            o.start.page = *n;
        else
            l.query.emplace_back("page", std::move(*page));  // not a number: let the server say so
    }
    if (after) o.start.starting_after = std::move(*after);
    if (scroll) o.start.scroll_param = std::move(*scroll);
}

void bind_search_body(listing& l, pager_options& o, boost::json::object body) {
    if (auto* pag = body.if_contains("pagination"); pag && pag->is_object()) {
        const auto& p = pag->get_object();
        if (const auto* pp = p.if_contains("per_page")) {
            if (auto n = lenient_int(*pp); n && *n > 0) l.per_page = static_cast<unsigned>(*n);
        }
        if (const auto* sa = p.if_contains("starting_after"); sa && sa->is_string() && !o.start.starting_after)
            o.start.starting_after = std::string(sa->get_string());
    }
    body.erase("pagination");
    l.body = std::move(body);
}

} // namespace pagination::detail

} // namespace intercom
