// Issue 16 (typed surface v2): ids sent in the JSON kind the spec declares, named symbol enum
// constants, request options reachable without an empty query, the typed query builder for every
// search, and integers that stay integers on re-encoding.
#include "fake_transport.hpp"
#include "spec_fixtures.hpp"

#include <intercom/models/registry.hpp>
#include <intercom/resources/all.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/url_view.hpp>

#include <run_coro.hpp>

namespace m = intercom::models;
namespace search = intercom::search;
using intercom::test::fake_client;
using intercom::test::run_coro;

BOOST_AUTO_TEST_SUITE(typed_v2)

// Walks the spec (through extract_fixtures.py, at test time): every id-named property of every model
// is sent in the kind the YAML declares, whether the caller holds the id as text or as an integer.
BOOST_AUTO_TEST_CASE(every_id_field_is_sent_as_the_spec_declares,
                     *boost::unit_test::precondition(intercom::test::spec_precondition{})) {
    const auto& fields = intercom::test::spec_fixtures().at("id_fields").as_array();
    std::size_t integers = 0, strings = 0;
    for (const auto& f : fields) {
        std::string model(f.at("model").as_string());
        std::string key(f.at("key").as_string());
        bool integer = f.at("type").as_string() == "integer";
        bool array = f.at("array").as_bool();
        const auto* codec = m::find_model_codec(model);
        BOOST_TEST_REQUIRE(codec != nullptr, "no model " << model);
        auto one = [&](boost::json::value v) {
            boost::json::object o;
            o[key] = array ? boost::json::value(boost::json::array{v}) : v;
            return boost::json::value(std::move(o));
        };
        auto sent = [&](const boost::json::value& in) -> boost::json::value {
            boost::json::value out;
            std::string error;
            BOOST_TEST(codec->encode_as_request(in, out, &error), model << "." << key << ": " << error);
            const auto* v = out.is_object() ? out.get_object().if_contains(key) : nullptr;
            if (!v) return nullptr;
            if (array) return v->is_array() && v->get_array().size() == 1 ? v->get_array()[0] : nullptr;
            return *v;
        };
        // the id as users hold it (text copied from an answer) and as an integer
        auto from_text = sent(one("991268083"));
        auto from_int = sent(one(991268083));
        if (integer) {
            ++integers;
            BOOST_TEST(from_text == boost::json::value(991268083), model << "." << key << " from text: "
                                                                          << boost::json::serialize(from_text));
            BOOST_TEST(from_int == boost::json::value(991268083), model << "." << key);
            boost::json::value out;
            std::string error;
            BOOST_TEST(!codec->encode_as_request(one("not-a-number"), out, &error), model << "." << key);
            BOOST_TEST(error.find("not an integer") != std::string::npos, error);
        } else {
            ++strings;
            BOOST_TEST(from_text == boost::json::value("991268083"), model << "." << key);
            BOOST_TEST(from_int == boost::json::value("991268083"), model << "." << key << " from integer: "
                                                                             << boost::json::serialize(from_int));
        }
    }
    std::printf("typed_v2: %zu integer ids and %zu string ids sent as declared\n", integers, strings);
    BOOST_TEST(integers >= 30u); // author_id, from.id, sender_id, newsfeed_id, source_id, admin/team ids...
    BOOST_TEST(strings >= 100u);
}

BOOST_AUTO_TEST_CASE(integer_ids_from_text_in_operations) {
    fake_client f;
    for (int i = 0; i < 4; ++i) f.transport->reply(200, R"({"type":"article","id":"1"})");

    m::create_article_request article;
    article.title = "t";
    article.author_id = "991268083"; // as copied from `admin.id`, which the API returns as a string
    run_coro(f.ioc, f.cl.articles().try_create(article));
    BOOST_TEST(boost::json::parse(f.last().body).at("author_id") == boost::json::value(991268083));

    m::create_message_request_from from;
    from.type = "admin";
    from.id = "42";
    m::create_message_request message;
    message.from = from;
    run_coro(f.ioc, f.cl.messages().try_create(message));
    BOOST_TEST(boost::json::parse(f.last().body).at("from").at("id") == boost::json::value(42));

    m::news_item_request news;
    news.sender_id = "7";
    m::newsfeed_assignment feed;
    feed.newsfeed_id = "3";
    news.newsfeed_assignments = std::vector<m::newsfeed_assignment>{feed};
    run_coro(f.ioc, f.cl.news().try_create_item(news));
    auto sent = boost::json::parse(f.last().body);
    BOOST_TEST(sent.at("sender_id") == boost::json::value(7));
    BOOST_TEST(sent.at("newsfeed_assignments").at(0).at("newsfeed_id") == boost::json::value(3));

    m::create_external_page_request page; // Unstable only
    page.source_id = "63";
    page.external_id = 5; // declared a string: sent as "5"
    run_coro(f.ioc, f.cl.ai_content().try_create_external_page(page));
    sent = boost::json::parse(f.last().body);
    BOOST_TEST(sent.at("source_id") == boost::json::value(63));
    BOOST_TEST(sent.at("external_id") == boost::json::value("5"));
}

BOOST_AUTO_TEST_CASE(non_numeric_integer_id_fails_before_sending) {
    fake_client f;
    m::create_article_request article;
    article.author_id = "admin-1";
    auto r = run_coro(f.ioc, f.cl.articles().try_create(article));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == intercom::errc::invalid_argument));
    BOOST_TEST(r.error().diag.message.find("admin-1") != std::string::npos);
    BOOST_TEST(f.transport->seen.empty());

    m::articles_search_query q; // an integer id in a query string
    q.help_center_id = "hc";
    auto s = run_coro(f.ioc, f.cl.articles().try_search(q));
    BOOST_TEST((!s.has_value() && s.error().code == intercom::errc::invalid_argument));
    BOOST_TEST(f.transport->seen.empty());

    f.transport->reply(200, R"({"type":"list","data":{}})");
    q.help_center_id = "12";
    run_coro(f.ioc, f.cl.articles().try_search(q));
    BOOST_TEST(boost::urls::url_view(f.last().target).encoded_query() == "help_center_id=12");
}

BOOST_AUTO_TEST_CASE(string_ids_given_as_integers_are_sent_as_strings) {
    fake_client f;
    f.transport->reply(200, R"({"type":"tag","id":"7"})");
    m::tags_detach_conversation_request body;
    body.admin_id = 9;
    run_coro(f.ioc, f.cl.tags().try_detach_conversation("c1", "t2", body));
    BOOST_TEST(boost::json::parse(f.last().body) == boost::json::parse(R"({"admin_id":"9"})"));
}

BOOST_AUTO_TEST_CASE(decoded_ids_keep_their_kind_outside_requests) {
    // responses carry integer-typed ids as strings ("admin_assignee_id": "0"); re-encoding a decoded
    // answer (raw round trip, logging) reproduces it
    auto in = boost::json::parse(R"({"admin_assignee_id":"0","team_assignee_id":5})");
    auto c = boost::json::value_to<m::conversation>(in);
    BOOST_TEST(c.admin_assignee_id->str() == "0");
    BOOST_TEST(c.extra.empty());
    BOOST_TEST(boost::json::value_from(c) == in);
}

BOOST_AUTO_TEST_CASE(symbol_enum_values_have_names) {
    using o = m::single_filter_search_request_operator;
    BOOST_TEST(o::eq == "=");
    BOOST_TEST(o::ne == "!=");
    BOOST_TEST(o::lt == "<");
    BOOST_TEST(o::le == "<=");
    BOOST_TEST(o::gt == ">");
    BOOST_TEST(o::ge == ">=");
    BOOST_TEST(o::contains == "~");
    BOOST_TEST(o::not_contains == "!~");
    BOOST_TEST(o::starts_with == "^");
    BOOST_TEST(o::ends_with == "$");
    BOOST_TEST(o::in == "IN");
    BOOST_TEST(o::nin == "NIN");
}

BOOST_AUTO_TEST_CASE(request_options_without_an_empty_query) {
    fake_client f;
    f.transport->reply(200, R"({"type":"conversation","id":"1"})");
    intercom::request_options opts;
    opts.headers.emplace_back("X-Trace", "t1");
    m::update_conversation_request body;
    body.read = true;
    auto r = run_coro(f.ioc, f.cl.conversations().try_update("1", body, opts));
    BOOST_TEST(r.has_value());
    BOOST_TEST(f.header("X-Trace") == "t1");
    BOOST_TEST(boost::urls::url_view(f.last().target).encoded_query().empty());

    // pagers too: pager options and request options without an empty query struct
    f.transport->reply(200, R"({"type":"list","data":[{"type":"contact","id":"c1"}]})");
    intercom::pagination::pager_options paging;
    auto pager = f.cl.contacts().list_all(paging, opts);
    auto first = run_coro(f.ioc, pager.next());
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST(f.header("X-Trace") == "t1");
}

BOOST_AUTO_TEST_CASE(one_filter_search_is_one_line) {
    fake_client f;
    f.transport->reply(200, R"({"type":"list","data":[{"type":"contact","id":"c1"}],"total_count":1})");
    auto page = run_coro(f.ioc, f.cl.contacts().try_search(search::field("email") == "a@b.c"));
    BOOST_TEST_REQUIRE(page.has_value());
    BOOST_TEST(page->data->size() == 1u);
    BOOST_TEST(boost::json::parse(f.last().body) ==
               boost::json::parse(R"({"query":{"field":"email","operator":"=","value":"a@b.c"}})"));
    BOOST_TEST(f.last().target == "/contacts/search");

    f.transport->reply(200, R"({"type":"conversation.list","conversations":[]})");
    search::search_request q{search::field("state") == "open" && search::field("read") == false, 5u, std::nullopt,
                             std::nullopt};
    auto conversations = run_coro(f.ioc, f.cl.conversations().try_search(q));
    BOOST_TEST(conversations.has_value());
    BOOST_TEST(boost::json::parse(f.last().body).at("pagination").at("per_page") == boost::json::value(5));

    auto bad = run_coro(f.ioc, f.cl.tickets().try_search(search::field("no_such_field") == 1));
    BOOST_TEST((!bad.has_value() && bad.error().code == intercom::errc::invalid_query));
    BOOST_TEST(f.transport->seen.size() == 2u); // nothing sent for the invalid query

    auto pager = f.cl.contacts().search_all(search::field("email").ends_with("@b.c"));
    BOOST_TEST(pager.has_value());
}

BOOST_AUTO_TEST_CASE(integers_stay_integers_in_number_fields) {
    // `number` fields (doubles): a JSON integer is re-encoded as an integer, a fraction stays one
    auto in = boost::json::parse(R"({"happy_reaction_percentage":0,"neutral_reaction_percentage":40,)"
                                 R"("sad_reaction_percentage":12.5})");
    auto s = boost::json::value_to<m::article_statistics>(in);
    auto out = boost::json::value_from(s);
    BOOST_TEST(out.at("happy_reaction_percentage").is_int64());
    BOOST_TEST(out.at("neutral_reaction_percentage").is_int64());
    BOOST_TEST(out.at("sad_reaction_percentage").is_double());
    BOOST_TEST(boost::json::serialize(out) == boost::json::serialize(in));
}

// Rules from the spec's examples: GET /contacts/{id}/companies sends its list as `data` (the schema
// says `companies`); both keys decode into the typed list, and the pager reads either.
BOOST_AUTO_TEST_CASE(list_under_the_key_the_examples_use,
                     *boost::unit_test::precondition(intercom::test::spec_precondition{})) {
    const boost::json::value* example = nullptr;
    for (const auto& e : intercom::test::spec_fixtures().at("examples").as_array())
        if (e.at("where").as_string().starts_with("response GET /contacts/{contact_id}/companies"))
            example = &e.at("value");
    BOOST_TEST_REQUIRE(example != nullptr);
    BOOST_TEST_REQUIRE(example->as_object().contains("data"));
    auto page = boost::json::value_to<m::contact_attached_companies>(*example);
    BOOST_TEST(page.extra.empty());
    BOOST_TEST_REQUIRE(page.data.has_value());
    BOOST_TEST(page.data->size() == example->at("data").as_array().size());

    fake_client f;
    f.transport->reply(200, boost::json::serialize(*example));
    auto pager = f.cl.contacts().list_companies_all("c1");
    auto first = run_coro(f.ioc, pager.next());
    BOOST_TEST_REQUIRE(first.has_value(), first.error().what());
    BOOST_TEST(first->has_value());
}

BOOST_AUTO_TEST_CASE(fields_and_nulls_from_the_examples) {
    // keys the examples carry but the schemas lack are typed members
    auto c = boost::json::value_to<m::contact>(
        boost::json::parse(R"({"type":"contact","utm_source":"ads","referrer":null,"opted_in_subscription_types":{}})"));
    BOOST_TEST(c.extra.empty());
    BOOST_TEST(c.utm_source.has_value());
    BOOST_TEST(c.opted_in_subscription_types.has_value());
    auto t = boost::json::value_to<m::ticket_type>(boost::json::parse(R"({"is_internal":true})"));
    BOOST_TEST(t.is_internal.value_or(false));
    // objects documented non-nullable that the examples show as null
    auto conv = boost::json::value_to<m::conversation>(boost::json::parse(R"({"statistics":null,"teammates":null})"));
    BOOST_TEST(conv.extra.empty());
    BOOST_TEST(conv.statistics.is_null());
    BOOST_TEST(conv.teammates.is_null());
    auto scroll = boost::json::value_to<m::company_scroll>(boost::json::parse(R"({"pages":null})"));
    BOOST_TEST(scroll.pages.is_null());
}

// client_options::region picks the host every typed call goes to; base_url overrides it.
BOOST_AUTO_TEST_CASE(region_hosts) {
    struct expected {
        intercom::region region;
        const char* host;
    };
    for (auto [region, host] : {expected{intercom::region::us, "api.intercom.io"},
                                expected{intercom::region::eu, "api.eu.intercom.io"},
                                expected{intercom::region::au, "api.au.intercom.io"}}) {
        boost::asio::io_context ioc;
        auto transport = std::make_shared<intercom::test::fake_transport>(ioc.get_executor());
        intercom::client_options o;
        o.token = "tok";
        o.region = region;
        intercom::client cl{transport, o};
        transport->reply(200, R"({"type":"contact","id":"c1"})");
        auto r = run_coro(ioc, cl.contacts().try_retrieve("c1"));
        BOOST_TEST(r.has_value());
        BOOST_TEST_REQUIRE(transport->origins.size() == 1u);
        BOOST_TEST(transport->origins[0].host == host);
        BOOST_TEST(transport->origins[0].scheme == "https");
        BOOST_TEST(transport->origins[0].port == 443);
        BOOST_TEST(o.effective_base_url() == std::string("https://") + host);
    }
}

BOOST_AUTO_TEST_SUITE_END()
