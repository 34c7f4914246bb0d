// Checks on the generated sources themselves: a pager method for every paginated operation of the
// operation table in ../shared/docs/intercom-api.md, and variant decoders without repeated blocks.
#include "../models/spec_fixtures.hpp"

#include <intercom/resources/operations.hpp>

#include <boost/beast/http/verb.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string norm(std::string_view p) { return std::regex_replace(std::string(p), std::regex(R"(\{[^}]*\})"), "{}"); }

struct docs_present {
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
        boost::test_tools::assertion_result r(std::filesystem::exists(intercom::test::shared_dir() + "/docs/intercom-api.md"));
        if (!r) r.message() << "SKIPPED: " << intercom::test::shared_dir() << "/docs/intercom-api.md not found";
        return r;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(generated_shape)

// Rows of the docs table: | # | M | `path` | operationId | Tag | Pag | List field | ...
BOOST_AUTO_TEST_CASE(every_paginated_operation_has_a_pager, *boost::unit_test::precondition(docs_present{})) {
    std::istringstream doc(slurp(intercom::test::shared_dir() + "/docs/intercom-api.md"));
    const std::regex row(R"(^\| \d+ \| (GET|POST|PUT|DELETE) \| `([^`]+)`[^|]*\|[^|]*\|[^|]*\| ([^|]+) \|)");
    std::size_t paginated = 0, with_pager = 0;
    for (std::string line; std::getline(doc, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, row)) continue;
        std::string pag = m[3].str();
        pag.erase(pag.find_last_not_of(' ') + 1);
        if (pag == "—") continue;
        ++paginated;
        const intercom::operation_info* hit = nullptr;
        for (const auto* info : intercom::all_operations())
            if (boost::beast::http::to_string(info->method) == m[1].str() && norm(info->path_template) == norm(m[2].str()))
                hit = info;
        BOOST_TEST_REQUIRE(hit != nullptr, "no operation for " << m[1] << " " << m[2]);
        const std::string name(hit->name);  // "group.method"
        const auto dot = name.find('.');
        const std::string header =
            slurp(INTERCOM_SOURCE_DIR "/include/intercom/resources/generated/" + name.substr(0, dot) + ".hpp");
        const bool found = header.find(" " + name.substr(dot + 1) + "_all(") != std::string::npos;
        BOOST_TEST(found, name << " (" << pag << ") has no " << name.substr(dot + 1) << "_all pager");
        with_pager += found;
    }
    BOOST_TEST(paginated == 23u);  // 21 of 2.11 + 2 Unstable-only (docs §1 counts)
    BOOST_TEST(with_pager == paginated);
}

// Each variant alternative is picked in one line (`return try_alternative<A>(jv, out);`), not a
// repeated decode block per condition.
BOOST_AUTO_TEST_CASE(variant_decoders_use_try_alternative) {
    std::size_t helpers = 0, uses = 0, blocks = 0;
    const std::regex block(R"(models::\w+ x;\s*decode\(jv, x\);\s*out\.value = std::move\(x\);)");
    for (int i = 0; i < 8; ++i) {
        const std::string src = slurp(INTERCOM_SOURCE_DIR "/src/models/generated/models_" + std::to_string(i) + ".cpp");
        BOOST_TEST_REQUIRE(!src.empty());
        helpers += src.find("bool try_alternative(") != std::string::npos;
        for (auto p = src.find("return try_alternative<"); p != std::string::npos;
             p = src.find("return try_alternative<", p + 1))
            ++uses;
        blocks += std::distance(std::sregex_iterator(src.begin(), src.end(), block), std::sregex_iterator());
    }
    BOOST_TEST(helpers >= 1u);
    BOOST_TEST(uses > 50u);
    BOOST_TEST(blocks == 0u);
}

// Every path parameter of every generated operation (from the spec, through extract_fixtures.py): the
// generated declarations take `json::int_id` where the operation's own description (2.11, or Unstable for
// its own operations) types it integer, and `std::string` where it types it string.
BOOST_AUTO_TEST_CASE(path_parameters_typed_as_declared,
                     *boost::unit_test::precondition(intercom::test::spec_precondition{})) {
    std::size_t integers = 0, strings = 0;
    for (const auto& p : intercom::test::spec_fixtures().at("path_params").as_array()) {
        const std::string method(p.at("method").as_string()), path(p.at("path").as_string());
        const std::string param(p.at("name").as_string());
        const bool integer = p.at("type").as_string() == "integer";
        const intercom::operation_info* hit = nullptr;
        for (const auto* info : intercom::all_operations())
            if (boost::beast::http::to_string(info->method) == method && info->path_template == path) hit = info;
        BOOST_TEST_REQUIRE(hit != nullptr, "no operation for " << method << " " << path);
        const std::string name(hit->name);  // "group.method"
        const auto dot = name.find('.');
        const std::string header = std::regex_replace(
            slurp(INTERCOM_SOURCE_DIR "/include/intercom/resources/generated/" + name.substr(0, dot) + ".hpp"),
            std::regex(R"(\s+)"), " ");
        const std::regex decl("> (?:try_)?" + name.substr(dot + 1) + R"(\(([^)]*)\))");
        const std::string want = (integer ? "json::int_id " : "std::string ") + param;
        std::size_t decls = 0;
        for (auto it = std::sregex_iterator(header.begin(), header.end(), decl); it != std::sregex_iterator(); ++it) {
            ++decls;
            const std::string args = (*it)[1].str();
            BOOST_TEST(args.find(want) != std::string::npos, name << ": `" << args << "` has no `" << want << "`");
        }
        BOOST_TEST(decls >= 2u, name << ": " << decls << " declarations found");
        (integer ? integers : strings) += 1;
    }
    BOOST_TEST(integers == 1u);  // DELETE /conversations/{id} (Unstable only)
    BOOST_TEST(strings == 85u);
}

BOOST_AUTO_TEST_SUITE_END()
