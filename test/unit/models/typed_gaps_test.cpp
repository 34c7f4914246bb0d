// Shapes the 2.11 schemas get wrong or leave untyped, which the generated models must still type:
// reply bodies (nested oneOf), `ticket_type_list.data`, GET /companies answering one company,
// the four shapes of `pages.next`, and the `with_<key>` constructors of identifier oneOfs.
#include <intercom/models/models.hpp>
#include <intercom/pagination/typed.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <variant>

namespace m = intercom::models;
using boost::json::parse;

namespace {

template <class T>
boost::json::value round(const T& v) {
    boost::json::value out;
    encode(out, v);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(typed_gaps)

// (a) The reply bodies are variants of every reply kind (the contact kinds flattened from their
// nested oneOf), each a struct with typed fields; decoding picks the kind by `type`.
BOOST_AUTO_TEST_CASE(reply_bodies_are_typed_variants) {
    m::admin_reply_conversation_request a;
    a.message_type = m::admin_reply_conversation_request_message_type(
        m::admin_reply_conversation_request_message_type::note);
    a.type = "admin";
    a.admin_id = "991";
    a.body = "<p>internal</p>";
    m::reply_conversation_request body{a, nullptr};
    auto out = round(body);
    BOOST_TEST(out == parse(R"({"message_type":"note","type":"admin","admin_id":"991","body":"<p>internal</p>"})"));

    m::reply_conversation_request back;
    BOOST_TEST_REQUIRE(decode(out, back));
    BOOST_TEST_REQUIRE(std::holds_alternative<m::admin_reply_conversation_request>(back.value));
    BOOST_TEST(std::get<m::admin_reply_conversation_request>(back.value).body.value_or("") == "<p>internal</p>");

    auto user = parse(R"({"message_type":"comment","type":"user","body":"hi","intercom_user_id":"u1"})");
    BOOST_TEST_REQUIRE(decode(user, back));
    BOOST_TEST_REQUIRE(std::holds_alternative<m::contact_reply_intercom_user_id_request>(back.value));
    BOOST_TEST(round(back) == user);

    m::tickets_reply_request t;
    auto email = parse(R"({"message_type":"comment","type":"user","body":"hi","email":"a@b.c"})");
    BOOST_TEST_REQUIRE(decode(email, t));
    BOOST_TEST_REQUIRE(std::holds_alternative<m::contact_reply_ticket_email_request>(t.value));
    BOOST_TEST(std::get<m::contact_reply_ticket_email_request>(t.value).email.value_or("") == "a@b.c");
    auto admin = parse(R"({"message_type":"comment","type":"admin","body":"done","admin_id":"7"})");
    BOOST_TEST_REQUIRE(decode(admin, t));
    BOOST_TEST(std::holds_alternative<m::admin_reply_ticket_request>(t.value));
}

// (b) `ticket_type_list` takes its items from `data` as well as `ticket_types`.
BOOST_AUTO_TEST_CASE(ticket_type_list_accepts_data_and_ticket_types) {
    auto with_data = parse(R"({"type":"list","data":[{"type":"ticket_type","id":"tt1","name":"Bug"}]})");
    m::ticket_type_list a;
    BOOST_TEST_REQUIRE(decode(with_data, a));
    BOOST_TEST(a.extra.empty());
    BOOST_TEST_REQUIRE(a.data.has_value());
    BOOST_TEST(a.data->at(0).id->str() == "tt1");
    BOOST_TEST(round(a) == with_data);

    auto with_types = parse(R"({"type":"ticket_type_attributes.list","ticket_types":[{"id":"tt2"}]})");
    m::ticket_type_list b;
    BOOST_TEST_REQUIRE(decode(with_types, b));
    BOOST_TEST(b.extra.empty());
    BOOST_TEST_REQUIRE(b.ticket_types.has_value());
    BOOST_TEST(b.ticket_types->at(0).id->str() == "tt2");
}

// (c) GET /companies: a list, or the one company a `company_id`/`name` filter matches.
BOOST_AUTO_TEST_CASE(companies_find_response_keeps_both_shapes) {
    auto one = parse(R"({"type":"company","id":"6","company_id":"acme","name":"Acme","user_count":3})");
    m::companies_find_response r;
    BOOST_TEST_REQUIRE(decode(one, r));
    const auto* c = std::get_if<m::company>(&r.value);
    BOOST_TEST_REQUIRE(c != nullptr);
    BOOST_TEST(c->company_id->str() == "acme");
    BOOST_TEST(c->user_count.value_or(0) == 3);
    BOOST_TEST(c->extra.empty());
    BOOST_TEST(round(r) == one);

    auto list = parse(R"({"type":"list","data":[{"type":"company","id":"6"}],"total_count":1,
                          "pages":{"type":"pages","page":1,"per_page":50,"total_pages":1,"next":null}})");
    BOOST_TEST_REQUIRE(decode(list, r));
    const auto* l = std::get_if<m::company_list>(&r.value);
    BOOST_TEST_REQUIRE(l != nullptr);
    BOOST_TEST(l->data->size() == 1u);
    BOOST_TEST(l->total_count.value_or(0) == 1);
    BOOST_TEST(round(r) == list);
}

// (d) `pages.next`: absent, null, a URL or an object all land in the typed `next` field.
BOOST_AUTO_TEST_CASE(pages_next_four_shapes_are_typed) {
    m::cursor_pages absent, null, url_shape, obj_shape, other;
    BOOST_TEST_REQUIRE(decode(parse(R"({"type":"pages","page":1})"), absent));
    BOOST_TEST(!absent.next.is_set());

    BOOST_TEST_REQUIRE(decode(parse(R"({"type":"pages","next":null})"), null));
    BOOST_TEST(null.next.is_null());
    BOOST_TEST(null.extra.empty());

    auto url = parse(R"({"type":"pages","next":"https://api.intercom.io/companies?per_page=50&page=2"})");
    BOOST_TEST_REQUIRE(decode(url, url_shape));
    BOOST_TEST(url_shape.extra.empty());
    BOOST_TEST_REQUIRE(url_shape.next.has_value());
    BOOST_TEST(url_shape.next->is_url());
    BOOST_TEST(*url_shape.next->url == "https://api.intercom.io/companies?per_page=50&page=2");
    BOOST_TEST(round(url_shape) == url);

    auto obj = parse(R"({"type":"pages","next":{"page":2,"starting_after":"WzE3MF0=","hint":1}})");
    BOOST_TEST_REQUIRE(decode(obj, obj_shape));
    BOOST_TEST(obj_shape.extra.empty());
    BOOST_TEST_REQUIRE(obj_shape.next.has_value());
    BOOST_TEST(!obj_shape.next->is_url());
    BOOST_TEST(*obj_shape.next->starting_after == "WzE3MF0=");
    BOOST_TEST(*obj_shape.next->page == 2);
    BOOST_TEST(obj_shape.next->extra.contains("hint"));
    BOOST_TEST(round(obj_shape) == obj);

    // A kind that is none of the four is kept in extra, not lost.
    BOOST_TEST_REQUIRE(decode(parse(R"({"next":5})"), other));
    BOOST_TEST(!other.next.is_set());
    BOOST_TEST(other.extra.at("next") == 5);

    // The same for the other paging models (`pages_link`, the events list's pages).
    m::pages_link link;
    BOOST_TEST_REQUIRE(decode(parse(R"({"next":{"starting_after":"abc"}})"), link));
    BOOST_TEST(link.extra.empty());
    BOOST_TEST(*link.next->starting_after == "abc");
    m::data_event_list_pages ev;
    BOOST_TEST_REQUIRE(decode(parse(R"({"next":"https://api.intercom.io/events?page=2"})"), ev));
    BOOST_TEST(ev.extra.empty());
    BOOST_TEST(ev.next->is_url());
}

// (e) An identifier oneOf is built with one call.
BOOST_AUTO_TEST_CASE(customer_one_of_is_easy_to_build) {
    m::attach_contact_to_conversation_request req;
    req.admin_id = "12";
    req.customer = m::attach_contact_to_conversation_request_customer::with_email("ada@example.com");
    BOOST_TEST(round(req) == parse(R"({"admin_id":"12","customer":{"email":"ada@example.com"}})"));
    req.customer = m::attach_contact_to_conversation_request_customer::with_intercom_user_id("c-1");
    BOOST_TEST(round(req) == parse(R"({"admin_id":"12","customer":{"intercom_user_id":"c-1"}})"));
    req.customer = m::attach_contact_to_conversation_request_customer::with_user_id("u-9");
    BOOST_TEST(round(req) == parse(R"({"admin_id":"12","customer":{"user_id":"u-9"}})"));
    // and decodes back to the matching alternative
    m::attach_contact_to_conversation_request back;
    BOOST_TEST_REQUIRE(decode(round(req), back));
    BOOST_TEST(back.customer->value.index() == 2u);
}

// The pager glue: list items decode into models, non-objects are a typed error.
BOOST_AUTO_TEST_CASE(decode_item_types_list_items) {
    auto ok = intercom::pagination::decode_item<m::contact>(parse(R"({"type":"contact","id":"c9"})"));
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->id->str() == "c9");
    auto bad = intercom::pagination::decode_item<m::contact>(parse("[1]"));
    BOOST_TEST_REQUIRE(bad.has_error());
    BOOST_TEST((bad.error().code == intercom::errc::decode_error));
    BOOST_TEST(bad.error().diag.message.find("contact") != std::string::npos);
}

// Paging parameters of the query struct move to the pager (sent once per page, start honoured).
BOOST_AUTO_TEST_CASE(query_paging_parameters_bind_to_the_pager) {
    namespace pg = intercom::pagination;
    pg::listing l;
    l.kind = pg::style::page_number;
    l.query = {{"per_page", "40"}, {"page", "3"}, {"tag_id", "9"}};
    pg::pager_options o;
    pg::detail::bind_query_paging(l, o);
    BOOST_TEST(l.per_page.value_or(0) == 40u);
    BOOST_TEST(o.start.page.value_or(0) == 3);
    BOOST_TEST_REQUIRE(l.query.size() == 1u);
    BOOST_TEST(l.query[0].first == "tag_id");
    auto req = pg::build_request(l, o.start);
    std::size_t per_page_params = 0;
    for (const auto& [k, v] : req.query) per_page_params += k == "per_page";
    BOOST_TEST(per_page_params == 1u);

    pg::listing s;
    s.kind = pg::style::search;
    pg::pager_options so;
    pg::detail::bind_search_body(
        s, so, parse(R"({"query":{"field":"id","operator":"=","value":"1"},"pagination":{"per_page":7,"starting_after":"X"}})")
                   .as_object());
    BOOST_TEST(s.per_page.value_or(0) == 7u);
    BOOST_TEST(so.start.starting_after.value_or("") == "X");
    BOOST_TEST(!s.body->contains("pagination"));
}

BOOST_AUTO_TEST_SUITE_END()
