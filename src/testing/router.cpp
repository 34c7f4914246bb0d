#include "router.hpp"

#include <charconv>

namespace intercom::testing::detail {

namespace {
// Path parameters arrive percent-encoded (external ids may hold any character).
std::string pct_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned v = 0;
        if (s[i] == '%' && i + 2 < s.size() &&
            std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ptr == s.data() + i + 3) {
            out += static_cast<char>(v);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}
} // namespace

void router::add(std::string method, std::string pattern, handler fn) {
    route r;
    r.method = std::move(method);
    r.pattern = std::move(pattern);
    r.fn = std::move(fn);
    std::string_view p = r.pattern;
    std::size_t pos = 1;
    while (pos <= p.size()) {
        auto next = p.find('/', pos);
        if (next == std::string_view::npos) next = p.size();
        r.segments.emplace_back(p.substr(pos, next - pos));
        if (r.segments.back().empty() || r.segments.back().front() != '{') ++r.literal_count;
        pos = next + 1;
    }
    routes_.push_back(std::move(r));
}

const route* router::match(call& c) const {
    std::vector<std::string_view> segs;
    std::string_view p = c.path;
    std::size_t pos = 1;
    while (pos <= p.size()) {
        auto next = p.find('/', pos);
        if (next == std::string_view::npos) next = p.size();
        segs.push_back(p.substr(pos, next - pos));
        pos = next + 1;
    }
    if (!segs.empty() && segs.back().empty() && segs.size() > 1) segs.pop_back(); // trailing slash
    const route* best = nullptr;
    for (const auto& r : routes_) {
        if (r.method != c.method || r.segments.size() != segs.size()) continue;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            const auto& s = r.segments[i];
            bool param = !s.empty() && s.front() == '{';
            ok = param ? !segs[i].empty() : s == segs[i];
        }
        if (ok && (!best || r.literal_count > best->literal_count)) best = &r;
    }
    if (best) {
        c.params.clear();
        for (std::size_t i = 0; i < segs.size(); ++i)
            if (!best->segments[i].empty() && best->segments[i].front() == '{')
                c.params.push_back(pct_decode(segs[i]));
    }
    return best;
}

} // namespace intercom::testing::detail
