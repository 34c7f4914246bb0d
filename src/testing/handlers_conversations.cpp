// Conversations (create, reply, parts, customers, tags, search, cursor list) and tickets.
#include "handlers.hpp"

namespace json = boost::json;

namespace intercom::testing::detail {
namespace {

reply conversation_missing(const call& c) {
    return not_found(c, "not_found", "Resource Not Found");
}

json::object author_of(store& s, const json::object& b) {
    std::string type = str_of(b, "type");
    if (type == "admin") {
        std::string admin_id = str_of(b, "admin_id");
        entry* a = s.coll("admins").find(admin_id);
        return json::object{{"type", "admin"},
                            {"id", admin_id},
                            {"name", a ? a->obj["name"] : json::value(nullptr)},
                            {"email", a ? a->obj["email"] : json::value(nullptr)}};
    }
    std::string id = str_of(b, "intercom_user_id");
    if (id.empty()) id = str_of(b, "user_id");
    return json::object{{"type", "user"}, {"id", id}, {"name", nullptr}, {"email", str_of(b, "email")}};
}

json::object make_part(store& s, std::string_view part_type, const json::value& body, json::object author) {
    auto now = s.now();
    return json::object{{"type", "conversation_part"}, {"id", s.new_id("conversation_parts", false)},
                        {"part_type", part_type},      {"body", body},
                        {"created_at", now},           {"updated_at", now},
                        {"notified_at", now},          {"assigned_to", nullptr},
                        {"author", std::move(author)}, {"attachments", json::array{}},
                        {"external_id", nullptr},      {"redacted", false}};
}

void add_part(store& s, entry& conv, json::object part) {
    auto& parts = conv.obj["conversation_parts"].as_object();
    auto& arr = parts["conversation_parts"].as_array();
    arr.push_back(std::move(part));
    parts["total_count"] = arr.size();
    auto& stats = conv.obj["statistics"].as_object();
    stats["count_conversation_parts"] = arr.size() + 1;
    conv.obj["updated_at"] = s.now();
    conv.touch();
}

// Finds an admin named by `admin_id` in the body; error reply when missing or unknown.
bool need_admin(store& s, const call& c, reply& r) {
    const json::object* b = c.body();
    std::string admin_id = b ? str_of(*b, "admin_id") : std::string();
    if (admin_id.empty()) {
        r = bad_param(c, "admin_id is required");
        return false;
    }
    if (!s.coll("admins").find(admin_id)) {
        r = not_found(c, "admin_not_found", "Admin not found");
        return false;
    }
    return true;
}

const search_schema& conversation_schema() {
    static const search_schema schema = [] {
        search_schema s;
        s.resolve = [](const json::object& o, std::string_view field, std::vector<const json::value*>& out) {
            if (field == "contact_ids") return resolve_path(o, "contacts.contacts.id", out);
            if (field == "tag_ids") return resolve_path(o, "tags.tags.id", out);
            if (field == "teammate_ids") return resolve_path(o, "teammates.admins.id", out);
            if (field == "conversation_rating.admin_d")
                return resolve_path(o, "conversation_rating.admin_id", out);
            resolve_path(o, field, out);
        };
        s.date_fields = {"created_at",
                         "updated_at",
                         "waiting_since",
                         "snoozed_until",
                         "conversation_rating.requested_at",
                         "conversation_rating.replied_at"};
        return s;
    }();
    return schema;
}

reply list_conversations(call& c, store& s) {
    auto per_page = parse_per_page(c.query_or("per_page"), 20);
    if (!per_page) return bad_param(c, "per_page must be an integer between 1 and 150");
    auto slice = collection_page(s.coll("conversations"), *per_page, c.query_or("starting_after"));
    if (!slice) return bad_param(c, "starting_after is not a valid cursor");
    json::object extra;
    extra["total_count"] = slice->total;
    extra["pages"] = std::move(slice->pages);
    return json_reply(200, list_body("conversation.list", "conversations", slice->items, extra));
}

reply create_conversation(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    const json::value* from = b ? b->if_contains("from") : nullptr;
    if (!from || !from->is_object()) return bad_param(c, "from is required");
    std::string body = str_of(*b, "body");
    if (body.empty()) return bad_param(c, "body is required");
    std::string type = str_of(from->as_object(), "type");
    if (type != "user" && type != "lead" && type != "contact")
        return bad_param(c, "from.type must be user, lead or contact");
    std::string contact_id = str_of(from->as_object(), "id");
    entry* ct = s.coll("contacts").find(contact_id);
    if (!ct) return not_found(c, "not_found", "User Not Found");
    std::string id = s.new_id("conversations", false);
    auto now = s.now();
    json::object cv{{"type", "conversation"},
                    {"id", id},
                    {"title", nullptr},
                    {"created_at", now},
                    {"updated_at", now},
                    {"waiting_since", now},
                    {"snoozed_until", nullptr},
                    {"open", true},
                    {"state", "open"},
                    {"read", false},
                    {"priority", "not_priority"},
                    {"admin_assignee_id", nullptr},
                    {"team_assignee_id", nullptr}};
    std::string msg_id = s.new_id("messages", false);
    cv["source"] = json::object{{"type", "conversation"},
                                {"id", msg_id},
                                {"delivered_as", "customer_initiated"},
                                {"subject", ""},
                                {"body", body},
                                {"author", json::object{{"type", "user"},
                                                        {"id", contact_id},
                                                        {"name", ct->obj["name"]},
                                                        {"email", ct->obj["email"]}}},
                                {"attachments", json::array{}},
                                {"url", nullptr},
                                {"redacted", false}};
    cv["contacts"] = json::object{
        {"type", "contact.list"},
        {"contacts", json::array{json::object{
                         {"type", "contact"}, {"id", contact_id}, {"external_id", ct->obj["external_id"]}}}}};
    cv["teammates"] = json::object{{"type", "admin.list"}, {"admins", json::array{}}};
    cv["custom_attributes"] = json::object{};
    cv["tags"] = json::object{{"type", "tag.list"}, {"tags", json::array{}}};
    cv["conversation_rating"] = nullptr;
    cv["statistics"] = json::object{{"type", "conversation_statistics"},
                                    {"count_reopens", 0},
                                    {"count_assignments", 0},
                                    {"count_conversation_parts", 1}};
    cv["conversation_parts"] = json::object{
        {"type", "conversation_part.list"}, {"conversation_parts", json::array{}}, {"total_count", 0}};
    s.coll("conversations").insert(id, std::move(cv));
    return json_reply(200, json::object{{"type", "user_message"},
                                        {"id", msg_id},
                                        {"created_at", now},
                                        {"body", body},
                                        {"message_type", "inapp"},
                                        {"conversation_id", id}});
}

reply get_conversation(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    return e ? shared_reply(e->json()) : conversation_missing(c);
}

reply update_conversation(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    if (!e) return conversation_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    if (const json::object* b = c.body()) {
        if (auto* rd = b->if_contains("read")) {
            if (!rd->is_bool()) return bad_param(c, "read must be a boolean");
            e->obj["read"] = *rd;
        }
        if (auto* t = b->if_contains("title")) e->obj["title"] = *t;
        if (auto* ca = b->if_contains("custom_attributes")) {
            if (!ca->is_object()) return bad_param(c, "custom_attributes must be an object");
            merge_fields(e->obj, json::object{{"custom_attributes", *ca}});
        }
    }
    e->obj["updated_at"] = s.now();
    e->touch();
    return shared_reply(e->json());
}

reply delete_conversation(call& c, store& s) {
    if (!s.coll("conversations").erase(c.params[0])) return conversation_missing(c);
    return json_reply(200, json::object{{"id", c.params[0]}, {"object", "conversation"}, {"deleted", true}});
}

reply search_conversations(call& c, store& s) {
    return run_search(c, s, "conversations", conversation_schema(), "conversation.list", "conversations", 20);
}

reply reply_conversation(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    if (!e) return conversation_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b) return bad_param(c, "a JSON object body is required");
    std::string mt = str_of(*b, "message_type"), type = str_of(*b, "type");
    if (mt != "comment" && mt != "note" && mt != "quick_reply")
        return bad_param(c, "message_type must be comment or note");
    if (type != "admin" && type != "user") return bad_param(c, "type must be admin or user");
    if (type == "admin") {
        reply r;
        if (!need_admin(s, c, r)) return r;
    } else if (str_of(*b, "intercom_user_id").empty() && str_of(*b, "user_id").empty() &&
               str_of(*b, "email").empty()) {
        return bad_param(c, "one of intercom_user_id, user_id or email is required");
    }
    if (str_of(*b, "body").empty() && !b->contains("attachment_urls"))
        return bad_param(c, "body is required");
    add_part(s, *e,
             make_part(s, mt, b->contains("body") ? b->at("body") : json::value(nullptr), author_of(s, *b)));
    if (type == "user") {
        e->obj["open"] = true;
        e->obj["state"] = "open";
    }
    return shared_reply(e->json());
}

reply manage_conversation(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    if (!e) return conversation_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b) return bad_param(c, "a JSON object body is required");
    reply r;
    if (!need_admin(s, c, r)) return r;
    std::string mt = str_of(*b, "message_type");
    json::value body = b->contains("body") ? b->at("body") : json::value(nullptr);
    if (mt == "close") {
        e->obj["open"] = false;
        e->obj["state"] = "closed";
        add_part(s, *e, make_part(s, "close", body, author_of(s, *b)));
    } else if (mt == "open") {
        e->obj["open"] = true;
        e->obj["state"] = "open";
        e->obj["snoozed_until"] = nullptr;
        add_part(s, *e, make_part(s, "open", body, author_of(s, *b)));
    } else if (mt == "snoozed") {
        auto* su = b->if_contains("snoozed_until");
        if (!su || !su->is_number()) return bad_param(c, "snoozed_until is required");
        e->obj["state"] = "snoozed";
        e->obj["snoozed_until"] = *su;
        add_part(s, *e, make_part(s, "snoozed", body, author_of(s, *b)));
    } else if (mt == "assignment") {
        std::string assignee = str_of(*b, "assignee_id");
        if (assignee.empty()) return bad_param(c, "assignee_id is required");
        bool team = s.coll("teams").find(assignee) != nullptr;
        if (!team && !s.coll("admins").find(assignee) && assignee != "0")
            return not_found(c, "assignee_not_found", "Assignee not found");
        if (team) {
            e->obj["team_assignee_id"] = std::stoll(assignee);
        } else {
            e->obj["admin_assignee_id"] = std::stoll(assignee);
        }
        auto& stats = e->obj["statistics"].as_object();
        stats["count_assignments"] = stats["count_assignments"].to_number<std::int64_t>() + 1;
        auto part = make_part(s, "assignment", body, author_of(s, *b));
        part["assigned_to"] = json::object{{"type", team ? "team" : "admin"}, {"id", assignee}};
        add_part(s, *e, std::move(part));
    } else {
        return bad_param(c, "message_type must be one of close, open, snoozed, assignment");
    }
    return shared_reply(e->json());
}

reply run_assignment_rules(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    if (!e) return conversation_missing(c);
    add_part(s, *e, make_part(s, "default_assignment", nullptr, json::object{{"type", "bot"}, {"id", "0"}}));
    return shared_reply(e->json());
}

reply attach_customer(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    if (!e) return conversation_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    reply r;
    if (!need_admin(s, c, r)) return r;
    const json::value* cust = c.body()->if_contains("customer");
    if (!cust || !cust->is_object()) return bad_param(c, "customer is required");
    const auto& co = cust->as_object();
    entry* ct = nullptr;
    if (auto id = str_of(co, "intercom_user_id"); !id.empty())
        ct = s.coll("contacts").find(id);
    else if (auto uid = str_of(co, "user_id"); !uid.empty())
        ct = s.coll("contacts").find_if([&](const entry& x) { return str_of(x.obj, "external_id") == uid; });
    else if (auto em = str_of(co, "email"); !em.empty())
        ct = s.coll("contacts").find_if([&](const entry& x) { return str_of(x.obj, "email") == em; });
    else
        return bad_param(c, "customer needs intercom_user_id, user_id or email");
    if (!ct) return not_found(c, "not_found", "User Not Found");
    embed_add(e->obj, "contacts", "contacts",
              json::object{{"type", "contact"}, {"id", ct->id}, {"external_id", ct->obj["external_id"]}});
    add_part(s, *e,
             make_part(
                 s, "participant_added", nullptr,
                 author_of(s, json::object{{"type", "admin"}, {"admin_id", str_of(*c.body(), "admin_id")}})));
    return shared_reply(e->json());
}

reply detach_customer(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    if (!e) return conversation_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    reply r;
    if (!need_admin(s, c, r)) return r;
    if (!embed_has(e->obj, "contacts", "contacts", c.params[1]))
        return not_found(c, "not_found", "User Not Found");
    if (e->obj["contacts"].as_object()["contacts"].as_array().size() <= 1)
        return error_reply(c, 422, "data_invalid", "The last customer cannot be removed from a conversation");
    embed_remove(e->obj, "contacts", "contacts", c.params[1]);
    e->touch();
    return shared_reply(e->json());
}

// Conversations and tickets carry tags the same way: an admin is required and the tag must exist.
reply change_tag(call& c, store& s, const char* collection, bool attach, reply (*missing)(const call&)) {
    entry* e = s.coll(collection).find(c.params[0]);
    if (!e) return missing(c);
    if (c.body_invalid()) return invalid_json(c);
    reply r;
    if (!need_admin(s, c, r)) return r;
    entry* t = s.coll("tags").find(attach ? str_of(*c.body(), "id") : c.params[1]);
    if (!t) return not_found(c, "tag_not_found", "Tag not found");
    if (attach)
        embed_add(e->obj, "tags", "tags",
                  json::object{{"type", "tag"}, {"id", t->id}, {"name", t->obj["name"]}});
    else
        embed_remove(e->obj, "tags", "tags", t->id);
    e->touch();
    return shared_reply(t->json());
}

reply attach_conv_tag(call& c, store& s) {
    return change_tag(c, s, "conversations", true, conversation_missing);
}

reply detach_conv_tag(call& c, store& s) {
    return change_tag(c, s, "conversations", false, conversation_missing);
}

reply redact(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string type = b ? str_of(*b, "type") : std::string();
    if (type != "conversation_part" && type != "source")
        return bad_param(c, "type must be conversation_part or source");
    entry* e = s.coll("conversations").find(str_of(*b, "conversation_id"));
    if (!e) return conversation_missing(c);
    if (type == "source") {
        e->obj["source"].as_object()["body"] = "<p><i>This message was deleted</i></p>";
        e->obj["source"].as_object()["redacted"] = true;
    } else {
        std::string pid = str_of(*b, "conversation_part_id");
        bool found = false;
        for (auto& p : e->obj["conversation_parts"].as_object()["conversation_parts"].as_array()) {
            if (str_of(p.as_object(), "id") == pid) {
                p.as_object()["body"] = "<p><i>This message was deleted</i></p>";
                p.as_object()["redacted"] = true;
                found = true;
            }
        }
        if (!found)
            return not_found(c, "conversation_part_or_message_not_found",
                             "Conversation part or message not found");
    }
    e->touch();
    return shared_reply(e->json());
}

json::object make_ticket(store& s, const std::string& type_id, json::object attrs, json::array contacts) {
    std::string id = s.new_id("tickets", false);
    auto now = s.now();
    entry* tt = s.coll("ticket_types").find(type_id);
    return json::object{
        {"type", "ticket"},
        {"id", id},
        {"ticket_id", std::to_string(std::stoll(id) - 100000)},
        {"category", "Customer"},
        {"ticket_attributes", std::move(attrs)},
        {"ticket_state", "submitted"},
        {"ticket_type", tt ? json::value(tt->obj) : json::value(nullptr)},
        {"contacts", json::object{{"type", "contact.list"}, {"contacts", std::move(contacts)}}},
        {"admin_assignee_id", "0"},
        {"team_assignee_id", "0"},
        {"created_at", now},
        {"updated_at", now},
        {"open", true},
        {"snoozed_until", nullptr},
        {"linked_objects",
         json::object{{"type", "list"}, {"data", json::array{}}, {"total_count", 0}, {"has_more", false}}},
        {"ticket_parts",
         json::object{{"type", "ticket_part.list"}, {"ticket_parts", json::array{}}, {"total_count", 0}}},
        {"is_shared", true},
        {"tags", json::object{{"type", "tag.list"}, {"tags", json::array{}}}}};
}

reply convert_to_ticket(call& c, store& s) {
    entry* e = s.coll("conversations").find(c.params[0]);
    if (!e) return conversation_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    std::string tt = c.body() ? str_of(*c.body(), "ticket_type_id") : std::string();
    if (!s.coll("ticket_types").find(tt)) return bad_param(c, "ticket_type_id is not a valid ticket type");
    auto t = make_ticket(s, tt, json::object{{"_default_title_", "Converted conversation " + e->id}},
                         e->obj["contacts"].as_object()["contacts"].as_array());
    std::string id = str_of(t, "id");
    auto& te = s.coll("tickets").insert(id, std::move(t));
    return shared_reply(te.json());
}

// --- tickets
// ------------------------------------------------------------------------------------------------
const search_schema& ticket_schema() {
    static const search_schema schema = [] {
        search_schema s;
        s.resolve = [](const json::object& o, std::string_view field, std::vector<const json::value*>& out) {
            if (field == "contact_ids") return resolve_path(o, "contacts.contacts.id", out);
            if (field == "state") return resolve_path(o, "ticket_state", out);
            if (field == "title") return resolve_path(o, "ticket_attributes._default_title_", out);
            if (field == "description")
                return resolve_path(o, "ticket_attributes._default_description_", out);
            if (field == "ticket_type_id") return resolve_path(o, "ticket_type.id", out);
            if (field.rfind("ticket_attribute.", 0) == 0)
                return resolve_path(o, "ticket_attributes." + std::string(field.substr(17)), out);
            resolve_path(o, field, out);
        };
        s.date_fields = {"created_at", "updated_at", "snoozed_until"};
        return s;
    }();
    return schema;
}

reply ticket_missing(const call& c) {
    return not_found(c, "ticket_not_found", "Ticket not found");
}

reply create_ticket(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string tt = b ? str_of(*b, "ticket_type_id") : std::string();
    if (tt.empty()) return bad_param(c, "ticket_type_id is required");
    if (!s.coll("ticket_types").find(tt)) return not_found(c, "not_found", "Ticket type not found");
    const json::value* cts = b->if_contains("contacts");
    if (!cts || !cts->is_array() || cts->as_array().empty()) return bad_param(c, "contacts is required");
    json::array refs;
    for (auto& x : cts->as_array()) {
        if (!x.is_object()) return bad_param(c, "contacts entries must be objects");
        entry* ct = nullptr;
        const auto& o = x.as_object();
        if (auto id = str_of(o, "id"); !id.empty())
            ct = s.coll("contacts").find(id);
        else if (auto ext = str_of(o, "external_id"); !ext.empty())
            ct = s.coll("contacts").find_if([&](const entry& e) {
                return str_of(e.obj, "external_id") == ext;
            });
        else if (auto em = str_of(o, "email"); !em.empty())
            ct = s.coll("contacts").find_if([&](const entry& e) { return str_of(e.obj, "email") == em; });
        if (!ct) return not_found(c, "not_found", "User Not Found");
        refs.push_back(
            json::object{{"type", "contact"}, {"id", ct->id}, {"external_id", ct->obj["external_id"]}});
    }
    json::object attrs;
    if (auto* ta = b->if_contains("ticket_attributes"); ta && ta->is_object()) attrs = ta->as_object();
    auto t = make_ticket(s, tt, std::move(attrs), std::move(refs));
    std::string id = str_of(t, "id");
    auto& te = s.coll("tickets").insert(id, std::move(t));
    return shared_reply(te.json());
}

reply get_ticket(call& c, store& s) {
    entry* e = s.coll("tickets").find(c.params[0]);
    return e ? shared_reply(e->json()) : ticket_missing(c);
}

reply update_ticket(call& c, store& s) {
    entry* e = s.coll("tickets").find(c.params[0]);
    if (!e) return ticket_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    if (const json::object* b = c.body()) {
        if (auto* ta = b->if_contains("ticket_attributes"); ta && ta->is_object())
            merge_fields(e->obj, json::object{{"ticket_attributes", *ta}}, {"ticket_attributes"});
        if (auto st = str_of(*b, "state"); !st.empty()) {
            if (st != "in_progress" && st != "waiting_on_customer" && st != "resolved" && st != "submitted")
                return bad_param(c, "state is not a valid ticket state");
            e->obj["ticket_state"] = st;
        }
        if (auto* o = b->if_contains("open"); o && o->is_bool()) e->obj["open"] = *o;
        if (auto* sh = b->if_contains("is_shared"); sh && sh->is_bool()) e->obj["is_shared"] = *sh;
        if (auto* sn = b->if_contains("snoozed_until")) e->obj["snoozed_until"] = *sn;
        if (auto* as = b->if_contains("assignment"); as && as->is_object()) {
            if (auto a = str_of(as->as_object(), "assignee_id"); !a.empty()) e->obj["admin_assignee_id"] = a;
        }
    }
    e->obj["updated_at"] = s.now();
    e->touch();
    return shared_reply(e->json());
}

reply delete_ticket(call& c, store& s) {
    if (!s.coll("tickets").erase(c.params[0])) return ticket_missing(c);
    return json_reply(200, json::object{{"id", c.params[0]}, {"object", "ticket"}, {"deleted", true}});
}

reply reply_ticket(call& c, store& s) {
    entry* e = s.coll("tickets").find(c.params[0]);
    if (!e) return ticket_missing(c);
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b || str_of(*b, "body").empty()) return bad_param(c, "body is required");
    std::string mt = str_of(*b, "message_type");
    if (mt != "comment" && mt != "note" && mt != "quick_reply")
        return bad_param(c, "message_type must be comment or note");
    if (str_of(*b, "type") == "admin") {
        reply r;
        if (!need_admin(s, c, r)) return r;
    }
    auto now = s.now();
    json::object part{{"type", "ticket_part"},
                      {"id", s.new_id("ticket_parts", false)},
                      {"part_type", mt},
                      {"body", b->at("body")},
                      {"created_at", now},
                      {"updated_at", now},
                      {"author", author_of(s, *b)},
                      {"attachments", json::array{}},
                      {"redacted", false}};
    auto& parts = e->obj["ticket_parts"].as_object();
    parts["ticket_parts"].as_array().push_back(part);
    parts["total_count"] = parts["ticket_parts"].as_array().size();
    e->obj["updated_at"] = now;
    e->touch();
    return json_reply(200, part);
}

reply attach_ticket_tag(call& c, store& s) {
    return change_tag(c, s, "tickets", true, ticket_missing);
}

reply detach_ticket_tag(call& c, store& s) {
    return change_tag(c, s, "tickets", false, ticket_missing);
}

reply search_tickets(call& c, store& s) {
    return run_search(c, s, "tickets", ticket_schema(), "ticket.list", "tickets", 20);
}

} // namespace

void register_conversations(router& r) {
    r.add("GET", "/conversations", list_conversations);
    r.add("POST", "/conversations", create_conversation);
    r.add("POST", "/conversations/search", search_conversations);
    r.add("POST", "/conversations/redact", redact);
    r.add("GET", "/conversations/{id}", get_conversation);
    r.add("PUT", "/conversations/{id}", update_conversation);
    r.add("DELETE", "/conversations/{id}", delete_conversation);
    r.add("POST", "/conversations/{id}/reply", reply_conversation);
    r.add("POST", "/conversations/{id}/parts", manage_conversation);
    r.add("POST", "/conversations/{id}/run_assignment_rules", run_assignment_rules);
    r.add("POST", "/conversations/{id}/customers", attach_customer);
    r.add("DELETE", "/conversations/{id}/customers/{contact_id}", detach_customer);
    r.add("POST", "/conversations/{id}/tags", attach_conv_tag);
    r.add("DELETE", "/conversations/{id}/tags/{tag_id}", detach_conv_tag);
    r.add("POST", "/conversations/{id}/convert", convert_to_ticket);
}

void register_tickets(router& r) {
    r.add("POST", "/tickets", create_ticket);
    r.add("POST", "/tickets/search", search_tickets);
    r.add("GET", "/tickets/{id}", get_ticket);
    r.add("PUT", "/tickets/{id}", update_ticket);
    r.add("DELETE", "/tickets/{id}", delete_ticket);
    r.add("POST", "/tickets/{id}/reply", reply_ticket);
    r.add("POST", "/tickets/{id}/tags", attach_ticket_tag);
    r.add("DELETE", "/tickets/{id}/tags/{tag_id}", detach_ticket_tag);
}

} // namespace intercom::testing::detail
