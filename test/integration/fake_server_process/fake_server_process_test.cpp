// `intercom-fake-server` as a process: it prints its base URL, serves the seeded workspace, answers
// 401 without a token, and applies a `--faults` script.
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

/// The server binary as a child process; stopped with SIGTERM (and reaped) on destruction.
class server_process {
public:
    explicit server_process(std::vector<std::string> args) {
        int out[2];
        BOOST_TEST_REQUIRE(::pipe(out) == 0);
        pid_ = ::fork();
        BOOST_TEST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> argv{const_cast<char*>(INTERCOM_FAKE_SERVER_BINARY)};
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        stdout_ = ::fdopen(out[0], "r");
        // the first line is the base URL, e.g. http://127.0.0.1:40123
        char line[256] = {};
        if (stdout_ && std::fgets(line, sizeof line, stdout_)) base_url_ = line;
        while (!base_url_.empty() && (base_url_.back() == '\n' || base_url_.back() == '\r')) base_url_.pop_back();
    }

    ~server_process() { stop(); }

    /// SIGTERM, then the exit status (0 when the server shut down cleanly).
    int stop() {
        if (pid_ <= 0) return status_;
        ::kill(pid_, SIGTERM);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
        if (stdout_) std::fclose(stdout_);
        stdout_ = nullptr;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
    }

    const std::string& base_url() const { return base_url_; }
    std::uint16_t port() const {
        auto colon = base_url_.rfind(':');
        return colon == std::string::npos ? 0 : static_cast<std::uint16_t>(std::stoul(base_url_.substr(colon + 1)));
    }

private:
    pid_t pid_ = -1;
    std::FILE* stdout_ = nullptr;
    std::string base_url_;
    int status_ = -1;
};

} // namespace

BOOST_AUTO_TEST_SUITE(fake_server_process)

BOOST_AUTO_TEST_CASE(lists_contacts_refuses_no_token_and_applies_a_fault_script) {
    auto script = std::filesystem::temp_directory_path() / ("faults_" + std::to_string(::getpid()) + ".json");
    {
        std::ofstream f(script);
        f << R"([{"method":"GET","path":"/admins","nth":1,"fault":"status","status":503}])";
    }
    server_process server({"--port", "0", "--contacts", "3", "--faults", script.string()});
    BOOST_TEST_REQUIRE(server.base_url().rfind("http://127.0.0.1:", 0) == 0u, server.base_url());
    intercom::test::sync_client c(server.port());

    auto contacts = c.request("GET", "/contacts");
    BOOST_TEST_REQUIRE(!contacts.ec, contacts.ec.message());
    BOOST_TEST(contacts.status == 200u);
    BOOST_TEST(contacts.json().at("type") == "list");
    BOOST_TEST(contacts.json().at("data").as_array().size() == 3u);

    auto anonymous = c.request("GET", "/contacts", {}, {});
    BOOST_TEST(anonymous.status == 401u);

    auto faulted = c.request("GET", "/admins"); // the script's first matching request
    BOOST_TEST(faulted.status == 503u);
    auto after = c.request("GET", "/admins");   // the rule fired once (count defaults to 1)
    BOOST_TEST(after.status == 200u);

    BOOST_TEST(server.stop() == 0);
    std::filesystem::remove(script);
}

BOOST_AUTO_TEST_SUITE_END()
