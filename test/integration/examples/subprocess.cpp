#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

extern char** environ;

namespace intercom::test {

namespace {

[[noreturn]] void fail(const char* what, int err) {
    throw std::system_error(err, std::generic_category(), what);
}

// The parent's environment with `changes` applied (later entries win).
std::vector<std::string> child_environment(const std::vector<env_var>& changes) {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string entry = *e;
        std::string name = entry.substr(0, entry.find('='));
        bool replaced =
            std::any_of(changes.begin(), changes.end(), [&](const env_var& c) { return c.name == name; });
        if (!replaced) out.push_back(std::move(entry));
    }
    for (const auto& c : changes)
        if (!c.unset) out.push_back(c.name + "=" + c.value);
    return out;
}

} // namespace

process_result run_process(const std::string& path, const std::vector<std::string>& args,
                           const std::vector<env_var>& env, std::chrono::milliseconds limit) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2", errno);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1); // dup2 clears O_CLOEXEC on 1 and 2
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);

    std::vector<std::string> argv_s{path};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    auto env_s = child_environment(env);
    std::vector<char*> envp;
    for (auto& e : env_s)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, path.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        fail(("posix_spawn " + path).c_str(), rc);
    }

    process_result res;
    auto deadline = start + limit;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            res.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        ssize_t got = ::read(fds[0], buf, sizeof buf);
        if (got > 0)
            res.output.append(buf, static_cast<std::size_t>(got));
        else if (got == 0 || errno != EINTR)
            break; // EOF: the child (and its children) closed the pipe
    }
    ::close(fds[0]);

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    res.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (WIFEXITED(status))
        res.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        res.signal = WTERMSIG(status);
    return res;
}

} // namespace intercom::test
