// Every one of the 126 operations (2.11 + Unstable-only, see shared/docs/intercom-api.md §1) has a route:
// with unknown ids the answer may be 400/404 from the handler, but never the "no route" answer.
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

namespace {
struct op {
    const char* method;
    const char* path;
};
const op operations[] = {{"GET", "/me"},
                         {"PUT", "/admins/{admin_id}/away"},
                         {"GET", "/admins/activity_logs"},
                         {"GET", "/admins"},
                         {"GET", "/admins/{admin_id}"},
                         {"GET", "/articles"},
                         {"POST", "/articles"},
                         {"GET", "/articles/{article_id}"},
                         {"PUT", "/articles/{article_id}"},
                         {"DELETE", "/articles/{article_id}"},
                         {"GET", "/articles/search"},
                         {"GET", "/help_center/collections"},
                         {"POST", "/help_center/collections"},
                         {"GET", "/help_center/collections/{collection_id}"},
                         {"PUT", "/help_center/collections/{collection_id}"},
                         {"DELETE", "/help_center/collections/{collection_id}"},
                         {"GET", "/help_center/help_centers/{help_center_id}"},
                         {"GET", "/help_center/help_centers"},
                         {"POST", "/companies"},
                         {"GET", "/companies"},
                         {"GET", "/companies/{company_id}"},
                         {"PUT", "/companies/{company_id}"},
                         {"DELETE", "/companies/{company_id}"},
                         {"GET", "/companies/{company_id}/contacts"},
                         {"GET", "/companies/{company_id}/segments"},
                         {"POST", "/companies/list"},
                         {"GET", "/companies/scroll"},
                         {"POST", "/contacts/{contact_id}/companies"},
                         {"GET", "/contacts/{contact_id}/companies"},
                         {"DELETE", "/contacts/{contact_id}/companies/{company_id}"},
                         {"GET", "/contacts/{contact_id}/notes"},
                         {"POST", "/contacts/{contact_id}/notes"},
                         {"GET", "/contacts/{contact_id}/segments"},
                         {"GET", "/contacts/{contact_id}/subscriptions"},
                         {"POST", "/contacts/{contact_id}/subscriptions"},
                         {"DELETE", "/contacts/{contact_id}/subscriptions/{subscription_id}"},
                         {"GET", "/contacts/{contact_id}/tags"},
                         {"POST", "/contacts/{contact_id}/tags"},
                         {"DELETE", "/contacts/{contact_id}/tags/{tag_id}"},
                         {"PUT", "/contacts/{contact_id}"},
                         {"GET", "/contacts/{contact_id}"},
                         {"DELETE", "/contacts/{contact_id}"},
                         {"POST", "/contacts/merge"},
                         {"POST", "/contacts/search"},
                         {"GET", "/contacts"},
                         {"POST", "/contacts"},
                         {"POST", "/contacts/{contact_id}/archive"},
                         {"POST", "/contacts/{contact_id}/unarchive"},
                         {"POST", "/conversations/{conversation_id}/tags"},
                         {"DELETE", "/conversations/{conversation_id}/tags/{tag_id}"},
                         {"GET", "/conversations"},
                         {"POST", "/conversations"},
                         {"GET", "/conversations/{conversation_id}"},
                         {"PUT", "/conversations/{conversation_id}"},
                         {"POST", "/conversations/search"},
                         {"POST", "/conversations/{conversation_id}/reply"},
                         {"POST", "/conversations/{conversation_id}/parts"},
                         {"POST", "/conversations/{conversation_id}/run_assignment_rules"},
                         {"POST", "/conversations/{conversation_id}/customers"},
                         {"DELETE", "/conversations/{conversation_id}/customers/{contact_id}"},
                         {"POST", "/conversations/redact"},
                         {"POST", "/conversations/{conversation_id}/convert"},
                         {"GET", "/data_attributes"},
                         {"POST", "/data_attributes"},
                         {"PUT", "/data_attributes/{data_attribute_id}"},
                         {"POST", "/events"},
                         {"GET", "/events"},
                         {"POST", "/events/summaries"},
                         {"POST", "/export/content/data"},
                         {"GET", "/export/content/data/{job_identifier}"},
                         {"POST", "/export/cancel/{job_identifier}"},
                         {"GET", "/download/content/data/{job_identifier}"},
                         {"POST", "/messages"},
                         {"GET", "/news/news_items"},
                         {"POST", "/news/news_items"},
                         {"GET", "/news/news_items/{news_item_id}"},
                         {"PUT", "/news/news_items/{news_item_id}"},
                         {"DELETE", "/news/news_items/{news_item_id}"},
                         {"GET", "/news/newsfeeds/{newsfeed_id}/items"},
                         {"GET", "/news/newsfeeds"},
                         {"GET", "/news/newsfeeds/{newsfeed_id}"},
                         {"GET", "/notes/{note_id}"},
                         {"GET", "/segments"},
                         {"GET", "/segments/{segment_id}"},
                         {"GET", "/subscription_types"},
                         {"POST", "/phone_call_redirects"},
                         {"GET", "/tags"},
                         {"POST", "/tags"},
                         {"GET", "/tags/{tag_id}"},
                         {"DELETE", "/tags/{tag_id}"},
                         {"GET", "/teams"},
                         {"GET", "/teams/{team_id}"},
                         {"POST", "/ticket_types/{ticket_type_id}/attributes"},
                         {"PUT", "/ticket_types/{ticket_type_id}/attributes/{attribute_id}"},
                         {"GET", "/ticket_types"},
                         {"POST", "/ticket_types"},
                         {"GET", "/ticket_types/{ticket_type_id}"},
                         {"PUT", "/ticket_types/{ticket_type_id}"},
                         {"POST", "/tickets/{ticket_id}/reply"},
                         {"POST", "/tickets/{ticket_id}/tags"},
                         {"DELETE", "/tickets/{ticket_id}/tags/{tag_id}"},
                         {"POST", "/tickets"},
                         {"PUT", "/tickets/{ticket_id}"},
                         {"GET", "/tickets/{ticket_id}"},
                         {"POST", "/tickets/search"},
                         {"PUT", "/visitors"},
                         {"GET", "/visitors"},
                         {"POST", "/visitors/convert"},
                         {"GET", "/ai/content_import_sources"},
                         {"POST", "/ai/content_import_sources"},
                         {"DELETE", "/ai/content_import_sources/{id}"},
                         {"GET", "/ai/content_import_sources/{id}"},
                         {"PUT", "/ai/content_import_sources/{id}"},
                         {"GET", "/ai/external_pages"},
                         {"POST", "/ai/external_pages"},
                         {"DELETE", "/ai/external_pages/{id}"},
                         {"GET", "/ai/external_pages/{id}"},
                         {"PUT", "/ai/external_pages/{id}"},
                         {"GET", "/contacts/find_by_external_id/{external_id}"},
                         {"DELETE", "/conversations/{id}"},
                         {"POST", "/custom_object_instances/{custom_object_type_identifier}"},
                         {"GET", "/custom_object_instances/{custom_object_type_identifier}"},
                         {"GET", "/custom_object_instances/{custom_object_type_identifier}/{id}"},
                         {"DELETE", "/custom_object_instances/{custom_object_type_identifier}/{id}"},
                         {"GET", "/ticket_states"},
                         {"DELETE", "/tickets/{id}"}};
} // namespace

BOOST_AUTO_TEST_SUITE(fake_server_routes)

BOOST_AUTO_TEST_CASE(all_126_operations_are_routed) {
    BOOST_TEST(std::size(operations) == 126u);
    intercom::test::running_server rs({.seed = {.contacts = 2, .companies = 2, .conversations = 2}});
    auto c = rs.client();
    for (const auto& o : operations) {
        std::string path = o.path;
        for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
            auto close = path.find('}', open);
            path.replace(open, close - open + 1, "zz-missing");
        }
        std::string method = o.method;
        auto r = c.request(method, path, method == "GET" ? std::string() : std::string("{}"));
        BOOST_TEST_CONTEXT(method << " " << path) {
            BOOST_TEST(!r.ec);
            BOOST_TEST(r.status != 0u);
            BOOST_TEST(r.status < 500u);
            if (r.status == 404u) BOOST_TEST(r.body.find("No route") == std::string::npos);
        }
    }
    // And an unknown one is answered 404 by the router.
    auto r = c.get("/no/such/thing");
    BOOST_TEST(r.status == 404u);
    BOOST_TEST(r.body.find("No route") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
