// The one place where a client's token is scrubbed from everything that could show it to a person:
// server answers (body and header values, before anything parses them), error texts and diagnostics,
// event fields and log lines. A server may echo the token anywhere (an error message, a cursor, a
// request id); once scrubbed at the boundary, nothing derived from the answer can carry it.
#pragma once

#include <intercom/http/message.hpp>
#include <intercom/pipeline/events.hpp>
#include <intercom/result.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace intercom::detail {

class redactor {
public:
    /// What replaces each occurrence.
    static constexpr std::string_view mask = "[redacted]";

    redactor() = default;
    /// Scrubs `secret` as sent and in its percent-encoded forms (a server may echo it inside a URL).
    explicit redactor(std::string_view secret);

    bool active() const noexcept { return !forms_.empty(); }
    bool contains_secret(std::string_view text) const noexcept;

    /// Replaces every form of the secret in `text`; returns whether anything was replaced.
    bool scrub(std::string& text) const;
    std::string scrubbed(std::string_view text) const;
    void scrub(http::response& res) const;
    void scrub(error_info& e) const;

    /// Wraps a hook so that every string it is shown has been scrubbed (no copy when clean).
    pipeline::event_hook wrap(pipeline::event_hook inner) const;
    pipeline::logger wrap(pipeline::logger inner) const;

private:
    std::vector<std::string> forms_;  // longest first, so a longer form is replaced whole
};

} // namespace intercom::detail
