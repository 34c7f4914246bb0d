#include "redis_server.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace intercom::test {

namespace {

std::string find_binary() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("REDIS_SERVER"); env && *env) return env;
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream ss(path);
        for (std::string d; std::getline(ss, d, ':');)
            dirs.push_back(d);
    }
    dirs.push_back("/usr/bin");
    dirs.push_back("/usr/sbin");
    for (auto& d : dirs) {
        auto p = fs::path(d) / "redis-server";
        if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
    throw std::runtime_error("redis-server not found (install the Debian package redis-server, e.g. "
                             "tools/install-deps.sh, or set REDIS_SERVER=/path/to/redis-server)");
}

unsigned short free_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

std::string render(const redisReply* r) {
    switch (r->type) {
    case REDIS_REPLY_INTEGER:
        return std::to_string(r->integer);
    case REDIS_REPLY_ERROR:
        return "ERR:" + std::string(r->str, r->len);
    case REDIS_REPLY_ARRAY: {
        std::string out;
        for (std::size_t i = 0; i < r->elements; ++i) {
            if (i) out += ',';
            out += render(r->element[i]);
        }
        return out;
    }
    case REDIS_REPLY_NIL:
        return "(nil)";
    default:
        return std::string(r->str, r->len);
    }
}

} // namespace

redis_server::redis_server() : binary_(find_binary()) {
    char tmpl[] = "/tmp/intercom-redis-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("redis_server: mkdtemp failed");
    dir_ = tmpl;
    port_ = free_port();
    start();
}

redis_server::~redis_server() {
    if (pid_ > 0) {
        resume();
        kill();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void redis_server::start() {
    if (pid_ > 0) return;
    std::vector<std::string> args{binary_,
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--dir",
                                  dir_,
                                  "--logfile",
                                  dir_ + "/redis.log",
                                  "--daemonize",
                                  "no",
                                  "--protected-mode",
                                  "no"};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (::posix_spawn(&pid, binary_.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("redis_server: cannot start " + binary_);
    pid_ = pid;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        if (command({"PING"}) == std::optional<std::string>("PONG")) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    throw std::runtime_error("redis_server: no PONG from " + binary_ + " on port " + std::to_string(port_) +
                             " within 5 s (see " + dir_ + "/redis.log)");
}

void redis_server::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void redis_server::pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void redis_server::resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::optional<std::string> redis_server::command(const std::vector<std::string>& args) const {
    timeval tv{0, 200000};
    std::unique_ptr<redisContext, void (*)(redisContext*)> c(redisConnectWithTimeout("127.0.0.1", port_, tv),
                                                             redisFree);
    if (!c || c->err) return std::nullopt;
    redisSetTimeout(c.get(), tv);
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (!r) return std::nullopt;
    auto out =
        r->type == REDIS_REPLY_NIL ? std::optional<std::string>() : std::optional<std::string>(render(r));
    freeReplyObject(r);
    return out;
}

} // namespace intercom::test
