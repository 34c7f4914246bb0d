// Generated resource methods through a fake transport: headers, versions, decoding, errors,
// streaming downloads, empty bodies, and the completion-token helper.
#include "fake_transport.hpp"

#include <intercom.hpp>

#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <run_coro.hpp>

namespace m = intercom::models;
using intercom::test::fake_client;
using intercom::test::run_coro;

BOOST_AUTO_TEST_SUITE(resources)

BOOST_AUTO_TEST_CASE(retrieve_decodes_and_keeps_raw_json) {
    fake_client f;
    f.transport->reply(200, R"({"type":"contact","id":"c1","email":"a@b.c","new_thing":1})");
    m::contact c = run_coro(f.ioc, f.cl.contacts().retrieve("c1"));
    BOOST_TEST(*c.email == "a@b.c");
    BOOST_TEST_REQUIRE(c.raw != nullptr);
    BOOST_TEST(c.raw->at("new_thing") == 1);
    const auto& req = f.last();
    BOOST_TEST((req.method == boost::beast::http::verb::get));
    BOOST_TEST(req.target == "/contacts/c1");
    BOOST_TEST(f.header("Intercom-Version") == "2.11");
    BOOST_TEST(f.header("Accept") == "application/json");
    BOOST_TEST(f.header("Authorization") == "Bearer tok");
    BOOST_TEST(req.body.empty());
}

BOOST_AUTO_TEST_CASE(unstable_only_operations_send_unstable_version) {
    fake_client f;
    f.transport->reply(200, R"({"type":"list","data":[{"id":"1","name":"Submitted","category":"submitted"}]})");
    auto r = run_coro(f.ioc, f.cl.ticket_states().try_list());
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(f.header("Intercom-Version") == "Unstable");
    BOOST_TEST(f.last().target == "/ticket_states");
    // per-request options win: version override and extra headers
    f.transport->reply(200, R"({"type":"contact","id":"c1"})");
    intercom::request_options o;
    o.version = "2.10";
    o.headers.emplace_back("X-Trace", "abc");
    run_coro(f.ioc, f.cl.contacts().try_retrieve_by_external_id("ext/1", o));
    BOOST_TEST(f.header("Intercom-Version") == "2.10");
    BOOST_TEST(f.header("X-Trace") == "abc");
    BOOST_TEST(f.last().target == "/contacts/find_by_external_id/ext%2F1");
}

BOOST_AUTO_TEST_CASE(request_body_variant_is_sent_as_its_alternative) {
    fake_client f;
    f.transport->reply(200, R"({"type":"conversation","id":"5","state":"closed"})");
    m::close_conversation_request close;
    close.message_type = "close";
    close.type = "admin";
    close.admin_id = "12";
    close.body = "bye";
    m::conversations_manage_request body;
    body.value = close;
    auto conv = run_coro(f.ioc, f.cl.conversations().manage("5", body));
    BOOST_TEST((*conv.state == m::conversation_state::closed));
    BOOST_TEST(f.last().target == "/conversations/5/parts");
    BOOST_TEST((f.last().method == boost::beast::http::verb::post));
    BOOST_TEST(boost::json::parse(f.last().body) ==
               boost::json::parse(R"({"message_type":"close","type":"admin","admin_id":"12","body":"bye"})"));
}

BOOST_AUTO_TEST_CASE(http_errors_keep_diagnostics) {
    fake_client f;
    f.transport->reply(404, R"({"type":"error.list","request_id":"r1","errors":[{"code":"not_found","message":"nope"}]})");
    auto r = run_coro(f.ioc, f.cl.tags().try_retrieve("7"));
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == intercom::errc::not_found));
    BOOST_TEST(r.error().diag.http_status == 404u);
    f.transport->reply(401, R"({"type":"error.list","errors":[{"code":"unauthorized"}]})");
    BOOST_CHECK_THROW(run_coro(f.ioc, f.cl.tags().retrieve("7")), intercom::api_error);
}

BOOST_AUTO_TEST_CASE(undecodable_bodies_give_decode_error_with_excerpt) {
    fake_client f;
    f.transport->reply(200, "<html>oops</html>");
    auto r = run_coro(f.ioc, f.cl.teams().try_list());
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == intercom::errc::decode_error));
    BOOST_TEST(r.error().diag.body_excerpt.find("oops") != std::string::npos);
    f.transport->reply(200, "[1,2,3]");  // valid JSON, not an object
    auto r2 = run_coro(f.ioc, f.cl.teams().try_list());
    BOOST_TEST_REQUIRE(r2.has_error());
    BOOST_TEST((r2.error().code == intercom::errc::decode_error));
    BOOST_TEST(r2.error().diag.body_excerpt == "[1,2,3]");
}

BOOST_AUTO_TEST_CASE(empty_success_bodies_are_not_decoded) {
    fake_client f;
    f.transport->reply(202, "");
    m::create_data_event_request ev;
    ev.event_name = "ordered";
    ev.created_at = 1700000000;
    ev.user_id = "u1";
    auto r = run_coro(f.ioc, f.cl.data_events().try_create(ev));
    BOOST_TEST(r.has_value());
    BOOST_TEST(f.last().target == "/events");
    f.transport->reply(200, "");
    BOOST_TEST(run_coro(f.ioc, f.cl.tags().try_remove("7")).has_value());
    f.transport->reply(204, "");
    BOOST_TEST(run_coro(f.ioc, f.cl.ai_content().try_remove_content_import_source("3")).has_value());
    BOOST_TEST(f.header("Intercom-Version") == "Unstable");
}

BOOST_AUTO_TEST_CASE(download_streams_to_the_sink) {
    fake_client f;
    std::string file(1000, '\0');
    for (std::size_t i = 0; i < file.size(); ++i) file[i] = static_cast<char>(i * 7);
    f.transport->reply(200, file, 64);
    std::string got;
    std::size_t chunks = 0;
    auto sink = [&](std::string_view c) {
        got.append(c);
        ++chunks;
        return boost::system::error_code{};
    };
    auto r = run_coro(f.ioc, f.cl.data_export().try_download("job 1", sink));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(got == file);
    BOOST_TEST(chunks == 16u);
    BOOST_TEST(f.header("Accept") == "application/octet-stream");
    BOOST_TEST(f.last().target == "/download/content/data/job%201");
}

BOOST_AUTO_TEST_CASE(async_run_with_future_and_callback) {
    fake_client f;
    f.transport->reply(200, R"({"type":"admin","id":"1","name":"Ada"})");
    f.transport->reply(404, R"({"type":"error.list","errors":[{"code":"not_found"}]})");
    auto fut = intercom::async_run(f.ioc.get_executor(), f.cl.admins().identify(), boost::asio::use_future);
    std::exception_ptr cb_error;
    bool called = false;
    intercom::async_run(f.ioc.get_executor(), f.cl.admins().retrieve("2"),
                        [&](std::exception_ptr e, m::admin) {
                            called = true;
                            cb_error = e;
                        });
    f.ioc.run();
    BOOST_TEST(*fut.get().name == "Ada");
    BOOST_TEST(called);
    BOOST_TEST_REQUIRE(static_cast<bool>(cb_error));
    BOOST_CHECK_THROW(std::rethrow_exception(cb_error), intercom::api_error);
}

// The resource object is a temporary; the awaitable it returns must not depend on it (this case
// is what ASan checks: a coroutine member function would keep a dangling `this`).
boost::asio::awaitable<m::contact> make_call_outliving_resource_object(intercom::client& cl) {
    auto api = cl.contacts();
    return api.retrieve("c1");  // not a coroutine: returns the lazy awaitable, then `api` dies
}

BOOST_AUTO_TEST_CASE(awaitable_outlives_resource_object) {
    fake_client f;
    f.transport->reply(200, R"({"type":"contact","id":"c1","name":"Ada"})");
    auto aw = make_call_outliving_resource_object(f.cl);
    m::contact c = run_coro(f.ioc, std::move(aw));
    BOOST_TEST(*c.name == "Ada");
    BOOST_TEST(f.last().target == "/contacts/c1");
}

BOOST_AUTO_TEST_CASE(every_group_accessor_works) {
    fake_client f;
    // one call per group that needs no body, to make sure each accessor and path builds
    for (int i = 0; i < 8; ++i) f.transport->reply(200, R"({"type":"list"})");
    run_coro(f.ioc, f.cl.articles().try_list());
    run_coro(f.ioc, f.cl.help_center().try_list_collections());
    run_coro(f.ioc, f.cl.segments().try_list());
    run_coro(f.ioc, f.cl.subscription_types().try_list());
    run_coro(f.ioc, f.cl.news().try_list_newsfeeds());
    run_coro(f.ioc, f.cl.ticket_types().try_list());
    run_coro(f.ioc, f.cl.custom_object_instances().try_retrieve("Order", "1"));
    run_coro(f.ioc, f.cl.notes().try_retrieve("n1"));
    std::vector<std::string> targets;
    for (const auto& r : f.transport->seen) targets.push_back(r.target);
    std::vector<std::string> want{"/articles", "/help_center/collections", "/segments", "/subscription_types",
                                  "/news/newsfeeds", "/ticket_types", "/custom_object_instances/Order/1",
                                  "/notes/n1"};
    BOOST_TEST(targets == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
