// Loads fixtures extracted from ../shared/openapi at test time (tools/codegen/extract_fixtures.py).
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace intercom::test {

inline std::string shared_dir() {
    const char* d = std::getenv("INTERCOM_SHARED_DIR");
    return d ? d : INTERCOM_SOURCE_DIR "/../shared";
}

inline bool spec_available() {
    return std::filesystem::exists(shared_dir() + "/openapi/intercom-2.11.yaml") &&
           std::filesystem::exists(shared_dir() + "/openapi/intercom-unstable.yaml");
}

/// Boost.Test precondition: skips the test with a message when the OpenAPI files are absent.
struct spec_precondition {
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
        boost::test_tools::assertion_result r(spec_available());
        if (!r) r.message() << "SKIPPED: OpenAPI descriptions not found under " << shared_dir() << "/openapi";
        return r;
    }
};

/// Runs the extractor once per process and returns its JSON output.
inline const boost::json::value& spec_fixtures() {
    static const boost::json::value fixtures = [] {
        auto out = std::filesystem::temp_directory_path() /
                   ("intercom_fixtures_" + std::to_string(::getpid()) + ".json");
        std::string cmd = "python3 \"" INTERCOM_SOURCE_DIR "/tools/codegen/extract_fixtures.py\" --spec-dir \"" +
                          shared_dir() + "/openapi\" --out \"" + out.string() + "\" > /dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("extract_fixtures.py failed: " + cmd);
        std::ifstream f(out);
        std::stringstream ss;
        ss << f.rdbuf();
        std::filesystem::remove(out);
        return boost::json::parse(ss.str());
    }();
    return fixtures;
}

} // namespace intercom::test
