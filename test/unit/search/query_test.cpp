#include <intercom/search/query.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace intercom;
using namespace intercom::search;
namespace json = boost::json;

namespace {

json::value j(const char* text) { return json::parse(text); }

void expect_invalid(const expr& q, object_kind obj, std::string_view needle, const validation_options& o = {}) {
    auto r = validate(q, obj, o);
    BOOST_REQUIRE_MESSAGE(!r, "expected invalid_query containing '" << needle << "'");
    BOOST_TEST(r.error().code == make_error_code(errc::invalid_query));
    BOOST_TEST_MESSAGE(r.error().diag.message);
    BOOST_TEST(r.error().diag.message.find(needle) != std::string::npos, r.error().diag.message);
}

void expect_valid(const expr& q, object_kind obj, const validation_options& o = {}) {
    auto r = validate(q, obj, o);
    BOOST_TEST(r.has_value(), (r ? std::string() : r.error().diag.message));
}

} // namespace

BOOST_AUTO_TEST_SUITE(search_query)

BOOST_AUTO_TEST_CASE(every_operator_serialises) {
    const std::vector<std::pair<filter, const char*>> cases = {
        {field("email") == "a@b.c", R"({"field":"email","operator":"=","value":"a@b.c"})"},
        {field("email") != "a@b.c", R"({"field":"email","operator":"!=","value":"a@b.c"})"},
        {field("role").in({"user", "lead"}), R"({"field":"role","operator":"IN","value":["user","lead"]})"},
        {field("owner_id").not_in(std::vector<std::int64_t>{1, 2}),
         R"({"field":"owner_id","operator":"NIN","value":[1,2]})"},
        {field("owner_id") < 5, R"({"field":"owner_id","operator":"<","value":5})"},
        {field("owner_id") <= 5, R"({"field":"owner_id","operator":"<=","value":5})"},
        {field("owner_id") > 5, R"({"field":"owner_id","operator":">","value":5})"},
        {field("owner_id") >= 5, R"({"field":"owner_id","operator":">=","value":5})"},
        {field("name").contains("jo"), R"({"field":"name","operator":"~","value":"jo"})"},
        {field("name").not_contains("jo"), R"({"field":"name","operator":"!~","value":"jo"})"},
        {field("name").starts_with("Jo"), R"({"field":"name","operator":"^","value":"Jo"})"},
        {field("email").ends_with("@x.io"), R"({"field":"email","operator":"$","value":"@x.io"})"},
        {field("has_hard_bounced") == true, R"({"field":"has_hard_bounced","operator":"=","value":true})"},
        {field("email").is_null(), R"({"field":"email","operator":"=","value":null})"},
    };
    for (const auto& [f, want] : cases) {
        expr e = f;
        BOOST_TEST(e.to_json() == j(want), json::serialize(e.to_json()) << " vs " << want);
        expect_valid(e, object_kind::contacts);
    }
    // Round trip of the spellings.
    for (auto o : {op::eq, op::ne, op::in, op::nin, op::lt, op::le, op::gt, op::ge, op::contains, op::not_contains,
                   op::starts_with, op::ends_with})
        BOOST_TEST((parse_op(to_string(o)) == o));
    BOOST_TEST(!parse_op("=="));
}

BOOST_AUTO_TEST_CASE(nested_groups_serialise) {
    expr q = (field("role") == "user" || field("role") == "lead") &&
             (field("created_at") > 1700000000 || field("email").ends_with("@x.io"));
    BOOST_TEST(q.to_json() == j(R"({"operator":"AND","value":[
        {"operator":"OR","value":[{"field":"role","operator":"=","value":"user"},
                                  {"field":"role","operator":"=","value":"lead"}]},
        {"operator":"OR","value":[{"field":"created_at","operator":">","value":1700000000},
                                  {"field":"email","operator":"$","value":"@x.io"}]}]})"));
    expect_valid(q, object_kind::contacts);
    // a && b && c flattens into one group.
    expr flat = field("open") == true && field("state") == "open" && field("priority") == "priority";
    BOOST_TEST(flat.as_group().members.size() == 3u);
    expect_valid(flat, object_kind::conversations);
    expr mixed = all_of({field("open") == true, any_of({field("state") == "open", field("state") == "snoozed"})});
    expect_valid(mixed, object_kind::tickets);
}

BOOST_AUTO_TEST_CASE(search_request_body) {
    search_request req{field("email") == "a@b.c", 150u, std::string("WzE3MF0="), sort_spec{"created_at", true}};
    auto body = to_json(req, object_kind::contacts);
    BOOST_REQUIRE(body);
    BOOST_TEST(json::value(*body) == j(R"({"query":{"field":"email","operator":"=","value":"a@b.c"},
        "pagination":{"per_page":150,"starting_after":"WzE3MF0="},
        "sort":{"field":"created_at","order":"ascending"}})"));
    search_request bare{field("open") == true, std::nullopt, std::nullopt, std::nullopt};
    auto b2 = to_json(bare, object_kind::conversations);
    BOOST_REQUIRE(b2);
    BOOST_TEST(!b2->contains("pagination"));
    search_request cursor_only{field("open") == true, std::nullopt, std::string("c"), std::nullopt};
    auto b3 = to_json(cursor_only, object_kind::tickets);
    BOOST_REQUIRE(b3);
    BOOST_TEST(b3->at("pagination") == j(R"({"per_page":20,"starting_after":"c"})"));
    search_request too_big{field("open") == true, 151u, std::nullopt, std::nullopt};
    auto b4 = to_json(too_big, object_kind::tickets);
    BOOST_REQUIRE(!b4);
    BOOST_TEST(b4.error().code == make_error_code(errc::invalid_query));
    search_request bad_sort{field("open") == true, 10u, std::nullopt, sort_spec{"nope", false}};
    auto b5 = to_json(bad_sort, object_kind::conversations);
    BOOST_REQUIRE(!b5);
    BOOST_TEST(b5.error().diag.message.find("sort: unknown field 'nope'") != std::string::npos);
    search_request bad{field("nope") == 1, 10u, std::nullopt, std::nullopt};
    BOOST_TEST(!to_json(bad, object_kind::contacts));
}

BOOST_AUTO_TEST_CASE(depth_limit) {
    expr two = any_of({all_of({field("role") == "user", field("name") == "x"}), field("email") == "y"});
    expect_valid(two, object_kind::contacts);
    expr three = all_of({any_of({all_of({field("role") == "user", field("name") == "x"}), field("email") == "y"}),
                         field("phone") == "1"});
    expect_invalid(three, object_kind::contacts, "query.value[0].value[0]: groups nested 3 deep");
    validation_options o;
    o.max_group_depth = 3;
    expect_valid(three, object_kind::contacts, o);
}

BOOST_AUTO_TEST_CASE(members_per_group) {
    std::vector<expr> fifteen, sixteen;
    for (int i = 0; i < 15; ++i) fifteen.push_back(field("owner_id") == i);
    sixteen = fifteen;
    sixteen.push_back(field("owner_id") == 99);
    expect_valid(any_of(fifteen), object_kind::contacts);
    expect_invalid(any_of(sixteen), object_kind::contacts, "16 members; at most 15");
    expect_invalid(all_of({field("has_hard_bounced") == true, any_of(sixteen)}), object_kind::contacts, "query.value[1]: AND/OR group has 16");
    expect_invalid(all_of({}), object_kind::contacts, "empty AND/OR group");
}

BOOST_AUTO_TEST_CASE(operator_must_fit_field_type) {
    // Contacts dates: only = < >.
    expect_valid(field("created_at") == 1700000000, object_kind::contacts);
    expect_valid(field("created_at") < 1700000000, object_kind::contacts);
    expect_invalid(field("created_at") >= 1700000000, object_kind::contacts, "operator '>=': operator not allowed on a date");
    expect_invalid(field("created_at") != 1700000000, object_kind::contacts, "'created_at' operator '!='");
    expect_invalid(field("last_seen_at").in(std::vector<std::int64_t>{1}), object_kind::contacts, "not allowed on a date");
    // ...but tickets allow <= / >= on dates.
    expect_valid(field("created_at") >= 1700000000, object_kind::tickets);
    // String operators only on strings.
    expect_invalid(field("owner_id").contains("1"), object_kind::contacts, "not allowed on a integer");
    expect_invalid(field("open").starts_with("t"), object_kind::conversations, "not allowed on a boolean");
    // Order operators not on strings or booleans.
    expect_invalid(field("email") > "a", object_kind::contacts, "not allowed on a string");
    expect_invalid(field("open") < 1, object_kind::tickets, "not allowed on a boolean");
    // tag_id: only = and !=.
    expect_valid(field("tag_id") != "123", object_kind::contacts);
    expect_invalid(field("tag_id").in({"1", "2"}), object_kind::contacts, "tag_id accepts only");
    expect_invalid(field("tag_id").contains("1"), object_kind::contacts, "tag_id accepts only");
    // Booleans: = != IN NIN.
    expect_valid(field("open").in({"true", "false"}), object_kind::conversations);
}

BOOST_AUTO_TEST_CASE(value_must_fit_field_type) {
    expect_invalid(field("email") == 5, object_kind::contacts, "needs a string, got integer");
    expect_invalid(field("owner_id") == "5", object_kind::contacts, "needs an integer, got string");
    expect_invalid(field("admin_assignee_id") == 5, object_kind::tickets, "needs a string"); // string on tickets
    expect_valid(field("admin_assignee_id") == 5, object_kind::conversations);               // int on conversations
    expect_invalid(field("open") == "true", object_kind::conversations, "needs a boolean");
    // Dates: integer or numeric string.
    expect_valid(field("created_at") > "1693782000", object_kind::contacts);
    expect_invalid(field("created_at") > "yesterday", object_kind::contacts, "UNIX timestamp");
    expect_invalid(field("created_at") > true, object_kind::contacts, "got boolean");
    // IN/NIN need (non-empty, well-typed) arrays; arrays only for IN/NIN.
    expect_invalid(field("role").make(op::in, std::string("user")), object_kind::contacts, "need an array");
    expect_invalid(field("role").in(std::vector<std::string>{}), object_kind::contacts, "non-empty");
    expect_invalid(field("role").in(std::vector<std::int64_t>{1}), object_kind::contacts, "string array");
    expect_invalid(field("role").make(op::eq, std::vector<std::string>{"a"}), object_kind::contacts, "only allowed with IN/NIN");
    // null only with = and !=.
    expect_valid(field("phone").is_not_null(), object_kind::contacts);
    expect_invalid(field("owner_id") < nullptr, object_kind::contacts, "null is only allowed");
}

BOOST_AUTO_TEST_CASE(unknown_fields_and_custom_attributes) {
    expect_invalid(field("emial") == "x", object_kind::contacts, "unknown field 'emial' for contacts");
    expect_invalid(field("custom_attributes.plan") == "x", object_kind::conversations, "unknown field");
    expect_valid(raw_field("brand_new_field") == "x", object_kind::contacts);
    // raw fields still get shape checks.
    expect_invalid(raw_field("brand_new_field").make(op::in, std::string("x")), object_kind::contacts, "need an array");
    validation_options lax;
    lax.allow_unknown_fields = true;
    expect_valid(field("emial") == "x", object_kind::contacts, lax);
    // Custom attributes: any type unless declared.
    expect_valid(field("custom_attributes.plan") == "pro", object_kind::contacts);
    expect_valid(field("custom_attributes.seats") > 10, object_kind::contacts);
    expect_invalid(field("custom_attributes.seats") > "ten", object_kind::contacts, "integer or numeric string");
    expect_invalid(field("custom_attributes.") == "x", object_kind::contacts, "unknown field");
    validation_options typed;
    typed.custom_types = {{"custom_attributes.renewal", field_type::date}, {"ticket_attribute.42", field_type::boolean}};
    expect_invalid(field("custom_attributes.renewal") >= 1, object_kind::contacts, "not allowed on a date", typed);
    expect_valid(field("ticket_attribute.42") == true, object_kind::tickets, typed);
    expect_invalid(field("ticket_attribute.42") == "yes", object_kind::tickets, "needs a boolean", typed);
    BOOST_TEST((lookup_field(object_kind::contacts, "andoid_sdk_version") == field_type::string));
    BOOST_TEST((lookup_field(object_kind::conversations, "statistics.last_close_at") == field_type::date));
    BOOST_TEST((lookup_field(object_kind::tickets, "open") == field_type::boolean));
}

BOOST_AUTO_TEST_SUITE_END()
