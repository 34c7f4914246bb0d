// What the fake server saw: one entry per request, for assertions in tests.
#pragma once

#include <intercom/testing/fault.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace intercom::testing {

struct recorded_request {
    std::uint64_t sequence = 0;   ///< 1-based order of arrival
    std::uint64_t connection = 0; ///< 1-based id of the connection that carried it
    std::string method;
    std::string target; ///< path and query as sent
    std::string path;   ///< target without the query
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::system_clock::time_point received;
    fault_kind fault = fault_kind::none; ///< the fault applied (`none` if no rule matched)
    int fault_rule = -1;                 ///< index of the rule that matched, -1 if none
    unsigned status = 0;                 ///< status answered (0 if the connection was reset before headers)

    /// Value of the first header named `name` (case-insensitive), empty if absent.
    std::string header(std::string_view name) const;
};

} // namespace intercom::testing
