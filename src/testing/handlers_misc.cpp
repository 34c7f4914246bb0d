// Admins, teams, tags, notes, data events and data export jobs.
#include "handlers.hpp"

#include <zlib.h>

#include <stdexcept>

namespace json = boost::json;

namespace intercom::testing::detail {
namespace {

// --- admins and teams
// ----------------------------------------------------------------------------------------
reply me(call&, store& s) {
    auto admins = s.coll("admins").all();
    json::object o = admins.front()->obj;
    o["app"] = json::object{{"type", "app"},
                            {"id_code", s.workspace_id},
                            {"name", "Fake Workspace"},
                            {"created_at", s.base_time - 86400 * 365},
                            {"secure", false},
                            {"identity_verification", false},
                            {"timezone", "Europe/Dublin"},
                            {"region", "US"}};
    return json_reply(200, o);
}

reply list_admins(call&, store& s) {
    return json_reply(200, list_body("admin.list", "admins", s.coll("admins").all()));
}

reply get_admin(call& c, store& s) {
    entry* e = s.coll("admins").find(c.params[0]);
    return e ? shared_reply(e->json()) : not_found(c, "admin_not_found", "Admin not found");
}

reply admin_away(call& c, store& s) {
    entry* e = s.coll("admins").find(c.params[0]);
    if (!e) return not_found(c, "admin_not_found", "Admin not found");
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    auto* en = b ? b->if_contains("away_mode_enabled") : nullptr;
    auto* re = b ? b->if_contains("away_mode_reassign") : nullptr;
    if (!en || !en->is_bool() || !re || !re->is_bool())
        return bad_param(c, "away_mode_enabled and away_mode_reassign must be booleans");
    e->obj["away_mode_enabled"] = *en;
    e->obj["away_mode_reassign"] = *re;
    e->touch();
    return shared_reply(e->json());
}

reply activity_logs(call& c, store& s) {
    if (c.query_or("created_at_after").empty()) return bad_param(c, "created_at_after is required");
    json::array logs;
    std::int64_t i = 0;
    for (auto* a : s.coll("admins").all()) {
        logs.push_back(json::object{
            {"id", std::to_string(900000 + i)},
            {"performed_by",
             json::object{{"type", "admin"}, {"id", a->id}, {"email", a->obj["email"]}, {"ip", "127.0.0.1"}}},
            {"metadata", json::object{}},
            {"created_at", s.base_time + i * 60},
            {"activity_type", "admin_login_success"},
            {"activity_description", "logged in"}});
        ++i;
    }
    return json_reply(200, json::object{{"type", "activity_log.list"},
                                        {"pages", json::object{{"type", "pages"},
                                                               {"next", nullptr},
                                                               {"page", 1},
                                                               {"per_page", 20},
                                                               {"total_pages", 1}}},
                                        {"activity_logs", std::move(logs)}});
}

reply list_teams(call&, store& s) {
    return json_reply(200, list_body("team.list", "teams", s.coll("teams").all()));
}

reply get_team(call& c, store& s) {
    entry* e = s.coll("teams").find(c.params[0]);
    return e ? shared_reply(e->json()) : not_found(c, "team_not_found", "Team not found");
}

// --- tags
// ------------------------------------------------------------------------------------------------------
reply list_tags(call&, store& s) {
    return json_reply(200, simple_list(s.coll("tags").all()));
}

reply get_tag(call& c, store& s) {
    entry* e = s.coll("tags").find(c.params[0]);
    return e ? shared_reply(e->json()) : not_found(c, "tag_not_found", "Tag not found");
}

entry& tag_named(store& s, const std::string& name) {
    if (entry* e = s.coll("tags").find_if([&](const entry& x) { return str_of(x.obj, "name") == name; }))
        return *e;
    std::string id = s.new_id("tags", false);
    return s.coll("tags").insert(
        id, json::object{{"type", "tag"},
                         {"id", id},
                         {"name", name},
                         {"applied_at", s.now()},
                         {"applied_by", json::object{{"type", "admin"}, {"id", "991267390"}}}});
}

reply create_tag(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string name = b ? str_of(*b, "name") : std::string();
    if (name.empty()) return bad_param(c, "name is required");
    if (auto* cos = b->if_contains("companies"); cos && cos->is_array()) {
        entry& t = tag_named(s, name);
        for (auto& x : cos->as_array()) {
            if (!x.is_object()) return bad_param(c, "companies entries must be objects");
            const auto& o = x.as_object();
            entry* co = s.coll("companies").find(str_of(o, "id"));
            if (!co)
                co = s.coll("companies").find_if([&](const entry& e) {
                    return str_of(e.obj, "company_id") == str_of(o, "company_id");
                });
            if (!co) return not_found(c, "company_not_found", "Company Not Found");
            if (auto* u = o.if_contains("untag"); u && u->is_bool() && u->get_bool())
                embed_remove(co->obj, "tags", "tags", t.id);
            else
                embed_add(co->obj, "tags", "tags",
                          json::object{{"type", "tag"}, {"id", t.id}, {"name", name}});
            co->touch();
        }
        return shared_reply(t.json());
    }
    if (auto* us = b->if_contains("users"); us && us->is_array()) {
        entry& t = tag_named(s, name);
        for (auto& x : us->as_array()) {
            entry* ct = x.is_object() ? s.coll("contacts").find(str_of(x.as_object(), "id")) : nullptr;
            if (!ct) return not_found(c, "not_found", "User Not Found");
            embed_add(ct->obj, "tags", "data",
                      json::object{{"type", "tag"}, {"id", t.id}, {"url", "/tags/" + t.id}});
            ct->touch();
        }
        return shared_reply(t.json());
    }
    if (auto id = str_of(*b, "id"); !id.empty()) {
        entry* e = s.coll("tags").find(id);
        if (!e) return not_found(c, "tag_not_found", "Tag not found");
        e->obj["name"] = name;
        e->touch();
        return shared_reply(e->json());
    }
    return shared_reply(tag_named(s, name).json());
}

reply delete_tag(call& c, store& s) {
    if (!s.coll("tags").erase(c.params[0])) return not_found(c, "tag_not_found", "Tag not found");
    reply r = json_reply(200, std::string());
    return r;
}

reply get_note(call& c, store& s) {
    entry* e = s.coll("notes").find(c.params[0]);
    return e ? shared_reply(e->json()) : not_found(c, "not_found", "Resource Not Found");
}

// --- data events
// -----------------------------------------------------------------------------------------------
entry* contact_for_event(store& s, const json::object& b) {
    auto& cs = s.coll("contacts");
    if (auto id = str_of(b, "id"); !id.empty()) return cs.find(id);
    if (auto id = str_of(b, "intercom_user_id"); !id.empty()) return cs.find(id);
    if (auto uid = str_of(b, "user_id"); !uid.empty())
        return cs.find_if([&](const entry& e) { return str_of(e.obj, "external_id") == uid; });
    if (auto em = str_of(b, "email"); !em.empty())
        return cs.find_if([&](const entry& e) { return str_of(e.obj, "email") == em; });
    return nullptr;
}

reply create_event(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b || str_of(*b, "event_name").empty()) return bad_param(c, "event_name is required");
    auto* ca = b->if_contains("created_at");
    if (!ca || !ca->is_number()) return bad_param(c, "created_at is required (Unix seconds)");
    if (auto* md = b->if_contains("metadata"); md && (!md->is_object() || md->as_object().size() > 10))
        return bad_param(c, "metadata must be an object with at most 10 keys");
    entry* ct = contact_for_event(s, *b);
    if (!ct) return not_found(c, "not_found", "User Not Found");
    std::string name = str_of(*b, "event_name");
    std::int64_t created = ca->to_number<std::int64_t>();
    for (const auto& ev : s.events)
        if (str_of(ev, "intercom_user_id") == ct->id && str_of(ev, "event_name") == name &&
            ev.at("created_at").to_number<std::int64_t>() == created)
            return json_reply(202, std::string()); // duplicate: ignored, still 202
    json::object ev{{"type", "event"},
                    {"event_name", name},
                    {"created_at", created},
                    {"intercom_user_id", ct->id},
                    {"user_id", ct->obj["external_id"]},
                    {"email", ct->obj["email"]},
                    {"metadata", b->contains("metadata") ? b->at("metadata") : json::value(json::object{})}};
    s.events.push_back(std::move(ev));
    return json_reply(202, std::string());
}

reply list_events(call& c, store& s) {
    if (c.query_or("type") != "user") return bad_param(c, "type=user is required");
    json::object who;
    for (auto k : {"user_id", "intercom_user_id", "email"})
        if (auto v = c.query_or(k); !v.empty()) who[k] = v;
    if (who.empty()) return bad_param(c, "one of user_id, intercom_user_id or email is required");
    entry* ct = contact_for_event(s, who);
    if (!ct) return not_found(c, "not_found", "User Not Found");
    auto per_page = parse_per_page(c.query_or("per_page"), 50);
    if (!per_page) return bad_param(c, "per_page must be an integer between 1 and 150");
    auto page = parse_per_page(c.query_or("page"), 1, 1000000);
    if (!page) return bad_param(c, "page must be a positive integer");
    std::vector<const json::object*> mine;
    for (const auto& ev : s.events)
        if (str_of(ev, "intercom_user_id") == ct->id) mine.push_back(&ev);
    json::array events;
    std::size_t start = (*page - 1) * *per_page;
    for (std::size_t i = start; i < mine.size() && i < start + *per_page; ++i)
        events.push_back(*mine[i]);
    json::object pages{{"type", "pages"}};
    if (start + *per_page < mine.size()) {
        std::string next = c.base_url + "/events?type=user&intercom_user_id=" + ct->id +
                           "&per_page=" + std::to_string(*per_page) + "&page=" + std::to_string(*page + 1);
        pages["next"] = next;
    }
    return json_reply(
        200,
        json::object{{"type", "event.list"}, {"events", std::move(events)}, {"pages", std::move(pages)}});
}

reply event_summaries(call& c, store&) {
    if (c.body_invalid()) return invalid_json(c);
    return json_reply(200, std::string());
}

// --- data export
// -----------------------------------------------------------------------------------------------
json::object export_view(const json::object& job) {
    json::object o{{"job_identifier", job.at("job_identifier")},
                   {"status", job.at("status")},
                   {"download_url", job.at("download_url")},
                   {"download_expires_at", job.at("download_expires_at")}};
    return o;
}

reply create_export(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    auto* after = b ? b->if_contains("created_at_after") : nullptr;
    auto* before = b ? b->if_contains("created_at_before") : nullptr;
    if (!after || !after->is_number() || !before || !before->is_number())
        return bad_param(c, "created_at_after and created_at_before are required (Unix seconds)");
    for (auto* j : s.coll("export_jobs").all()) {
        auto st = str_of(j->obj, "status");
        if (st == "pending" || st == "in_progress")
            return error_reply(c, 429, "rate_limit_exceeded",
                               "Exceeded rate limit of 1 pending message data export jobs");
    }
    std::string id = "job" + s.new_id("export_jobs", true).substr(8);
    json::object job{{"job_identifier", id},
                     {"status", "pending"},
                     {"download_url", ""},
                     {"download_expires_at", ""},
                     {"created_at_after", *after},
                     {"created_at_before", *before},
                     {"polls", 0}};
    auto view = export_view(job);
    s.coll("export_jobs").insert(id, std::move(job));
    return json_reply(200, view);
}

reply export_status(call& c, store& s) {
    entry* e = s.coll("export_jobs").find(c.params[0]);
    if (!e) return not_found(c, "not_found", "Export job not found");
    auto& job = e->obj;
    // Deterministic progress: pending -> in_progress -> completed on successive polls.
    std::string st = str_of(job, "status");
    if (st == "pending") {
        job["status"] = "in_progress";
    } else if (st == "in_progress") {
        job["status"] = "completed";
        job["download_url"] = c.base_url + "/download/content/data/" + e->id;
        job["download_expires_at"] = std::to_string(s.now() + 2 * 86400);
    }
    e->touch();
    return json_reply(200, export_view(job));
}

reply cancel_export(call& c, store& s) {
    entry* e = s.coll("export_jobs").find(c.params[0]);
    if (!e) return not_found(c, "not_found", "Export job not found");
    std::string st = str_of(e->obj, "status");
    if (st == "completed") return bad_param(c, "the job is already completed");
    e->obj["status"] = "canceled";
    e->touch();
    return json_reply(200, export_view(e->obj));
}

std::string gzip(const std::string& in) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    out.resize(zs.total_out);
    return out;
}

std::string csv_field(std::string_view v) {
    std::string out = "\"";
    for (char ch : v) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + '"';
}

reply download_export(call& c, store& s) {
    entry* e = s.coll("export_jobs").find(c.params[0]);
    if (!e) return not_found(c, "not_found", "Export job not found");
    if (str_of(e->obj, "status") != "completed") return bad_param(c, "the export job is not completed");
    auto after = e->obj["created_at_after"].to_number<std::int64_t>();
    auto before = e->obj["created_at_before"].to_number<std::int64_t>();
    std::string csv = "conversation_id,message_id,created_at,author_id,body\n";
    for (auto* cv : s.coll("conversations").all()) {
        auto t = cv->obj["created_at"].to_number<std::int64_t>();
        if (t < after || t > before) continue;
        const auto& src = cv->obj["source"].as_object();
        csv += csv_field(cv->id) + "," + csv_field(str_of(src, "id")) + "," + std::to_string(t) + "," +
               csv_field(str_of(src.at("author").as_object(), "id")) + "," + csv_field(str_of(src, "body")) +
               "\n";
    }
    reply r;
    r.content_type = "application/octet-stream";
    r.body = std::make_shared<const std::string>(gzip(csv));
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + e->id + ".csv.gz\"");
    return r;
}

} // namespace

void register_misc(router& r) {
    r.add("GET", "/me", me);
    r.add("GET", "/admins", list_admins);
    r.add("GET", "/admins/activity_logs", activity_logs);
    r.add("GET", "/admins/{id}", get_admin);
    r.add("PUT", "/admins/{id}/away", admin_away);
    r.add("GET", "/teams", list_teams);
    r.add("GET", "/teams/{id}", get_team);
    r.add("GET", "/tags", list_tags);
    r.add("POST", "/tags", create_tag);
    r.add("GET", "/tags/{id}", get_tag);
    r.add("DELETE", "/tags/{id}", delete_tag);
    r.add("GET", "/notes/{id}", get_note);
    r.add("POST", "/events", create_event);
    r.add("GET", "/events", list_events);
    r.add("POST", "/events/summaries", event_summaries);
    r.add("POST", "/export/content/data", create_export);
    r.add("GET", "/export/content/data/{job}", export_status);
    r.add("POST", "/export/cancel/{job}", cancel_export);
    r.add("GET", "/download/content/data/{job}", download_export);
}

} // namespace intercom::testing::detail
