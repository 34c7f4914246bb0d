// Stateful behaviour of the resources: contacts lifecycle, companies (upsert, pages, scroll), conversations,
// tags, notes, tickets, data events, data export (gzip CSV), and the generic table-driven resources.
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <algorithm>
#include <set>

namespace json = boost::json;
using intercom::test::running_server;

namespace {

std::string code_of(const intercom::test::http_result& r) {
    return std::string(r.json().at("errors").at(0).at("code").as_string());
}

std::string gunzip(const std::string& in) {
    z_stream zs{};
    BOOST_REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    char buf[4096];
    int rc;
    do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
    } while (rc == Z_OK);
    inflateEnd(&zs);
    BOOST_REQUIRE(rc == Z_STREAM_END);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(fake_server_resources)

BOOST_AUTO_TEST_CASE(contact_lifecycle) {
    running_server rs({.seed = {.contacts = 3}});
    auto c = rs.client();
    BOOST_TEST(c.post("/contacts", json::object{{"name", "nobody"}}).status == 400u);
    BOOST_TEST(c.post("/contacts", json::object{{"role", "admin"}}).status == 400u);
    auto created = c.post("/contacts", json::object{{"email", "New@Example.com"},
                                                    {"name", "New"},
                                                    {"custom_attributes", json::object{{"plan", "pro"}}}});
    BOOST_TEST_REQUIRE(created.status == 200u);
    auto obj = created.json().as_object();
    std::string id(obj.at("id").as_string());
    BOOST_TEST(obj.at("type").as_string() == "contact");
    BOOST_TEST(obj.at("role").as_string() == "user");
    BOOST_TEST(obj.at("email_domain").as_string() == "Example.com");
    BOOST_TEST(c.get("/contacts/" + id).json().at("name").as_string() == "New");
    // Duplicate email -> 409 conflict.
    auto dup = c.post("/contacts", json::object{{"email", "new@example.com"}});
    BOOST_TEST(dup.status == 409u);
    BOOST_TEST(code_of(dup) == "conflict");
    // Update merges custom attributes.
    auto upd = c.put("/contacts/" + id,
                     json::object{{"name", "Renamed"}, {"custom_attributes", json::object{{"seats", 3}}}});
    BOOST_TEST(upd.status == 200u);
    BOOST_TEST(upd.json().at("name").as_string() == "Renamed");
    BOOST_TEST(upd.json().at("custom_attributes").at("plan").as_string() == "pro");
    BOOST_TEST(upd.json().at("custom_attributes").at("seats").as_int64() == 3);
    BOOST_TEST(c.put("/contacts/" + id, json::object{{"owner_id", "x"}}).status == 400u);
    BOOST_TEST(c.request("PUT", "/contacts/" + id, "{oops").status == 400u);
    // Archive hides it; unarchive brings it back.
    auto arch = c.post("/contacts/" + id + "/archive", nullptr);
    BOOST_TEST(arch.json().at("archived").as_bool() == true);
    BOOST_TEST(c.get("/contacts/" + id).status == 404u);
    BOOST_TEST(c.get("/contacts").json().at("total_count").as_int64() == 3);
    BOOST_TEST(c.post("/contacts/" + id + "/unarchive", nullptr).json().at("archived").as_bool() == false);
    BOOST_TEST(c.get("/contacts/" + id).status == 200u);
    // Merge a lead into the user.
    auto lead = c.post("/contacts", json::object{{"role", "lead"}, {"name", "Lead"}}).json();
    std::string lead_id(lead.at("id").as_string());
    BOOST_TEST(c.post("/contacts/merge", json::object{{"from", id}, {"into", lead_id}}).status == 400u);
    auto merged = c.post("/contacts/merge", json::object{{"from", lead_id}, {"into", id}});
    BOOST_TEST(merged.status == 200u);
    BOOST_TEST(merged.json().at("id").as_string() == id);
    BOOST_TEST(c.get("/contacts/" + lead_id).status == 404u);
    // Lookup by an external id that needs percent-encoding in the path.
    BOOST_TEST(c.put("/contacts/" + id, json::object{{"external_id", "a b/c"}}).status == 200u);
    auto byext = c.get("/contacts/find_by_external_id/a%20b%2Fc");
    BOOST_TEST(byext.status == 200u);
    BOOST_TEST(byext.json().at("id").as_string() == id);
    // Delete.
    auto del = c.del("/contacts/" + id);
    BOOST_TEST(del.json().at("deleted").as_bool() == true);
    auto gone = c.get("/contacts/" + id);
    BOOST_TEST(gone.status == 404u);
    BOOST_TEST(code_of(gone) == "not_found");
    BOOST_TEST(c.del("/contacts/" + id).status == 404u);
}

BOOST_AUTO_TEST_CASE(tags_and_notes_on_contacts) {
    running_server rs({.seed = {.contacts = 2}});
    auto c = rs.client();
    std::string cid = rs.server.seeded_contact_id(0);
    auto t1 = c.post("/tags", json::object{{"name", "vip"}}).json();
    auto t2 = c.post("/tags", json::object{{"name", "vip"}}).json(); // upsert by name
    BOOST_TEST(t1.at("id") == t2.at("id"));
    BOOST_TEST(t1.at("type").as_string() == "tag");
    std::string tid(t1.at("id").as_string());
    BOOST_TEST(c.post("/contacts/" + cid + "/tags", json::object{{"id", "999"}}).status == 404u);
    BOOST_TEST(c.post("/contacts/" + cid + "/tags", json::object{{"id", tid}}).status == 200u);
    BOOST_TEST(c.get("/contacts/" + cid + "/tags").json().at("data").as_array().size() == 1u);
    // tag_id search sees it.
    auto found =
        c.post("/contacts/search",
               json::object{{"query", json::object{{"field", "tag_id"}, {"operator", "="}, {"value", tid}}}});
    BOOST_TEST(found.json().at("total_count").as_int64() == 1);
    BOOST_TEST(c.del("/contacts/" + cid + "/tags/" + tid).status == 200u);
    BOOST_TEST(c.get("/contacts/" + cid + "/tags").json().at("data").as_array().empty());
    BOOST_TEST(c.get("/tags").json().at("data").as_array().size() == 1u);

    auto note =
        c.post("/contacts/" + cid + "/notes", json::object{{"body", "hello"}, {"admin_id", "991267390"}});
    BOOST_TEST_REQUIRE(note.status == 200u);
    std::string nid(note.json().at("id").as_string());
    BOOST_TEST(c.get("/notes/" + nid).json().at("body").as_string() == "<p>hello</p>");
    auto notes = c.get("/contacts/" + cid + "/notes").json();
    BOOST_TEST(notes.at("data").as_array().size() == 1u);
    BOOST_TEST(notes.at("pages").at("type").as_string() == "pages");
    BOOST_TEST(c.post("/contacts/" + cid + "/notes", json::object{{"admin_id", "991267390"}}).status == 400u);
    BOOST_TEST(c.del("/tags/" + tid).status == 200u);
    BOOST_TEST(c.get("/tags/" + tid).status == 404u);
}

BOOST_AUTO_TEST_CASE(companies_upsert_pages_and_filters) {
    running_server rs({.seed = {.contacts = 10, .companies = 40}});
    auto c = rs.client();
    auto a = c.post("/companies", json::object{{"company_id", "acme-1"}, {"name", "Acme"}});
    auto b = c.post("/companies", json::object{{"company_id", "acme-1"}, {"monthly_spend", 10}});
    BOOST_TEST(a.json().at("id") == b.json().at("id"));
    BOOST_TEST(b.json().at("name").as_string() == "Acme");
    BOOST_TEST(rs.server.object_count("companies") == 41u);
    auto one = c.get("/companies?company_id=acme-1");
    BOOST_TEST(one.json().at("type").as_string() == "company");
    BOOST_TEST(c.get("/companies?company_id=nope").status == 404u);
    auto p1 = c.get("/companies?per_page=15&page=1").json();
    BOOST_TEST(p1.at("data").as_array().size() == 15u);
    BOOST_TEST(p1.at("pages").at("total_pages").as_int64() == 3);
    BOOST_TEST(p1.at("total_count").as_int64() == 41);
    BOOST_TEST(p1.at("pages").at("next").as_string().find("page=2") != std::string::npos);
    auto p3 = c.get("/companies?per_page=15&page=3").json();
    BOOST_TEST(p3.at("data").as_array().size() == 11u);
    BOOST_TEST(p3.at("pages").at("next").is_null());
    BOOST_TEST(c.request("POST", "/companies/list?per_page=20&page=2").json().at("data").as_array().size() ==
               20u);
    std::string co(a.json().at("id").as_string());
    std::string ct = rs.server.seeded_contact_id(0);
    BOOST_TEST(c.post("/contacts/" + ct + "/companies", json::object{{"id", co}}).status == 200u);
    BOOST_TEST(c.get("/companies/" + co + "/contacts").json().at("data").as_array().size() == 1u);
    BOOST_TEST(c.get("/contacts/" + ct + "/companies").json().at("companies").as_array().size() == 2u);
    BOOST_TEST(c.del("/contacts/" + ct + "/companies/" + co).status == 200u);
    BOOST_TEST(c.get("/companies/" + co + "/contacts").json().at("data").as_array().empty());
    BOOST_TEST(c.del("/companies/" + co).json().at("deleted").as_bool());
    BOOST_TEST(c.get("/companies/" + co).status == 404u);
}

BOOST_AUTO_TEST_CASE(companies_scroll_one_at_a_time_with_expiry) {
    running_server rs({.seed = {.companies = 120}, .scroll_expiry = std::chrono::milliseconds(1000)});
    auto c = rs.client();
    std::set<std::string> seen;
    auto first = c.get("/companies/scroll").json();
    std::string param(first.at("scroll_param").as_string());
    for (auto& x : first.at("data").as_array())
        seen.insert(std::string(x.at("id").as_string()));
    auto busy = c.get("/companies/scroll");
    BOOST_TEST(busy.status == 400u); // only one scroll at a time
    for (;;) {
        auto page = c.get("/companies/scroll?scroll_param=" + param).json();
        BOOST_TEST(page.at("scroll_param").as_string() == param);
        auto& data = page.at("data").as_array();
        if (data.empty()) break;
        for (auto& x : data)
            seen.insert(std::string(x.at("id").as_string()));
    }
    BOOST_TEST(seen.size() == 120u);
    // Finished scroll: a new one may start; an idle one expires (1 s here) and its param then fails with 500.
    auto again = c.get("/companies/scroll").json();
    std::string p2(again.at("scroll_param").as_string());
    BOOST_TEST(p2 != param);
    std::this_thread::sleep_for(std::chrono::milliseconds(1150));
    auto expired = c.get("/companies/scroll?scroll_param=" + p2);
    BOOST_TEST(expired.status == 500u);
    BOOST_TEST(c.get("/companies/scroll").status == 200u);
}

BOOST_AUTO_TEST_CASE(conversations_flow) {
    running_server rs({.seed = {.contacts = 5, .conversations = 30}});
    auto c = rs.client();
    std::string ct = rs.server.seeded_contact_id(1);
    auto msg = c.post("/conversations",
                      json::object{{"from", json::object{{"type", "user"}, {"id", ct}}}, {"body", "help"}});
    BOOST_TEST_REQUIRE(msg.status == 200u);
    BOOST_TEST(msg.json().at("type").as_string() == "user_message");
    std::string conv(msg.json().at("conversation_id").as_string());
    BOOST_TEST(c.post("/conversations",
                      json::object{{"from", json::object{{"type", "user"}, {"id", "nope"}}}, {"body", "x"}})
                   .status == 404u);
    auto rep = c.post("/conversations/" + conv + "/reply", json::object{{"message_type", "comment"},
                                                                        {"type", "admin"},
                                                                        {"admin_id", "991267390"},
                                                                        {"body", "hi"}});
    BOOST_TEST(rep.status == 200u);
    BOOST_TEST(rep.json().at("conversation_parts").at("total_count").as_int64() == 1);
    auto closed =
        c.post("/conversations/" + conv + "/parts",
               json::object{{"message_type", "close"}, {"type", "admin"}, {"admin_id", "991267390"}});
    BOOST_TEST(closed.json().at("state").as_string() == "closed");
    BOOST_TEST(c.post("/conversations/" + conv + "/parts",
                      json::object{{"message_type", "close"}, {"admin_id", "1"}})
                   .status == 404u);
    auto tag = c.post("/tags", json::object{{"name", "urgent"}}).json();
    BOOST_TEST(c.post("/conversations/" + conv + "/tags",
                      json::object{{"id", tag.at("id")}, {"admin_id", "991267390"}})
                   .status == 200u);
    auto found = c.post(
        "/conversations/search",
        json::object{
            {"query",
             json::object{
                 {"operator", "AND"},
                 {"value",
                  json::array{json::object{{"field", "tag_ids"}, {"operator", "="}, {"value", tag.at("id")}},
                              json::object{{"field", "state"}, {"operator", "="}, {"value", "closed"}}}}}}});
    BOOST_TEST(found.json().at("type").as_string() == "conversation.list");
    BOOST_TEST(found.json().at("conversations").as_array().size() == 1u);
    // Cursor list.
    std::size_t total = 0, pages = 0;
    std::string cursor;
    for (;;) {
        auto r = c.get("/conversations?per_page=7" +
                       (cursor.empty() ? std::string() : "&starting_after=" + cursor))
                     .json();
        BOOST_TEST(r.at("type").as_string() == "conversation.list");
        total += r.at("conversations").as_array().size();
        ++pages;
        auto* next = r.at("pages").as_object().if_contains("next");
        if (!next || next->is_null()) break;
        cursor = std::string(next->at("starting_after").as_string());
    }
    BOOST_TEST(total == 31u);
    BOOST_TEST(pages == 5u);
}

BOOST_AUTO_TEST_CASE(tickets_flow) {
    running_server rs({.seed = {.contacts = 3}});
    auto c = rs.client();
    auto types = c.get("/ticket_types").json();
    std::string tt(types.at("data").at(0).at("id").as_string());
    auto t =
        c.post("/tickets",
               json::object{{"ticket_type_id", tt},
                            {"contacts", json::array{json::object{{"id", rs.server.seeded_contact_id(0)}}}},
                            {"ticket_attributes", json::object{{"_default_title_", "Broken"}}}});
    BOOST_TEST_REQUIRE(t.status == 200u);
    std::string id(t.json().at("id").as_string());
    BOOST_TEST(t.json().at("type").as_string() == "ticket");
    BOOST_TEST(c.post("/tickets", json::object{{"ticket_type_id", tt}}).status == 400u);
    auto upd = c.put("/tickets/" + id, json::object{{"state", "in_progress"}});
    BOOST_TEST(upd.json().at("ticket_state").as_string() == "in_progress");
    BOOST_TEST(c.post("/tickets/" + id + "/reply", json::object{{"message_type", "comment"},
                                                                {"type", "admin"},
                                                                {"admin_id", "991267390"},
                                                                {"body", "on it"}})
                   .status == 200u);
    auto s = c.post(
        "/tickets/search",
        json::object{{"query", json::object{{"field", "title"}, {"operator", "~"}, {"value", "broken"}}}});
    BOOST_TEST(s.json().at("tickets").as_array().size() == 1u);
    BOOST_TEST(c.del("/tickets/" + id).status == 200u);
    BOOST_TEST(c.get("/tickets/" + id).status == 404u);
}

BOOST_AUTO_TEST_CASE(data_events_dedup) {
    running_server rs({.seed = {.contacts = 2}});
    auto c = rs.client();
    std::string ct = rs.server.seeded_contact_id(0);
    json::object ev{{"event_name", "ordered"}, {"created_at", 1700000100}, {"id", ct}};
    auto r = c.post("/events", ev);
    BOOST_TEST(r.status == 202u);
    BOOST_TEST(r.body.empty());
    BOOST_TEST(c.post("/events", ev).status == 202u); // duplicate ignored
    ev["created_at"] = 1700000200;
    BOOST_TEST(c.post("/events", ev).status == 202u);
    BOOST_TEST(
        c.post("/events", json::object{{"event_name", "x"}, {"created_at", 1}, {"id", "nobody"}}).status ==
        404u);
    BOOST_TEST(c.post("/events", json::object{{"created_at", 1}, {"id", ct}}).status == 400u);
    auto list = c.get("/events?type=user&intercom_user_id=" + ct).json();
    BOOST_TEST(list.at("type").as_string() == "event.list");
    BOOST_TEST(list.at("events").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(data_export_job_and_gzip_download) {
    running_server rs({.seed = {.contacts = 3, .conversations = 20, .base_time = 1700000000}});
    auto c = rs.client();
    json::object range{{"created_at_after", 1700000000}, {"created_at_before", 1700000000 + 91 * 9}};
    auto job = c.post("/export/content/data", range);
    BOOST_TEST_REQUIRE(job.status == 200u);
    std::string id(job.json().at("job_identifier").as_string());
    BOOST_TEST(job.json().at("status").as_string() == "pending");
    auto second = c.post("/export/content/data", range);
    BOOST_TEST(second.status == 429u);
    BOOST_TEST(c.get("/download/content/data/" + id).status == 400u); // not ready
    BOOST_TEST(c.get("/export/content/data/" + id).json().at("status").as_string() == "in_progress");
    auto done = c.get("/export/content/data/" + id).json();
    BOOST_TEST(done.at("status").as_string() == "completed");
    BOOST_TEST(done.at("download_url").as_string().find("/download/content/data/" + id) != std::string::npos);
    auto dl = c.request("GET", "/download/content/data/" + id, {},
                        {{"Authorization", "Bearer t"}, {"Accept", "application/octet-stream"}});
    BOOST_TEST(dl.status == 200u);
    BOOST_TEST(dl.header("content-type") == "application/octet-stream");
    auto csv = gunzip(dl.body);
    BOOST_TEST(csv.rfind("conversation_id,message_id,created_at,author_id,body\n", 0) == 0u);
    BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 11); // header + conversations 0..9
    // Cancel: a new job can then be created.
    auto j2 = c.post("/export/content/data", range).json();
    std::string id2(j2.at("job_identifier").as_string());
    BOOST_TEST(c.post("/export/cancel/" + id2, nullptr).json().at("status").as_string() == "canceled");
    BOOST_TEST(c.post("/export/content/data", range).status == 200u);
}

BOOST_AUTO_TEST_CASE(generic_resource_crud) {
    running_server rs;
    auto c = rs.client();
    auto bad = c.post("/articles", json::object{{"title", "No author"}});
    BOOST_TEST(bad.status == 400u);
    BOOST_TEST(code_of(bad) == "parameter_invalid");
    std::vector<std::string> ids;
    for (int i = 0; i < 17; ++i) {
        auto r = c.post("/articles",
                        json::object{{"title", "Article " + std::to_string(i)}, {"author_id", 991267390}});
        BOOST_TEST_REQUIRE(r.status == 200u);
        BOOST_TEST(r.json().at("type").as_string() == "article");
        ids.emplace_back(r.json().at("id").as_string());
    }
    auto got = c.get("/articles/" + ids[3]).json();
    BOOST_TEST(got.at("title").as_string() == "Article 3");
    auto upd = c.put("/articles/" + ids[3], json::object{{"title", "Changed"}}).json();
    BOOST_TEST(upd.at("title").as_string() == "Changed");
    BOOST_TEST(upd.at("id").as_string() == ids[3]);
    auto page2 = c.get("/articles?page=2&per_page=10").json();
    BOOST_TEST(page2.at("type").as_string() == "list");
    BOOST_TEST(page2.at("data").as_array().size() == 7u);
    BOOST_TEST(page2.at("pages").at("total_pages").as_int64() == 2);
    auto del = c.del("/articles/" + ids[3]).json();
    BOOST_TEST(del.at("deleted").as_bool());
    BOOST_TEST(del.at("object").as_string() == "article");
    BOOST_TEST(c.get("/articles/" + ids[3]).status == 404u);
    BOOST_TEST(c.put("/articles/" + ids[3], json::object{}).status == 404u);
    auto found = c.get("/articles/search?phrase=article%201").json();
    BOOST_TEST(found.at("data").at("articles").as_array().size() == 8u); // 1, 10..16
    // A U-only resource with a 204 delete.
    auto src = c.post("/ai/content_import_sources", json::object{{"url", "https://docs.example.com"}});
    BOOST_TEST(src.status == 200u);
    auto d = c.del("/ai/content_import_sources/" + std::string(src.json().at("id").as_string()));
    BOOST_TEST(d.status == 204u);
}

BOOST_AUTO_TEST_CASE(seeded_directory_resources) {
    running_server rs;
    auto c = rs.client();
    auto admins = c.get("/admins").json();
    BOOST_TEST(admins.at("type").as_string() == "admin.list");
    BOOST_TEST(admins.at("admins").as_array().size() == 4u);
    std::string aid(admins.at("admins").at(1).at("id").as_string());
    BOOST_TEST(c.get("/admins/" + aid).json().at("type").as_string() == "admin");
    BOOST_TEST(c.put("/admins/" + aid + "/away",
                     json::object{{"away_mode_enabled", true}, {"away_mode_reassign", false}})
                   .json()
                   .at("away_mode_enabled")
                   .as_bool());
    BOOST_TEST(c.get("/admins/0").status == 404u);
    auto teams = c.get("/teams").json();
    BOOST_TEST(teams.at("type").as_string() == "team.list");
    BOOST_TEST(teams.at("teams").as_array().size() == 2u);
    BOOST_TEST(c.get("/me").json().at("app").at("id_code").as_string() == "ecahpwf5");
    BOOST_TEST(c.get("/segments").json().at("segments").as_array().size() == 3u);
    BOOST_TEST(c.get("/subscription_types").json().at("data").as_array().size() == 3u);
    BOOST_TEST(c.get("/admins/activity_logs?created_at_after=1").json().at("type").as_string() ==
               "activity_log.list");
    BOOST_TEST(c.get("/admins/activity_logs").status == 400u);
}

BOOST_AUTO_TEST_SUITE_END()
