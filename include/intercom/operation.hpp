// Static facts about each API operation that the pipeline needs (method, path, retry class).
#pragma once

// Boost 1.81's core string_view (used by beast's verb) needs std::ostream complete, and does not
// include <ostream> itself: include it first so this header compiles on its own.
#include <ostream>

#include <boost/beast/http/verb.hpp>

#include <string_view>

namespace intercom {

/// Whether an operation may be sent again after a failure that might have reached the server.
/// Derived per operation from Intercom's semantics (see README "Retries").
enum class retry_class : unsigned char {
    safe,        ///< GET: no side effects
    idempotent,  ///< PUT/DELETE: same end state when repeated
    read,        ///< POST that only reads (search, companies/list)
    upsert,      ///< POST keyed by a caller-chosen identifier
    attach,      ///< POST that attaches/sets state; repeating gives the same end state
    dedup,       ///< POST the server deduplicates (data events with created_at)
    once,        ///< POST whose repetition fails or differs (merge, convert, assignment rules)
    create,      ///< POST that creates or sends something each time
};

/// True when repeating the request after a 5xx or a transport failure cannot cause a second effect.
constexpr bool is_replay_safe(retry_class c) noexcept {
    return c != retry_class::once && c != retry_class::create;
}

/// One operation of the Intercom API.
struct operation_info {
    std::string_view name;           ///< snake_case method name, e.g. "contacts.retrieve"
    std::string_view operation_id;   ///< operationId in the OpenAPI description (may be empty)
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string_view path_template;  ///< e.g. "/contacts/{contact_id}"
    retry_class retry = retry_class::safe;
    bool unstable_only = false;      ///< only in the Unstable version: sends `Intercom-Version: Unstable`
};

} // namespace intercom
