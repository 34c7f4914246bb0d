// Runs a program as a child process with a given environment and collects its output (tests only).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace intercom::test {

struct process_result {
    int exit_code = -1;     ///< exit status, or -1 when killed by a signal
    int signal = 0;         ///< the terminating signal, if any
    bool timed_out = false; ///< killed because it ran longer than the limit
    std::string output;     ///< stdout and stderr, interleaved as written
    std::chrono::milliseconds elapsed{};
};

/// Environment changes for the child: `{name, value}` sets, `{name, ""}` with `unset` removes.
struct env_var {
    std::string name;
    std::string value;
    bool unset = false;
};

/// Starts `path` with `args` (argv[1...]) and the parent's environment changed by `env`, with stdin
/// from /dev/null, and waits for it at most `limit` (then kills it with SIGKILL).
/// Throws std::system_error when the process cannot be started.
process_result run_process(const std::string& path, const std::vector<std::string>& args,
                           const std::vector<env_var>& env, std::chrono::milliseconds limit);

} // namespace intercom::test
