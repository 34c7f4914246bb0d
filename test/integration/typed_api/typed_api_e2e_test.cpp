// Issue 4 acceptance: the typed API (client.<group>().<method>()) end to end against the fake server,
// over plain HTTP on 127.0.0.1. Each test is a named coroutine (no capturing lambda coroutines, by-value
// parameters: g++ 12) that asserts typed fields of the decoded responses and the server's request record.
#include <intercom.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace m = intercom::models;
namespace tst = intercom::testing;
using intercom::test::run_coro;

namespace {

// A fake server with a few seeded objects and a client pointed at it; both share one io_context.
struct e2e {
    asio::io_context ioc;
    tst::fake_server server;
    intercom::client cl;

    e2e()
        : server(ioc.get_executor(),
                 {.tls = false,
                  .seed = {.contacts = 5, .companies = 3, .conversations = 3},
                  .rate_limit = {.requests_per_window = 100000, .window = 10s}}),
          cl(make_client()) {}

    intercom::client make_client() {
        server.start();
        intercom::client_options o;
        o.token = "e2e-token";
        o.base_url = server.base_url();
        o.attempt_timeout = 5s;
        o.timeout = 20s;
        return intercom::client(ioc.get_executor(), o);
    }
    ~e2e() { server.stop(); }
};

m::search_request search_for(std::string json) {
    m::search_request s;
    m::search_request_query q;
    q.value = boost::json::parse(json);
    s.query = q;
    return s;
}


template <class T>
T from_json(const char* json) {
    T t;
    t.value = boost::json::parse(json);
    return t;
}

template <class T>
T from_json(const boost::json::value& v) {
    T t;
    t.value = v;
    return t;
}

// The first seeded admin's id (replies, notes and tags need an admin).
asio::awaitable<std::string> first_admin(intercom::client cl) {
    m::admin_list admins = co_await cl.admins().list();
    if (!admins.admins || admins.admins->empty() || !admins.admins->front().id) co_return std::string();
    co_return admins.admins->front().id->str();
}

// First ticket type id. The spec's `ticket_type_list` has `ticket_types`, the 2.11
// example, the Unstable schema and the fake server use `data` (shared/docs/intercom-api.md, note 4: "accept
// both"); the model has both fields, the fake server sends `data`.
std::string first_ticket_type(const m::ticket_type_list& l) {
    BOOST_TEST(!l.extra.contains("data"));
    if (l.ticket_types && !l.ticket_types->empty() && l.ticket_types->front().id)
        return l.ticket_types->front().id->str();
    if (l.data && !l.data->empty() && l.data->front().id) return l.data->front().id->str();
    return {};
}

// ---------------------------------------------------------------------------------------------- contacts

asio::awaitable<void> contacts_flow(intercom::client cl, tst::fake_server* server) {
    auto contacts = cl.contacts();

    m::create_contact_request req;
    req.role = "user";
    req.email = "ada@example.com";
    req.external_id = "ext-ada";
    req.name = "Ada Lovelace";
    m::contact created = co_await contacts.create(req);
    BOOST_TEST_REQUIRE(created.id.has_value());
    BOOST_TEST(created.type.value_or("") == "contact");
    BOOST_TEST(created.email.value_or("") == "ada@example.com");
    BOOST_TEST(server->count("POST", "/contacts") == 1u);
    std::string id = created.id->str();

    m::contact got = co_await contacts.retrieve(id);
    BOOST_TEST(got.id.value().str() == id);
    BOOST_TEST(got.email.value_or("") == "ada@example.com");
    BOOST_TEST_REQUIRE(got.raw != nullptr);

    // Duplicate email: typed 409 with diagnostics.
    auto dup = co_await contacts.try_create(req);
    BOOST_TEST_REQUIRE(dup.has_error());
    BOOST_TEST((dup.error().code == intercom::errc::conflict));
    BOOST_TEST(dup.error().diag.http_status == 409u);

    m::update_contact_request upd;
    upd.name = "Ada King";
    m::contact updated = co_await contacts.update(id, upd);
    BOOST_TEST(updated.id.value().str() == id);
    BOOST_TEST_REQUIRE(updated.name.has_value());
    BOOST_TEST(*updated.name == "Ada King");

    auto by_ext = co_await contacts.try_retrieve_by_external_id("ext-ada");
    BOOST_TEST_REQUIRE(by_ext.has_value());
    BOOST_TEST(by_ext->id.value().str() == id);

    m::contacts_list_query lq;
    lq.per_page = 2;
    m::contact_list page = co_await contacts.list(lq);
    BOOST_TEST(page.type.value_or("") == "list");
    BOOST_TEST_REQUIRE(page.data.has_value());
    BOOST_TEST(page.data->size() == 2u);
    BOOST_TEST(page.total_count.value_or(0) == 6);

    m::contact_list found = co_await contacts.search(
        search_for(R"({"field":"email","operator":"=","value":"ada@example.com"})"));
    BOOST_TEST_REQUIRE(found.data.has_value());
    BOOST_TEST_REQUIRE(found.data->size() == 1u);
    BOOST_TEST(found.data->front().id.value().str() == id);

    m::contact_archived arch = co_await contacts.archive(id);
    BOOST_TEST(arch.archived.value_or(false) == true);
    BOOST_TEST(arch.type.value_or("") == "contact");
    m::contact_unarchived unarch = co_await contacts.unarchive(id);
    BOOST_TEST(unarch.archived.value_or(true) == false);

    // Sub-resources of a seeded contact.
    std::string seeded = server->seeded_contact_id(0);
    m::tag_list tags = co_await contacts.list_tags(seeded);
    BOOST_TEST(tags.type.value_or("") == "list");
    auto segs = co_await contacts.try_list_segments(seeded);
    BOOST_TEST(segs.has_value());
    auto subs = co_await contacts.try_list_subscriptions(seeded);
    BOOST_TEST(subs.has_value());
    auto comps = co_await contacts.try_list_companies(seeded);
    BOOST_TEST(comps.has_value());

    // Merge a lead into the user.
    m::create_contact_request lead;
    lead.role = "lead";
    lead.email = "lead@example.com";
    m::contact l = co_await contacts.create(lead);
    BOOST_TEST(l.role.value_or("") == "lead");
    m::merge_contacts_request mr;
    mr.from = l.id->str();
    mr.into = id;
    m::contact merged = co_await contacts.merge(mr);
    BOOST_TEST(merged.id.value().str() == id);

    m::contact_deleted del = co_await contacts.remove(id);
    BOOST_TEST(del.deleted.value_or(false) == true);
    BOOST_TEST(del.id.value().str() == id);
    auto gone = co_await contacts.try_retrieve(id);
    BOOST_TEST_REQUIRE(gone.has_error());
    BOOST_TEST((gone.error().code == intercom::errc::not_found));
    BOOST_TEST(gone.error().diag.http_status == 404u);
    BOOST_TEST(!gone.error().diag.request_id.empty());
    BOOST_TEST(server->count("GET", "/contacts/{id}") == 2u);
}


// ----------------------------------------------------------------------------------------- conversations

asio::awaitable<void> conversations_flow(intercom::client cl, tst::fake_server* server) {
    auto convs = cl.conversations();
    std::string admin = co_await first_admin(cl);
    BOOST_TEST_REQUIRE(!admin.empty());
    std::string contact = server->seeded_contact_id(1);

    m::create_conversation_request req;
    m::create_conversation_request_from from;
    from.type = m::create_conversation_request_from_type(m::create_conversation_request_from_type::user);
    from.id = contact;
    req.from = from;
    req.body = "Hello from the e2e test";
    m::conversations_create_response created = co_await convs.create(req);
    BOOST_TEST(created.type.value_or("") == "user_message");
    BOOST_TEST_REQUIRE(created.conversation_id.has_value());
    std::string id = created.conversation_id->str();
    BOOST_TEST(server->count("POST", "/conversations") == 1u);

    m::conversation got = co_await convs.retrieve(id);
    BOOST_TEST(got.type.value_or("") == "conversation");
    BOOST_TEST(got.id.value().str() == id);

    // The reply body is a variant of the contact and admin reply kinds, each a typed struct.
    m::admin_reply_conversation_request admin_reply;
    admin_reply.message_type = m::admin_reply_conversation_request_message_type(
        m::admin_reply_conversation_request_message_type::comment);
    admin_reply.type = "admin";
    admin_reply.admin_id = admin;
    admin_reply.body = "We are on it";
    m::reply_conversation_request reply_body{admin_reply, nullptr};  // named: no temporary in co_await (g++ 12)
    m::conversation replied = co_await convs.reply(id, reply_body);
    {
        const auto& sent = server->requests();
        BOOST_TEST_REQUIRE(!sent.empty());
        auto body = boost::json::parse(sent.back().body);
        BOOST_TEST(body.at("body") == "We are on it");
        BOOST_TEST(body.at("message_type") == "comment");
        BOOST_TEST(body.at("admin_id") == boost::json::value(admin));
    }
    BOOST_TEST_REQUIRE(replied.conversation_parts.has_value());
    BOOST_TEST_REQUIRE(replied.conversation_parts->conversation_parts_.has_value());
    BOOST_TEST(!replied.conversation_parts->conversation_parts_->empty());

    boost::json::object close{{"message_type", "close"}, {"type", "admin"}, {"admin_id", admin},
                              {"body", "Closing"}};
    m::conversation closed =
        co_await convs.manage(id, from_json<m::conversations_manage_request>(boost::json::value(close)));
    BOOST_TEST_REQUIRE(closed.state.has_value());
    BOOST_TEST((*closed.state == m::conversation_state::closed));

    // Tags on a conversation (tags group, conversation sub-resource).
    m::create_or_update_tag_request tr;
    tr.name = "conv-tag";
    m::tags_create_or_update_request tbody;
    tbody.value = tr;
    m::tag_basic tag = co_await cl.tags().create_or_update(tbody);
    BOOST_TEST_REQUIRE(tag.id.has_value());
    m::tags_attach_conversation_request at;
    at.id = *tag.id;
    at.admin_id = admin;
    m::tag attached = co_await cl.tags().attach_conversation(id, at);
    BOOST_TEST(attached.name.value_or("") == "conv-tag");
    m::tags_detach_conversation_request dt;
    dt.admin_id = admin;
    m::tag detached = co_await cl.tags().detach_conversation(id, tag.id->str(), dt);
    BOOST_TEST((detached.id.value() == *tag.id));

    m::conversations_list_query lq;
    lq.per_page = 2;
    m::paginated_conversation_response page = co_await convs.list(lq);
    BOOST_TEST(page.type.value_or("") == "conversation.list");
    BOOST_TEST_REQUIRE(page.conversations.has_value());
    BOOST_TEST(page.conversations->size() == 2u);

    m::paginated_conversation_response found = co_await convs.search(
        search_for(R"({"field":"id","operator":"=","value":")" + id + R"("})"));
    BOOST_TEST_REQUIRE(found.conversations.has_value());
    BOOST_TEST_REQUIRE(found.conversations->size() == 1u);
    BOOST_TEST(found.conversations->front().id.value().str() == id);

    auto missing = co_await convs.try_retrieve("999999999");
    BOOST_TEST_REQUIRE(missing.has_error());
    BOOST_TEST((missing.error().code == intercom::errc::not_found));
}

// --------------------------------------------------------------------------------------------- companies

asio::awaitable<void> companies_flow(intercom::client cl, tst::fake_server* server) {
    auto companies = cl.companies();
    m::create_or_update_company_request req;
    req.company_id = "acme-e2e";
    req.name = "Acme";
    req.size = 12;
    m::company c = co_await companies.create_or_update(req);
    BOOST_TEST(c.type.value_or("") == "company");
    BOOST_TEST(c.name.value_or("") == "Acme");
    BOOST_TEST_REQUIRE(c.id.has_value());
    std::string id = c.id->str();
    // Upsert by company_id: same object, new name.
    req.name = "Acme Corp";
    m::company c2 = co_await companies.create_or_update(req);
    BOOST_TEST(c2.id.value().str() == id);
    BOOST_TEST(c2.name.value_or("") == "Acme Corp");

    m::company got = co_await companies.retrieve(id);
    BOOST_TEST(got.size.value_or(0) == 12);
    BOOST_TEST(got.company_id.value().str() == "acme-e2e");

    m::companies_list_query lq;
    lq.per_page = 2;
    m::company_list page = co_await companies.list(lq);
    BOOST_TEST_REQUIRE(page.data.has_value());
    BOOST_TEST(page.data->size() == 2u);
    BOOST_TEST(page.total_count.value_or(0) == 4);

    m::company_scroll sc = co_await companies.scroll();
    BOOST_TEST_REQUIRE(sc.data.has_value());
    BOOST_TEST(!sc.data->empty());
    BOOST_TEST(!sc.scroll_param.value_or("").empty());

    std::string contact = server->seeded_contact_id(2);
    m::companies_attach_contact_request ar;
    ar.id = id;
    m::company attached = co_await companies.attach_contact(contact, ar);
    BOOST_TEST(attached.id.value().str() == id);
    m::contact_attached_companies of = co_await cl.contacts().list_companies(contact);
    BOOST_TEST_REQUIRE(of.companies.has_value());
    bool seen = false;
    for (const auto& x : *of.companies) seen = seen || (x.id && x.id->str() == id);
    BOOST_TEST(seen);
    auto detached = co_await companies.try_detach_contact(contact, id);
    BOOST_TEST(detached.has_value());

    m::deleted_company_object del = co_await companies.remove(id);
    BOOST_TEST(del.deleted.value_or(false) == true);
    auto gone = co_await companies.try_retrieve(id);
    BOOST_TEST_REQUIRE(gone.has_error());
    BOOST_TEST((gone.error().code == intercom::errc::not_found));
}

// -------------------------------------------------------------------------------------------------- tags

asio::awaitable<void> tags_flow(intercom::client cl, tst::fake_server* server) {
    auto tags = cl.tags();
    m::create_or_update_tag_request tr;
    tr.name = "vip";
    m::tags_create_or_update_request body;
    body.value = tr;
    m::tag_basic t = co_await tags.create_or_update(body);
    BOOST_TEST(t.type.value_or("") == "tag");
    BOOST_TEST(t.name.value_or("") == "vip");
    BOOST_TEST_REQUIRE(t.id.has_value());
    std::string id = t.id->str();

    m::tag_list all = co_await tags.list();
    BOOST_TEST_REQUIRE(all.data.has_value());
    bool listed = false;
    for (const auto& x : *all.data) listed = listed || (x.id && x.id->str() == id);
    BOOST_TEST(listed);

    m::tag_basic found = co_await tags.retrieve(id);
    BOOST_TEST(found.name.value_or("") == "vip");

    std::string contact = server->seeded_contact_id(3);
    m::tags_attach_contact_request ac;
    ac.id = id;
    m::tag on = co_await tags.attach_contact(contact, ac);
    BOOST_TEST(on.id.value().str() == id);
    m::tag_list of = co_await cl.contacts().list_tags(contact);
    BOOST_TEST_REQUIRE(of.data.has_value());
    BOOST_TEST(of.data->size() == 1u);
    m::tag off = co_await tags.detach_contact(contact, id);
    BOOST_TEST(off.id.value().str() == id);
    m::tag_list after = co_await cl.contacts().list_tags(contact);
    BOOST_TEST(after.data.value_or(std::vector<m::tag>{}).empty());

    co_await tags.remove(id);
    auto gone = co_await tags.try_retrieve(id);
    BOOST_TEST_REQUIRE(gone.has_error());
    BOOST_TEST((gone.error().code == intercom::errc::not_found));
    BOOST_TEST(server->count("DELETE", "/tags/{id}") == 1u);
}

// ----------------------------------------------------------------------------------------------- tickets

asio::awaitable<void> tickets_flow(intercom::client cl, tst::fake_server* server) {
    auto tickets = cl.tickets();
    std::string admin = co_await first_admin(cl);
    m::ticket_type_list types = co_await cl.ticket_types().list();
    std::string type_id = first_ticket_type(types);
    BOOST_TEST_REQUIRE(!type_id.empty());
    std::string contact = server->seeded_contact_id(4);

    m::create_ticket_request req;
    req.ticket_type_id = type_id;
    req.contacts = std::vector<m::create_ticket_request_contacts_item>{
        from_json<m::create_ticket_request_contacts_item>(boost::json::value(boost::json::object{{"id", contact}}))};
    req.ticket_attributes = boost::json::object{{"_default_title_", "Printer on fire"}};
    m::ticket t = co_await tickets.create(req);
    BOOST_TEST(t.type.value_or("") == "ticket");
    BOOST_TEST_REQUIRE(t.id.has_value());
    std::string id = t.id->str();
    BOOST_TEST(t.ticket_attributes.value_or(boost::json::object{})["_default_title_"] == "Printer on fire");

    m::ticket got = co_await tickets.retrieve(id);
    BOOST_TEST(got.id.value().str() == id);

    m::update_ticket_request upd;
    upd.state = m::update_ticket_request_state(m::update_ticket_request_state::in_progress);
    m::ticket updated = co_await tickets.update(id, upd);
    BOOST_TEST_REQUIRE(updated.ticket_state.has_value());
    BOOST_TEST(updated.raw->at("ticket_state") == "in_progress");

    m::admin_reply_ticket_request admin_reply;
    admin_reply.message_type =
        m::admin_reply_ticket_request_message_type(m::admin_reply_ticket_request_message_type::comment);
    admin_reply.type = "admin";
    admin_reply.admin_id = admin;
    admin_reply.body = "Extinguisher sent";
    m::tickets_reply_request reply_body{admin_reply, nullptr};
    m::ticket_reply r = co_await tickets.reply(id, reply_body);
    BOOST_TEST(r.type.value_or("") == "ticket_part");
    BOOST_TEST_REQUIRE(r.body.has_value());
    BOOST_TEST(*r.body == "Extinguisher sent");

    m::ticket_list found = co_await tickets.search(
        search_for(R"({"field":"state","operator":"=","value":"in_progress"})"));
    BOOST_TEST_REQUIRE(found.tickets.has_value());
    BOOST_TEST_REQUIRE(found.tickets->size() == 1u);
    BOOST_TEST(found.tickets->front().id.value().str() == id);

    m::create_or_update_tag_request tr;
    tr.name = "urgent";
    m::tags_create_or_update_request tb;
    tb.value = tr;
    m::tag_basic tag = co_await cl.tags().create_or_update(tb);
    m::tags_attach_ticket_request at;
    at.id = *tag.id;
    at.admin_id = admin;
    m::tag on = co_await cl.tags().attach_ticket(id, at);
    BOOST_TEST(on.name.value_or("") == "urgent");
    m::tags_detach_ticket_request dt;
    dt.admin_id = admin;
    m::tag off = co_await cl.tags().detach_ticket(id, tag.id->str(), dt);
    BOOST_TEST((off.id.value() == *tag.id));
}

// ---------------------------------------------------------------------------- one or more of every other group

asio::awaitable<void> other_groups_flow(intercom::client cl, tst::fake_server* server) {
    std::string contact = server->seeded_contact_id(0);

    // admins
    m::admin_with_app me = co_await cl.admins().identify();
    BOOST_TEST(me.type.value_or("") == "admin");
    m::admin_list admins = co_await cl.admins().list();
    BOOST_TEST(admins.type.value_or("") == "admin.list");
    BOOST_TEST_REQUIRE(admins.admins.has_value());
    BOOST_TEST_REQUIRE(!admins.admins->empty());
    std::string admin = admins.admins->front().id->str();
    m::admin one = co_await cl.admins().retrieve(admin);
    BOOST_TEST(one.id.value().str() == admin);

    // articles
    auto articles = co_await cl.articles().try_list();
    BOOST_TEST_REQUIRE(articles.has_value());
    BOOST_TEST(articles->type.value_or("") == "list");

    // help_center
    auto collections = co_await cl.help_center().try_list_collections();
    BOOST_TEST_REQUIRE(collections.has_value());
    BOOST_TEST(collections->type.value_or("") == "list");

    // data_attributes
    auto attrs = co_await cl.data_attributes().try_list();
    BOOST_TEST_REQUIRE(attrs.has_value());
    BOOST_TEST(attrs->type.value_or("") == "list");
    BOOST_TEST(!attrs->data.value_or(std::vector<m::data_attribute>{}).empty());

    // data_events: 202 without a body
    m::create_data_event_request ev;
    ev.event_name = "e2e-ordered";
    ev.created_at = 1700000100;
    ev.id = contact;
    auto evr = co_await cl.data_events().try_create(ev);
    BOOST_TEST(evr.has_value());
    BOOST_TEST(server->count("POST", "/events") == 1u);

    // data_export
    m::create_data_exports_request ex;
    ex.created_at_after = 1690000000;
    ex.created_at_before = 1700000000;
    m::data_export job = co_await cl.data_export().create(ex);
    BOOST_TEST_REQUIRE(job.job_identifier.has_value());
    BOOST_TEST(job.status.has_value());
    m::data_export polled = co_await cl.data_export().retrieve(*job.job_identifier);
    BOOST_TEST(polled.job_identifier.value_or("") == *job.job_identifier);

    // messages
    m::create_message_request msg;
    msg.message_type = m::create_message_request_message_type("in_app");
    msg.body = "Hi there";
    m::create_message_request_from mf;
    mf.type = "admin";
    mf.id = admin;
    msg.from = mf;
    m::create_message_request_to mt;
    mt.type = "user";
    mt.id = contact;
    msg.to = mt;
    m::message sent = co_await cl.messages().create(msg);
    BOOST_TEST(sent.type.value_or("") == "admin_message");
    BOOST_TEST(sent.body.value_or("") == "Hi there");

    // news
    auto news = co_await cl.news().try_list_items();
    BOOST_TEST_REQUIRE(news.has_value());
    BOOST_TEST(news->type.value_or("") == "list");

    // segments
    auto segments = co_await cl.segments().try_list();
    BOOST_TEST_REQUIRE(segments.has_value());
    BOOST_TEST(segments->type.value_or("") == "segment.list");

    // subscription_types
    auto subs = co_await cl.subscription_types().try_list();
    BOOST_TEST_REQUIRE(subs.has_value());
    BOOST_TEST(subs->type.value_or("") == "list");

    // phone_call_redirects
    m::create_phone_switch_request ph;
    ph.phone = "+353832345678";
    m::phone_switch sw = co_await cl.phone_call_redirects().create(ph);
    BOOST_TEST(sw.type.value_or("") == "phone_call_redirect");
    BOOST_TEST(sw.phone.value_or("") == "+353832345678");

    // teams
    auto teams = co_await cl.teams().try_list();
    BOOST_TEST_REQUIRE(teams.has_value());
    BOOST_TEST(teams->type.value_or("") == "team.list");

    // ticket_types
    m::ticket_type_list types = co_await cl.ticket_types().list();
    std::string type_id = first_ticket_type(types);
    BOOST_TEST_REQUIRE(!type_id.empty());
    m::ticket_type tt = co_await cl.ticket_types().retrieve(type_id);
    BOOST_TEST(tt.id.value().str() == type_id);

    // ticket_type_attributes
    m::create_ticket_type_attribute_request ta;
    ta.name = "Severity";
    ta.description = "How bad";
    ta.data_type = m::create_ticket_type_attribute_request_data_type("string");
    m::ticket_type_attribute attr = co_await cl.ticket_type_attributes().create(type_id, ta);
    BOOST_TEST(attr.name.value_or("") == "Severity");

    // visitors: none seeded, so a lookup is a typed 404
    m::visitors_find_query vq;
    vq.user_id = "no-such-visitor";
    auto visitor = co_await cl.visitors().try_find(vq);
    BOOST_TEST_REQUIRE(visitor.has_error());
    BOOST_TEST((visitor.error().code == intercom::errc::not_found));

    // ai_content
    auto sources = co_await cl.ai_content().try_list_content_import_sources();
    BOOST_TEST_REQUIRE(sources.has_value());
    BOOST_TEST(sources->type.value_or("") == "list");

    // custom_object_instances
    m::create_or_update_custom_object_instance_request co;
    co.external_id = "order-1";
    m::custom_object_instance inst = co_await cl.custom_object_instances().create_or_update("Order", co);
    BOOST_TEST_REQUIRE(inst.id.has_value());
    BOOST_TEST(inst.external_id.value().str() == "order-1");
    m::custom_object_instance again = co_await cl.custom_object_instances().retrieve("Order", inst.id->str());
    BOOST_TEST((again.id.value() == *inst.id));

    // ticket_states (Unstable only)
    auto states = co_await cl.ticket_states().try_list();
    BOOST_TEST_REQUIRE(states.has_value());
    BOOST_TEST(!states->data.value_or(std::vector<m::ticket_state_detailed>{}).empty());

    // notes
    m::notes_create_request nr;
    nr.body = "Called the customer";
    nr.admin_id = admin;
    m::note note = co_await cl.notes().create(contact, nr);
    BOOST_TEST(note.type.value_or("") == "note");
    BOOST_TEST_REQUIRE(note.id.has_value());
    m::note got = co_await cl.notes().retrieve(note.id->str());
    BOOST_TEST((got.id.value() == *note.id));
    m::note_list notes = co_await cl.notes().list(contact);
    BOOST_TEST_REQUIRE(notes.data.has_value());
    BOOST_TEST(notes.data->size() == 1u);
}

// The remaining operations of conversations, companies and tickets.
asio::awaitable<void> remaining_core_flow(intercom::client cl, tst::fake_server* server) {
    auto convs = cl.conversations();
    std::string admin = co_await first_admin(cl);
    std::string conv = server->seeded_conversation_id(0);
    std::string contact = server->seeded_contact_id(2);

    m::update_conversation_request up;
    up.read = true;
    up.custom_attributes = boost::json::object{{"issue_type", "billing"}};
    m::conversation updated = co_await convs.update(conv, up);
    BOOST_TEST(updated.read.value_or(false) == true);
    BOOST_TEST(updated.custom_attributes.value_or(boost::json::object{})["issue_type"] == "billing");

    m::conversation ran = co_await convs.run_assignment_rules(conv);
    BOOST_TEST(ran.id.value().str() == conv);

    m::attach_contact_to_conversation_request ac;
    ac.admin_id = admin;
    ac.customer = m::attach_contact_to_conversation_request_customer::with_intercom_user_id(contact);
    m::conversation with = co_await convs.attach_contact(conv, ac);
    BOOST_TEST_REQUIRE(with.contacts.has_value());
    BOOST_TEST(with.raw->at("contacts").at("contacts").as_array().size() >= 2u);
    m::detach_contact_from_conversation_request dc;
    dc.admin_id = admin;
    m::conversation without = co_await convs.detach_contact(conv, contact, dc);
    BOOST_TEST(without.raw->at("contacts").at("contacts").as_array().size() ==
               with.raw->at("contacts").at("contacts").as_array().size() - 1);

    m::redact_conversation_request rd;
    rd.value = boost::json::value(boost::json::object{{"type", "source"}, {"conversation_id", conv}});
    m::conversation redacted = co_await convs.redact(rd);
    BOOST_TEST(redacted.raw->at("source").at("redacted") == true);

    m::ticket_type_list types = co_await cl.ticket_types().list();
    m::convert_conversation_to_ticket_request cv;
    cv.ticket_type_id = first_ticket_type(types);
    m::ticket converted = co_await convs.convert_to_ticket(conv, cv);
    BOOST_TEST(converted.type.value_or("") == "ticket");
    BOOST_TEST_REQUIRE(converted.id.has_value());

    m::conversation_deleted gone = co_await convs.remove(conv);
    BOOST_TEST(gone.deleted.value_or(false) == true);
    auto after = co_await convs.try_retrieve(conv);
    BOOST_TEST_REQUIRE(after.has_error());
    BOOST_TEST((after.error().code == intercom::errc::not_found));

    // tickets.remove (Unstable only)
    m::tickets_remove_response tr = co_await cl.tickets().remove(converted.id->str());
    BOOST_TEST(tr.raw->at("deleted") == true);
    auto tgone = co_await cl.tickets().try_retrieve(converted.id->str());
    BOOST_TEST_REQUIRE(tgone.has_error());
    BOOST_TEST((tgone.error().code == intercom::errc::not_found));

    // companies: find by company_id, update, list_contacts, list_segments
    auto companies = cl.companies();
    m::companies_find_query fq;
    fq.company_id = server->seeded_company_id(0);
    m::companies_find_response found = co_await companies.find(fq);
    BOOST_TEST_REQUIRE(found.raw != nullptr);
    // A filter answers with a single company object: the variant's `company` alternative.
    const auto* one = std::get_if<m::company>(&found.value);
    BOOST_TEST_REQUIRE(one != nullptr);
    BOOST_TEST_REQUIRE(one->company_id.has_value());
    BOOST_TEST(one->company_id->str() == server->seeded_company_id(0));
    BOOST_TEST_REQUIRE(one->id.has_value());
    std::string cid = one->id->str();
    // Without a filter the same operation answers with a list: the `company_list` alternative.
    m::companies_find_response all = co_await companies.find();
    const auto* list = std::get_if<m::company_list>(&all.value);
    BOOST_TEST_REQUIRE(list != nullptr);
    BOOST_TEST_REQUIRE(list->data.has_value());
    BOOST_TEST(list->data->size() == 3u);
    m::company same = co_await companies.update(cid);
    BOOST_TEST(same.id.value().str() == cid);
    m::companies_attach_contact_request ar;
    ar.id = cid;
    co_await companies.attach_contact(contact, ar);
    m::company_attached_contacts members = co_await companies.list_contacts(cid);
    BOOST_TEST(members.raw->at("data").as_array().size() >= 1u);
    auto segs = co_await companies.try_list_segments(cid);
    BOOST_TEST(segs.has_value());
}

} // namespace

BOOST_AUTO_TEST_SUITE(typed_api_e2e)

BOOST_AUTO_TEST_CASE(contacts) {
    e2e f;
    run_coro(f.ioc, contacts_flow(f.cl, &f.server));
}

BOOST_AUTO_TEST_CASE(conversations) {
    e2e f;
    run_coro(f.ioc, conversations_flow(f.cl, &f.server));
}

BOOST_AUTO_TEST_CASE(companies) {
    e2e f;
    run_coro(f.ioc, companies_flow(f.cl, &f.server));
}

BOOST_AUTO_TEST_CASE(tags) {
    e2e f;
    run_coro(f.ioc, tags_flow(f.cl, &f.server));
}

BOOST_AUTO_TEST_CASE(tickets) {
    e2e f;
    run_coro(f.ioc, tickets_flow(f.cl, &f.server));
}

BOOST_AUTO_TEST_CASE(remaining_conversation_company_ticket_operations) {
    e2e f;
    run_coro(f.ioc, remaining_core_flow(f.cl, &f.server));
}

BOOST_AUTO_TEST_CASE(other_groups) {
    e2e f;
    run_coro(f.ioc, other_groups_flow(f.cl, &f.server));
}

BOOST_AUTO_TEST_SUITE_END()
