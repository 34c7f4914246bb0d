// Routing of requests to handlers by method and path pattern (private header).
#pragma once

#include "store.hpp"

#include <functional>
#include <string>
#include <vector>

namespace intercom::testing::detail {

/// Routing table entry: `pattern` segments with `{x}` match one path segment.
using handler = std::function<reply(call&, store&)>;
struct route {
    std::string method;
    std::string pattern;
    handler fn;
    std::vector<std::string> segments;
    int literal_count = 0;
};

class router {
public:
    void add(std::string method, std::string pattern, handler fn);
    /// Finds the most specific route; fills `c.params`. nullptr if none.
    const route* match(call& c) const;
    std::size_t size() const { return routes_.size(); }

private:
    std::vector<route> routes_;
};

// Registration of handler groups (one file each).
void register_contacts(router& r);
void register_companies(router& r);
void register_conversations(router& r);
void register_tickets(router& r);
void register_misc(router& r);    // admins, teams, tags, notes, events, export
void register_generic(router& r); // table-driven long tail

} // namespace intercom::testing::detail
