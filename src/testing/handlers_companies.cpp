// Companies: upsert by company_id, page-number lists, filters, scroll (one at a time, idle expiry).
#include "handlers.hpp"

#include <boost/json/serialize.hpp>

namespace json = boost::json;

namespace intercom::testing::detail {
namespace {

entry* find_by_company_id(store& s, std::string_view company_id) {
    return s.coll("companies").find_if([&](const entry& e) {
        return str_of(e.obj, "company_id") == company_id;
    });
}

reply upsert_company(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b) return bad_param(c, "a JSON object body is required");
    std::string company_id = str_of(*b, "company_id");
    std::string name = str_of(*b, "name");
    if (company_id.empty() && name.empty()) return bad_param(c, "company_id or name is required");
    if (auto* ms = b->if_contains("monthly_spend"); ms && !ms->is_number() && !ms->is_null())
        return bad_param(c, "monthly_spend must be a number");
    entry* e = company_id.empty() ? nullptr : find_by_company_id(s, company_id);
    auto now = s.now();
    json::object obj;
    std::string id;
    if (e) {
        obj = e->obj;
        id = e->id;
    } else {
        id = s.new_id("companies", true);
        obj = json::object{{"type", "company"},
                           {"id", id},
                           {"name", nullptr},
                           {"app_id", s.workspace_id},
                           {"company_id", company_id.empty() ? json::value(id) : json::value(company_id)},
                           {"remote_created_at", nullptr},
                           {"created_at", now},
                           {"updated_at", now},
                           {"last_request_at", nullptr},
                           {"monthly_spend", 0},
                           {"session_count", 0},
                           {"user_count", 0},
                           {"size", nullptr},
                           {"website", nullptr},
                           {"industry", nullptr},
                           {"plan", json::object{}},
                           {"custom_attributes", json::object{}},
                           {"tags", json::object{{"type", "tag.list"}, {"tags", json::array{}}}},
                           {"segments", json::object{{"type", "segment.list"}, {"segments", json::array{}}}}};
    }
    for (auto& [k, v] : *b) {
        if (k == "plan") {
            obj["plan"] = json::object{{"type", "plan"}, {"id", "1"}, {"name", v}};
        } else if (k == "custom_attributes") {
            if (!v.is_object()) return bad_param(c, "custom_attributes must be an object");
            merge_fields(obj, json::object{{"custom_attributes", v}});
        } else if (k == "name" || k == "company_id" || k == "remote_created_at" || k == "monthly_spend" ||
                   k == "size" || k == "website" || k == "industry") {
            obj[k] = v;
        }
    }
    obj["updated_at"] = now;
    auto& ne = s.coll("companies").insert(id, std::move(obj));
    return shared_reply(ne.json());
}

reply get_company(call& c, store& s) {
    entry* e = s.coll("companies").find(c.params[0]);
    if (!e) return not_found(c, "company_not_found", "Company Not Found");
    return shared_reply(e->json());
}

reply update_company(call& c, store& s) {
    entry* e = s.coll("companies").find(c.params[0]);
    if (!e) return not_found(c, "company_not_found", "Company Not Found");
    if (c.body_invalid()) return invalid_json(c);
    if (const json::object* b = c.body()) {
        for (auto& [k, v] : *b)
            if (k != "id" && k != "type" && k != "company_id") merge_fields(e->obj, json::object{{k, v}});
    }
    e->obj["updated_at"] = s.now();
    e->touch();
    return shared_reply(e->json());
}

reply delete_company(call& c, store& s) {
    entry* e = s.coll("companies").find(c.params[0]);
    if (!e) return not_found(c, "company_not_found", "Company Not Found");
    json::object out{{"id", e->id}, {"object", "company"}, {"deleted", true}};
    for (auto* ct : s.coll("contacts").all())
        if (embed_remove(ct->obj, "companies", "data", e->id)) ct->touch();
    s.coll("companies").erase(c.params[0]);
    return json_reply(200, out);
}

reply company_page(const call& c, std::vector<entry*> items, std::string_view url) {
    auto per_page = parse_per_page(c.query_or("per_page"), 15, 60);
    if (!per_page) return bad_param(c, "per_page must be an integer between 1 and 60");
    auto page = parse_per_page(c.query_or("page"), 1, 1000000);
    if (!page) return bad_param(c, "page must be a positive integer");
    auto slice = number_page(items, *page, *per_page, url);
    json::object extra;
    extra["pages"] = std::move(slice.pages);
    extra["total_count"] = slice.total;
    return json_reply(200, list_body("list", "data", slice.items, extra));
}

reply list_companies(call& c, store& s) {
    // Filters by company_id or name answer a single company (Intercom's SDK models it as oneOf).
    std::string company_id = c.query_or("company_id"), name = c.query_or("name");
    if (!company_id.empty() || !name.empty()) {
        entry* e = s.coll("companies").find_if([&](const entry& x) {
            return (!company_id.empty() && str_of(x.obj, "company_id") == company_id) ||
                   (company_id.empty() && str_of(x.obj, "name") == name);
        });
        if (!e) return not_found(c, "company_not_found", "Company Not Found");
        return shared_reply(e->json());
    }
    auto items = s.coll("companies").all();
    std::string tag_id = c.query_or("tag_id");
    if (!tag_id.empty()) {
        std::erase_if(items, [&](entry* e) { return !embed_has(e->obj, "tags", "tags", tag_id); });
    }
    return company_page(c, items, c.base_url + "/companies");
}

reply list_companies_post(call& c, store& s) {
    auto items = s.coll("companies").all();
    std::string order = c.query_or("order", "desc");
    if (order != "asc" && order != "desc") return bad_param(c, "order must be asc or desc");
    std::stable_sort(items.begin(), items.end(), [&](entry* a, entry* b) {
        auto la =
            a->obj["last_request_at"].is_number() ? a->obj["last_request_at"].to_number<std::int64_t>() : 0;
        auto lb =
            b->obj["last_request_at"].is_number() ? b->obj["last_request_at"].to_number<std::int64_t>() : 0;
        return order == "asc" ? la < lb : la > lb;
    });
    return company_page(c, items, {});
}

reply company_contacts(call& c, store& s) {
    entry* co = s.coll("companies").find(c.params[0]);
    if (!co) return not_found(c, "company_not_found", "Company Not Found");
    std::vector<entry*> items;
    for (auto* ct : s.coll("contacts").all())
        if (embed_has(ct->obj, "companies", "data", co->id)) items.push_back(ct);
    auto per_page = parse_per_page(c.query_or("per_page"), 50);
    if (!per_page) return bad_param(c, "per_page must be an integer between 1 and 150");
    auto page = parse_per_page(c.query_or("page"), 1, 1000000);
    if (!page) return bad_param(c, "page must be a positive integer");
    auto slice = number_page(items, *page, *per_page, {});
    json::object extra;
    extra["total_count"] = slice.total;
    extra["pages"] = std::move(slice.pages);
    return json_reply(200, list_body("list", "data", slice.items, extra));
}

reply company_segments(call& c, store& s) {
    entry* co = s.coll("companies").find(c.params[0]);
    if (!co) return not_found(c, "company_not_found", "Company Not Found");
    return json_reply(200, simple_list({}));
}

constexpr std::size_t scroll_page = 50;

reply scroll_companies(call& c, store& s) {
    auto now = std::chrono::steady_clock::now();
    if (s.scroll && now - s.scroll->last_used > s.scroll_expiry) s.scroll.reset();
    std::string param = c.query_or("scroll_param");
    if (param.empty()) {
        if (s.scroll && !s.scroll->finished)
            return bad_param(
                c,
                "A scroll is already in progress for this workspace; continue it or wait for it to expire");
        s.scroll = store::scroll_state{};
        s.scroll->param = "scroll-" + std::to_string(++s.scroll_counter) + "-" + s.workspace_id;
    } else if (!s.scroll || s.scroll->param != param) {
        // Intercom answers an expired or unknown scroll like this; clients must restart the scroll.
        return error_reply(
            c, 500, "server_error",
            "Request failed due to an internal network error. Please restart the scroll operation.");
    }
    // O(page): the scroll remembers the last company it returned.
    auto& companies = s.coll("companies");
    std::vector<entry*> slice = companies.after(s.scroll->last_seq, scroll_page);
    if (!slice.empty()) s.scroll->last_seq = slice.back()->seq;
    s.scroll->position += slice.size();
    s.scroll->last_used = now;
    json::object extra;
    extra["pages"] = nullptr;
    extra["total_count"] = companies.size();
    extra["scroll_param"] = s.scroll->param;
    if (slice.empty()) s.scroll->finished = true;
    return json_reply(200, list_body("list", "data", slice, extra));
}

} // namespace

void register_companies(router& r) {
    r.add("POST", "/companies", upsert_company);
    r.add("GET", "/companies", list_companies);
    r.add("POST", "/companies/list", list_companies_post);
    r.add("GET", "/companies/scroll", scroll_companies);
    r.add("GET", "/companies/{id}", get_company);
    r.add("PUT", "/companies/{id}", update_company);
    r.add("DELETE", "/companies/{id}", delete_company);
    r.add("GET", "/companies/{id}/contacts", company_contacts);
    r.add("GET", "/companies/{id}/segments", company_segments);
}

} // namespace intercom::testing::detail
