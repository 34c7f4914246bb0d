// A throw-away redis-server for tests: 127.0.0.1, ephemeral port, no persistence, temp dir.
// Killed (and its directory removed) by the destructor, also when a test fails.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace intercom::test {

class redis_server {
public:
    /// Finds `redis-server` ($REDIS_SERVER, then PATH, /usr/bin, /usr/sbin), picks a free port and
    /// starts it. Throws std::runtime_error with a clear message when the binary is missing or the
    /// server does not answer PING within 5 s.
    redis_server();
    ~redis_server();
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    void start();  ///< (re)starts on the same port; empty data set
    void kill();   ///< SIGKILL, waits for the process
    void pause();  ///< SIGSTOP: connections stay open, nothing is answered
    void resume(); ///< SIGCONT
    bool running() const { return pid_ > 0; }
    unsigned short port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

    /// Runs a command on a fresh synchronous hiredis connection. The reply as text: strings and
    /// status as is, integers in decimal, nil as nullopt, errors as "ERR:<message>", arrays
    /// joined with ','. nullopt also when the server cannot be reached.
    std::optional<std::string> command(const std::vector<std::string>& args) const;

private:
    std::string binary_;
    std::string dir_;
    unsigned short port_ = 0;
    pid_t pid_ = -1;
};

} // namespace intercom::test
