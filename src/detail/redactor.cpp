#include "redactor.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace intercom::detail {

namespace {

// glibc's memmem (two-way search) scans a body in linear time without per-call setup; answers are
// scanned once each, so this is on every call's path.
// GCC 12 at -O2 mistakes a Beast header value (stored right after its `element` node) for a
// zero-sized object once this is inlined into scrub(response): a false -Wstringop-overread.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
std::size_t find_in(std::string_view text, std::string_view what, std::size_t from = 0) noexcept {
    // An empty view may have a null data pointer, which memmem must not be given.
    if (what.empty() || from >= text.size() || text.size() - from < what.size()) return std::string_view::npos;
    const void* p = ::memmem(text.data() + from, text.size() - from, what.data(), what.size());
    return p ? static_cast<std::size_t>(static_cast<const char*>(p) - text.data()) : std::string_view::npos;
}
#pragma GCC diagnostic pop

} // namespace

redactor::redactor(std::string_view secret) {
    if (secret.empty()) return;
    forms_.emplace_back(secret);
    std::string upper = boost::urls::encode(secret, boost::urls::unreserved_chars);
    std::string lower = upper;
    for (std::size_t i = 0; i < lower.size(); ++i)
        if (lower[i] == '%' && i + 2 < lower.size()) {
            lower[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[i + 1])));
            lower[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[i + 2])));
        }
    for (auto* f : {&upper, &lower})
        if (std::find(forms_.begin(), forms_.end(), *f) == forms_.end()) forms_.push_back(*f);
    std::sort(forms_.begin(), forms_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

bool redactor::contains_secret(std::string_view text) const noexcept {
    for (const auto& f : forms_)
        if (find_in(text, f) != std::string_view::npos) return true;
    return false;
}

bool redactor::scrub(std::string& text) const {
    bool changed = false;
    for (const auto& f : forms_) {
        for (auto p = find_in(text, f); p != std::string_view::npos; p = find_in(text, f, p + mask.size())) {
            text.replace(p, f.size(), mask);
            changed = true;
        }
    }
    return changed;
}

std::string redactor::scrubbed(std::string_view text) const {
    std::string out(text);
    scrub(out);
    return out;
}

void redactor::scrub(http::response& res) const {
    if (!active()) return;
    scrub(res.body);
    bool dirty = false;
    for (const auto& f : res.headers)
        if (contains_secret(f.value())) dirty = true;
    if (!dirty) return;
    // Rebuilt rather than edited in place: Beast's fields cannot change one value of a repeated name.
    http::beast_http::fields clean;
    for (const auto& f : res.headers) clean.insert(f.name_string(), scrubbed(f.value()));
    res.headers = std::move(clean);
}

void redactor::scrub(error_info& e) const {
    if (!active()) return;
    auto& d = e.diag;
    scrub(d.message);
    scrub(d.request_id);
    scrub(d.body_excerpt);
    scrub(d.target);
    for (auto& entry : d.errors) {
        scrub(entry.code);
        if (entry.message) scrub(*entry.message);
        if (entry.field) scrub(*entry.field);
    }
}

pipeline::event_hook redactor::wrap(pipeline::event_hook inner) const {
    if (!inner || !active()) return inner;
    return [self = *this, inner = std::move(inner)](const pipeline::event& e) {
        if (!self.contains_secret(e.target) && !self.contains_secret(e.reason) && !self.contains_secret(e.operation))
            return inner(e);
        std::string target = self.scrubbed(e.target), reason = self.scrubbed(e.reason),
                    operation = self.scrubbed(e.operation);
        pipeline::event clean = e;
        clean.target = target;
        clean.reason = reason;
        clean.operation = operation;
        inner(clean);
    };
}

pipeline::logger redactor::wrap(pipeline::logger inner) const {
    if (!inner.sink || !active()) return inner;
    inner.sink = [self = *this, sink = std::move(inner.sink)](pipeline::log_level l, std::string_view line) {
        if (!self.contains_secret(line)) return sink(l, line);
        sink(l, self.scrubbed(line));
    };
    return inner;
}

} // namespace intercom::detail
