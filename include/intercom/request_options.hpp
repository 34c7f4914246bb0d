// Per-call overrides, merged over the client's options for one call (and every page of a listing).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace intercom {

/// Options for one call. Unset fields fall back to `client_options`.
struct request_options {
    std::optional<std::string> version;                    ///< Intercom-Version for this call
    std::optional<std::chrono::milliseconds> timeout;      ///< overall deadline across attempts
    std::optional<std::chrono::milliseconds> attempt_timeout; ///< budget of each attempt
    std::optional<unsigned> max_attempts;                  ///< 1 disables retries for this call
    /// Overrides the idempotency policy for this call, e.g. `true` for a `POST /events` that
    /// carries `created_at` (the server deduplicates it), `false` to forbid replays.
    std::optional<bool> replay_safe;
    std::vector<std::pair<std::string, std::string>> headers; ///< extra headers (override defaults)
};

} // namespace intercom
