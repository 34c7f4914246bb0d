#include <intercom/pagination/listing.hpp>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

namespace intercom::pagination {

namespace {

void set_param(query_params& q, const std::string& key, std::string value) {
    for (auto& [k, v] : q) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    q.emplace_back(key, std::move(value));
}

} // namespace

api_request build_request(const listing& l, const position& at) {
    api_request req;
    req.operation = l.operation;
    req.method = l.method;
    req.path = l.path;
    req.query = l.query;
    req.options = l.options;

    if (at.url) {
        // Follow the server's URL, but only its path and query: the host is always the client's.
        if (auto u = boost::urls::parse_uri_reference(*at.url)) {
            req.path = std::string(u->encoded_path());
            req.query.clear();
            for (auto p : u->params()) req.query.emplace_back(p.key, p.has_value ? p.value : std::string());
        }
        if (l.body) req.body = boost::json::serialize(*l.body);
        return req;
    }
    switch (l.kind) {
    case style::cursor:
    case style::next_url:
    case style::single_page:
        if (l.per_page) set_param(req.query, "per_page", std::to_string(*l.per_page));
        if (at.starting_after) set_param(req.query, "starting_after", *at.starting_after);
        break;
    case style::page_number:
        if (at.page) set_param(req.query, "page", std::to_string(*at.page));
        if (l.per_page) set_param(req.query, "per_page", std::to_string(*l.per_page));
        break;
    case style::scroll:
        if (at.scroll_param) set_param(req.query, "scroll_param", *at.scroll_param);
        break;
    case style::search: break;
    }
    if (l.body || l.kind == style::search) {
        boost::json::object body = l.body.value_or(boost::json::object{});
        if (l.kind == style::search && (l.per_page || at.starting_after || body.contains("pagination"))) {
            boost::json::object pag;
            if (auto* old = body.if_contains("pagination"); old && old->is_object()) pag = old->get_object();
            if (l.per_page) pag["per_page"] = *l.per_page;
            if (!pag.contains("per_page")) pag["per_page"] = 50;
            if (at.starting_after)
                pag["starting_after"] = *at.starting_after;
            else
                pag.erase("starting_after");
            body["pagination"] = std::move(pag);
        }
        req.body = boost::json::serialize(body);
    }
    return req;
}

result<listing> search_listing(search::object_kind obj, const search::search_request& req,
                               const search::validation_options& opts) {
    search::search_request first = req;
    first.starting_after.reset();  // the pager adds the cursor per page
    auto body = search::to_json(first, obj, opts);
    if (!body) return body.error();
    body->erase("pagination");
    listing l;
    l.kind = style::search;
    l.method = boost::beast::http::verb::post;
    l.path = "/" + std::string(search::to_string(obj)) + "/search";
    l.body = std::move(*body);
    // Always explicit: page 2 must carry `pagination.per_page` anyway, and then page 1 matches it.
    l.per_page = req.per_page.value_or(obj == search::object_kind::contacts ? 50u : 20u);
    return l;
}

} // namespace intercom::pagination
