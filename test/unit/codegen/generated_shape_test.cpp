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

BOOST_AUTO_TEST_SUITE_END()
