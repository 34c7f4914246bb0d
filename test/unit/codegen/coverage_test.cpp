// Every (method, path) of intercom-2.11.yaml and intercom-unstable.yaml has a generated operation.
#include "../models/spec_fixtures.hpp"

#include <intercom/resources/operations.hpp>

#include <boost/beast/http/verb.hpp>
#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>
#include <string>

namespace {

std::string norm(std::string_view p) { return std::regex_replace(std::string(p), std::regex(R"(\{[^}]*\})"), "{}"); }

} // namespace

BOOST_AUTO_TEST_SUITE(operation_coverage)

BOOST_AUTO_TEST_CASE(every_spec_operation_is_generated,
                     *boost::unit_test::precondition(intercom::test::spec_precondition{})) {
    const auto& ops = intercom::test::spec_fixtures().at("operations").as_array();
    auto all = intercom::all_operations();
    std::size_t found = 0, unstable = 0;
    std::set<const intercom::operation_info*> used;
    for (const auto& o : ops) {
        std::string method(o.at("method").as_string());
        std::string path(o.at("path").as_string());
        bool unstable_only = o.at("unstable_only").as_bool();
        const intercom::operation_info* hit = nullptr;
        for (const auto* info : all) {
            if (boost::beast::http::to_string(info->method) == method && norm(info->path_template) == norm(path))
                hit = info;
        }
        BOOST_TEST(hit != nullptr, "no generated operation for " << method << " " << path);
        if (!hit) continue;
        ++found;
        used.insert(hit);
        BOOST_TEST(hit->unstable_only == unstable_only, method << " " << path << ": unstable_only mismatch");
        if (unstable_only) ++unstable;
    }
    std::printf("operation_coverage: %zu/%zu spec operations generated (%zu Unstable-only), %zu in table\n", found,
                ops.size(), unstable, all.size());
    BOOST_TEST(found == ops.size());
    BOOST_TEST(ops.size() == 126u);
    BOOST_TEST(unstable == 18u);
    BOOST_TEST(used.size() == all.size()); // nothing generated that the spec does not have
}

BOOST_AUTO_TEST_CASE(operation_table_is_consistent) {
    auto all = intercom::all_operations();
    BOOST_TEST(all.size() == 126u);
    std::set<std::string_view> names;
    for (const auto* info : all) {
        BOOST_TEST(names.insert(info->name).second, "duplicate name " << info->name);
        using boost::beast::http::verb;
        if (info->method == verb::get) BOOST_TEST((info->retry == intercom::retry_class::safe), info->name);
        if (info->method == verb::put || info->method == verb::delete_)
            BOOST_TEST((info->retry == intercom::retry_class::idempotent), info->name);
    }
    BOOST_TEST((intercom::operations::contacts_merge.retry == intercom::retry_class::once));
    BOOST_TEST((intercom::operations::data_events_create.retry == intercom::retry_class::dedup));
    BOOST_TEST((intercom::operations::contacts_search.retry == intercom::retry_class::read));
    BOOST_TEST(intercom::operations::ticket_states_list.unstable_only);
    BOOST_TEST(!intercom::operations::contacts_retrieve.unstable_only);
}

BOOST_AUTO_TEST_SUITE_END()
