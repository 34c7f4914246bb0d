// The long tail, table-driven: every resource here gets create / retrieve / update / delete / list with the
// 2.11 object type, list envelope and pagination style. Plus the few odd operations of those tags.
#include "handlers.hpp"

namespace json = boost::json;

namespace intercom::testing::detail {
namespace {

enum class paging { none, pages, numbered };

struct resource_def {
    std::string collection;
    std::string path; // e.g. "/articles"
    std::string type; // object "type"
    std::string list_type = "list";
    std::string list_field = "data";
    paging pag = paging::none;
    bool create = true, retrieve = true, update = true, remove = true, list = true;
    std::vector<std::string> required; // fields a create must carry
    json::object defaults;             // fields a new object starts with
    unsigned delete_status = 200;      // 204: empty body
    bool hex_ids = false;
};

reply generic_list(const resource_def& d, const call& c, std::vector<entry*> items) {
    json::object extra;
    if (d.pag == paging::numbered) {
        auto per_page = parse_per_page(c.query_or("per_page"), 15, 150);
        if (!per_page) return bad_param(c, "per_page must be an integer between 1 and 150");
        auto page = parse_per_page(c.query_or("page"), 1, 1000000);
        if (!page) return bad_param(c, "page must be a positive integer");
        auto slice = number_page(items, *page, *per_page, c.base_url + d.path);
        extra["total_count"] = slice.total;
        extra["pages"] = std::move(slice.pages);
        return json_reply(200, list_body(d.list_type, d.list_field, slice.items, extra));
    }
    if (d.pag == paging::pages) {
        extra["total_count"] = items.size();
        extra["pages"] =
            json::object{{"type", "pages"}, {"page", 1}, {"per_page", items.size()}, {"total_pages", 1}};
    }
    return json_reply(200, list_body(d.list_type, d.list_field, items, extra));
}

reply generic_create(const resource_def& d, const call& c, store& s, const std::string& coll) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b) return bad_param(c, "a JSON object body is required");
    for (const auto& f : d.required)
        if (!b->contains(f) || b->at(f).is_null()) return bad_param(c, f + " is required");
    std::string id = s.new_id(coll, d.hex_ids);
    auto now = s.now();
    json::object obj = d.defaults;
    obj["type"] = d.type;
    obj["id"] = id;
    obj["created_at"] = now;
    obj["updated_at"] = now;
    merge_fields(obj, *b);
    obj["id"] = id;
    obj["type"] = d.type;
    auto& e = s.coll(coll).insert(id, std::move(obj));
    return shared_reply(e.json());
}

reply generic_update(const resource_def& d, const call& c, store& s, entry* e) {
    if (c.body_invalid()) return invalid_json(c);
    if (const json::object* b = c.body()) merge_fields(e->obj, *b);
    e->obj["id"] = json::value(e->id);
    e->obj["type"] = d.type;
    e->obj["updated_at"] = s.now();
    e->touch();
    return shared_reply(e->json());
}

reply generic_delete(const resource_def& d, const call& c, store& s, const std::string& coll,
                     const std::string& id) {
    if (!s.coll(coll).erase(id)) return not_found(c, "not_found", "Resource Not Found");
    if (d.delete_status == 204) {
        reply r = json_reply(204, std::string());
        return r;
    }
    return json_reply(200, json::object{{"id", id}, {"object", d.type}, {"deleted", true}});
}

void add_resource(router& r, std::shared_ptr<const resource_def> d) {
    if (d->list)
        r.add("GET", d->path,
              [d](call& c, store& s) { return generic_list(*d, c, s.coll(d->collection).all()); });
    if (d->create)
        r.add("POST", d->path, [d](call& c, store& s) { return generic_create(*d, c, s, d->collection); });
    std::string item = d->path + "/{id}";
    if (d->retrieve)
        r.add("GET", item, [d](call& c, store& s) {
            entry* e = s.coll(d->collection).find(c.params[0]);
            return e ? shared_reply(e->json()) : not_found(c, "not_found", "Resource Not Found");
        });
    if (d->update)
        r.add("PUT", item, [d](call& c, store& s) {
            entry* e = s.coll(d->collection).find(c.params[0]);
            return e ? generic_update(*d, c, s, e) : not_found(c, "not_found", "Resource Not Found");
        });
    if (d->remove)
        r.add("DELETE", item,
              [d](call& c, store& s) { return generic_delete(*d, c, s, d->collection, c.params[0]); });
}

std::shared_ptr<const resource_def> def(resource_def d) {
    return std::make_shared<const resource_def>(std::move(d));
}

// --- odd operations
// ----------------------------------------------------------------------------------------------
reply search_articles(call& c, store& s) {
    std::string phrase = to_lower(c.query_or("phrase"));
    std::string state = c.query_or("state");
    std::vector<entry*> hits;
    for (auto* e : s.coll("articles").all()) {
        if (!state.empty() && str_of(e->obj, "state") != state) continue;
        if (!phrase.empty() &&
            to_lower(str_of(e->obj, "title") + " " + str_of(e->obj, "body")).find(phrase) ==
                std::string::npos)
            continue;
        hits.push_back(e);
    }
    json::array arr;
    for (auto* e : hits)
        arr.push_back(e->obj);
    return json_reply(
        200,
        json::object{
            {"type", "list"},
            {"total_count", hits.size()},
            {"data", json::object{{"articles", std::move(arr)}, {"highlights", json::array{}}}},
            {"pages",
             json::object{{"type", "pages"}, {"page", 1}, {"per_page", hits.size()}, {"total_pages", 1}}}});
}

reply newsfeed_items(call& c, store& s) {
    if (!s.coll("newsfeeds").find(c.params[0])) return not_found(c, "not_found", "Resource Not Found");
    std::vector<entry*> items;
    for (auto* e : s.coll("news_items").all()) {
        auto* na = e->obj.if_contains("newsfeed_assignments");
        bool in = false;
        if (na && na->is_array())
            for (auto& a : na->as_array())
                if (a.is_object() && str_of(a.as_object(), "newsfeed_id") == c.params[0]) in = true;
        if (in && str_of(e->obj, "state") == "live") items.push_back(e);
    }
    json::object extra{
        {"total_count", items.size()},
        {"pages",
         json::object{{"type", "pages"}, {"page", 1}, {"per_page", items.size()}, {"total_pages", 1}}}};
    return json_reply(200, list_body("list", "data", items, extra));
}

reply create_ticket_type_attribute(call& c, store& s) {
    entry* tt = s.coll("ticket_types").find(c.params[0]);
    if (!tt) return not_found(c, "not_found", "Ticket type not found");
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    for (auto f : {"name", "description", "data_type"})
        if (!b || str_of(*b, f).empty()) return bad_param(c, std::string(f) + " is required");
    std::string id = s.new_id("ticket_type_attributes", false);
    json::object a = *b;
    a["type"] = "ticket_type_attribute";
    a["id"] = id;
    a["ticket_type_id"] = std::stoll(tt->id);
    a["workspace_id"] = s.workspace_id;
    a["archived"] = false;
    a["created_at"] = s.now();
    a["updated_at"] = s.now();
    tt->obj["ticket_type_attributes"].as_object()["data"].as_array().push_back(a);
    tt->touch();
    return json_reply(200, a);
}

reply update_ticket_type_attribute(call& c, store& s) {
    entry* tt = s.coll("ticket_types").find(c.params[0]);
    if (!tt) return not_found(c, "not_found", "Ticket type not found");
    if (c.body_invalid()) return invalid_json(c);
    for (auto& a : tt->obj["ticket_type_attributes"].as_object()["data"].as_array()) {
        if (str_of(a.as_object(), "id") != c.params[1]) continue;
        if (const json::object* b = c.body()) merge_fields(a.as_object(), *b);
        a.as_object()["id"] = c.params[1];
        a.as_object()["updated_at"] = s.now();
        tt->touch();
        return json_reply(200, a);
    }
    return not_found(c, "not_found", "Ticket type attribute not found");
}

reply update_data_attribute(call& c, store& s) {
    entry* e = s.coll("data_attributes").find(c.params[0]);
    if (!e) return not_found(c, "field_not_found", "We couldn't find that data attribute to update");
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (b && b->contains("options") && !b->at("options").is_array())
        return error_reply(c, 422, "data_invalid", "options must be an array");
    if (b) merge_fields(e->obj, *b);
    e->obj["updated_at"] = s.now();
    e->touch();
    return shared_reply(e->json());
}

reply create_data_attribute(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string name = b ? str_of(*b, "name") : std::string();
    std::string model = b ? str_of(*b, "model") : std::string();
    std::string dt = b ? str_of(*b, "data_type") : std::string();
    if (name.empty() || (model != "contact" && model != "company"))
        return bad_param(c, "name and model (contact or company) are required");
    static const char* types[] = {"string", "integer", "float", "boolean", "datetime", "date"};
    bool ok = false;
    for (auto t : types)
        ok = ok || dt == t;
    if (!ok) return bad_param(c, "data_type is not valid");
    if (s.coll("data_attributes").find_if([&](const entry& e) {
            return str_of(e.obj, "name") == name && str_of(e.obj, "model") == model;
        }))
        return bad_param(c, "You already have a data attribute called " + name);
    std::string id = s.new_id("data_attributes", false);
    json::object o{{"type", "data_attribute"},
                   {"id", std::stoll(id)},
                   {"model", model},
                   {"name", name},
                   {"full_name", "custom_attributes." + name},
                   {"label", name},
                   {"description", str_of(*b, "description")},
                   {"data_type", dt},
                   {"api_writable", true},
                   {"ui_writable", false},
                   {"custom", true},
                   {"archived", false},
                   {"created_at", s.now()},
                   {"updated_at", s.now()}};
    if (b->contains("options")) o["options"] = b->at("options");
    auto& e = s.coll("data_attributes").insert(id, std::move(o));
    return shared_reply(e.json());
}

reply list_data_attributes(call& c, store& s) {
    std::string model = c.query_or("model");
    std::vector<entry*> items;
    for (auto* e : s.coll("data_attributes").all())
        if (model.empty() || str_of(e->obj, "model") == model) items.push_back(e);
    return json_reply(200, simple_list(items));
}

// Visitors: looked up by id or user_id.
entry* find_visitor(store& s, const json::object& key) {
    if (auto id = str_of(key, "id"); !id.empty()) return s.coll("visitors").find(id);
    if (auto uid = str_of(key, "user_id"); !uid.empty())
        return s.coll("visitors").find_if([&](const entry& e) { return str_of(e.obj, "user_id") == uid; });
    return nullptr;
}

reply get_visitor(call& c, store& s) {
    std::string uid = c.query_or("user_id");
    if (uid.empty()) return bad_param(c, "user_id is required");
    entry* v = find_visitor(s, json::object{{"user_id", uid}});
    return v ? shared_reply(v->json()) : not_found(c, "not_found", "Visitor Not Found");
}

reply update_visitor(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b || (str_of(*b, "id").empty() && str_of(*b, "user_id").empty()))
        return bad_param(c, "id or user_id is required");
    entry* v = find_visitor(s, *b);
    if (!v) return not_found(c, "not_found", "Visitor Not Found");
    for (auto& [k, val] : *b)
        if (k != "id" && k != "user_id") merge_fields(v->obj, json::object{{k, val}});
    v->obj["updated_at"] = s.now();
    v->touch();
    return shared_reply(v->json());
}

reply convert_visitor(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    const json::value* vis = b ? b->if_contains("visitor") : nullptr;
    if (!b || str_of(*b, "type") != "user" && str_of(*b, "type") != "lead")
        return bad_param(c, "type must be user or lead");
    if (!vis || !vis->is_object()) return bad_param(c, "visitor is required");
    entry* v = find_visitor(s, vis->as_object());
    if (!v && !str_of(vis->as_object(), "email").empty())
        v = s.coll("visitors").find_if([&](const entry& e) {
            return str_of(e.obj, "email") == str_of(vis->as_object(), "email");
        });
    if (!v) return not_found(c, "not_found", "Visitor Not Found");
    std::string id = s.new_id("contacts", true);
    auto contact = make_contact(s, id, s.now());
    contact["role"] = str_of(*b, "type");
    if (auto* u = b->if_contains("user"); u && u->is_object()) {
        if (auto em = str_of(u->as_object(), "email"); !em.empty()) contact["email"] = em;
        if (auto uid = str_of(u->as_object(), "user_id"); !uid.empty()) contact["external_id"] = uid;
    }
    s.coll("visitors").erase(v->id);
    auto& e = s.coll("contacts").insert(id, std::move(contact));
    return shared_reply(e.json());
}

reply create_message(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b) return bad_param(c, "a JSON object body is required");
    std::string mt = str_of(*b, "message_type");
    if (mt != "in_app" && mt != "email")
        return error_reply(c, 422, "parameter_invalid", "message_type must be in_app or email");
    if (str_of(*b, "body").empty()) return bad_param(c, "body is required");
    if (mt == "email" && (str_of(*b, "subject").empty() || str_of(*b, "template").empty()))
        return error_reply(c, 422, "parameter_invalid",
                           "subject and template are required for email messages");
    const json::value* from = b->if_contains("from");
    const json::value* to = b->if_contains("to");
    if (!from || !from->is_object() || !to || !to->is_object())
        return bad_param(c, "from and to are required");
    if (!s.coll("admins").find(str_of(from->as_object(), "id")))
        return not_found(c, "admin_not_found", "Admin not found");
    if (!s.coll("contacts").find(str_of(to->as_object(), "id")))
        return not_found(c, "not_found", "User Not Found");
    std::string id = s.new_id("messages", false);
    std::string conv = s.new_id("conversations", false);
    return json_reply(200, json::object{{"type", "admin_message"},
                                        {"id", id},
                                        {"created_at", s.now()},
                                        {"subject", str_of(*b, "subject")},
                                        {"body", str_of(*b, "body")},
                                        {"message_type", mt == "in_app" ? "inapp" : "email"},
                                        {"conversation_id", conv}});
}

reply phone_redirect(call& c, store&) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string phone = b ? str_of(*b, "phone") : std::string();
    if (phone.size() < 8 || phone.front() != '+')
        return json_reply(
            400, json::object{{"error_key", "invalid_phone_number"}, {"message", "Invalid phone number"}});
    return json_reply(200, json::object{{"type", "phone_call_redirect"}, {"phone", phone}});
}

// Custom object instances are keyed by type identifier and upserted by external_id.
reply upsert_custom_object(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string ext = b ? str_of(*b, "external_id") : std::string();
    if (ext.empty()) return bad_param(c, "external_id is required");
    std::string coll = "custom_object_instances:" + c.params[0];
    entry* e = s.coll(coll).find_if([&](const entry& x) { return str_of(x.obj, "external_id") == ext; });
    std::string id = e ? e->id : s.new_id("custom_object_instances", false);
    json::object obj =
        e ? e->obj : json::object{{"type", c.params[0]}, {"id", id}, {"custom_attributes", json::object{}}};
    merge_fields(obj, *b);
    obj["id"] = id;
    obj["type"] = c.params[0];
    auto& ne = s.coll(coll).insert(id, std::move(obj));
    return shared_reply(ne.json());
}

reply get_custom_object_by_external(call& c, store& s) {
    std::string ext = c.query_or("external_id");
    if (ext.empty()) return bad_param(c, "external_id is required");
    entry* e = s.coll("custom_object_instances:" + c.params[0]).find_if([&](const entry& x) {
        return str_of(x.obj, "external_id") == ext;
    });
    return e ? shared_reply(e->json()) : not_found(c, "not_found", "Resource Not Found");
}

reply get_custom_object(call& c, store& s) {
    entry* e = s.coll("custom_object_instances:" + c.params[0]).find(c.params[1]);
    return e ? shared_reply(e->json()) : not_found(c, "not_found", "Resource Not Found");
}

reply delete_custom_object(call& c, store& s) {
    if (!s.coll("custom_object_instances:" + c.params[0]).erase(c.params[1]))
        return not_found(c, "not_found", "Resource Not Found");
    return json_reply(200, json::object{{"id", c.params[1]}, {"object", c.params[0]}, {"deleted", true}});
}

} // namespace

void register_generic(router& r) {
    auto state_defaults = json::object{{"state", "draft"}, {"workspace_id", "ecahpwf5"}};
    add_resource(r, def({.collection = "articles",
                         .path = "/articles",
                         .type = "article",
                         .pag = paging::numbered,
                         .required = {"title", "author_id"},
                         .defaults = state_defaults}));
    add_resource(r, def({.collection = "collections",
                         .path = "/help_center/collections",
                         .type = "collection",
                         .pag = paging::numbered,
                         .required = {"name"}}));
    add_resource(r, def({.collection = "help_centers",
                         .path = "/help_center/help_centers",
                         .type = "help_center",
                         .pag = paging::numbered,
                         .create = false,
                         .update = false,
                         .remove = false}));
    add_resource(r, def({.collection = "news_items",
                         .path = "/news/news_items",
                         .type = "news-item",
                         .pag = paging::pages,
                         .required = {"title", "sender_id"},
                         .defaults = state_defaults}));
    add_resource(r, def({.collection = "newsfeeds",
                         .path = "/news/newsfeeds",
                         .type = "newsfeed",
                         .pag = paging::pages,
                         .create = false,
                         .update = false,
                         .remove = false}));
    add_resource(r, def({.collection = "segments",
                         .path = "/segments",
                         .type = "segment",
                         .list_type = "segment.list",
                         .list_field = "segments",
                         .create = false,
                         .update = false,
                         .remove = false}));
    add_resource(r, def({.collection = "subscription_types",
                         .path = "/subscription_types",
                         .type = "subscription",
                         .create = false,
                         .retrieve = false,
                         .update = false,
                         .remove = false}));
    add_resource(r,
                 def({.collection = "ticket_types",
                      .path = "/ticket_types",
                      .type = "ticket_type",
                      .remove = false,
                      .required = {"name"},
                      .defaults = json::object{{"category", "Customer"},
                                               {"archived", false},
                                               {"ticket_type_attributes",
                                                json::object{{"type", "list"}, {"data", json::array{}}}}}}));
    add_resource(r, def({.collection = "ticket_states",
                         .path = "/ticket_states",
                         .type = "ticket_state",
                         .create = false,
                         .retrieve = false,
                         .update = false,
                         .remove = false}));
    add_resource(r, def({.collection = "content_import_sources",
                         .path = "/ai/content_import_sources",
                         .type = "content_import_source",
                         .pag = paging::pages,
                         .required = {"url"},
                         .defaults = json::object{{"sync_behavior", "api"}, {"status", "active"}},
                         .delete_status = 204}));
    add_resource(r, def({.collection = "external_pages",
                         .path = "/ai/external_pages",
                         .type = "external_page",
                         .pag = paging::pages,
                         .required = {"title", "html", "source_id", "external_id"},
                         .defaults = json::object{{"ai_agent_availability", true},
                                                  {"ai_copilot_availability", true}}}));

    r.add("GET", "/articles/search", search_articles);
    r.add("GET", "/news/newsfeeds/{id}/items", newsfeed_items);
    r.add("POST", "/ticket_types/{id}/attributes", create_ticket_type_attribute);
    r.add("PUT", "/ticket_types/{id}/attributes/{attribute_id}", update_ticket_type_attribute);
    r.add("GET", "/data_attributes", list_data_attributes);
    r.add("POST", "/data_attributes", create_data_attribute);
    r.add("PUT", "/data_attributes/{id}", update_data_attribute);
    r.add("GET", "/visitors", get_visitor);
    r.add("PUT", "/visitors", update_visitor);
    r.add("POST", "/visitors/convert", convert_visitor);
    r.add("POST", "/messages", create_message);
    r.add("POST", "/phone_call_redirects", phone_redirect);
    r.add("POST", "/custom_object_instances/{type}", upsert_custom_object);
    r.add("GET", "/custom_object_instances/{type}", get_custom_object_by_external);
    r.add("GET", "/custom_object_instances/{type}/{id}", get_custom_object);
    r.add("DELETE", "/custom_object_instances/{type}/{id}", delete_custom_object);
}

} // namespace intercom::testing::detail
