#include <intercom/http/request_rules.hpp>

#include <array>

namespace intercom::http {

namespace {

constexpr std::array<bool, 256> make_tchar_table() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto tchar = make_tchar_table();

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

// Characters that end or corrupt a request line, and malformed escapes.
std::optional<std::string> check_chars(std::string_view s, std::string_view what, bool allow_question_mark) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (is_control(c)) return std::string(what) + " contains a control character (CR, LF, NUL, ...)";
        if (c == ' ') return std::string(what) + " contains a space";
        if (c == '#') return std::string(what) + " contains '#'";
        if (c == '?' && !allow_question_mark) return std::string(what) + " contains '?'";
        if (c == '%') {
            if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return std::string(what) + " has a malformed percent-escape";
        }
    }
    return std::nullopt;
}

// The segment after percent-decoding is "." or "..".
bool is_dot_segment(std::string_view seg) noexcept {
    std::size_t dots = 0;
    for (std::size_t i = 0; i < seg.size();) {
        if (seg[i] == '.') {
            ++i;
        } else if (seg[i] == '%' && i + 2 < seg.size() && is_hex(seg[i + 1]) && is_hex(seg[i + 2]) &&
                   hex_value(seg[i + 1]) * 16 + hex_value(seg[i + 2]) == '.') {
            i += 3;
        } else {
            return false;
        }
        if (++dots > 2) return false;
    }
    return dots == 1 || dots == 2;
}

} // namespace

bool is_valid_header_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (char c : name)
        if (!tchar[static_cast<unsigned char>(c)]) return false;
    return true;
}

bool is_valid_header_value(std::string_view value) noexcept {
    for (char ch : value) {
        auto c = static_cast<unsigned char>(ch);
        if (is_control(c) && c != '\t') return false;
    }
    return true;
}

std::optional<std::string> check_path(std::string_view path) {
    if (path.empty() || path.front() != '/') return std::string("the path must start with '/'");
    if (auto bad = check_chars(path, "the path", false)) return bad;
    if (path == "/") return std::nullopt;
    std::size_t from = 1;
    for (;;) {
        auto slash = path.find('/', from);
        auto seg = path.substr(from, slash == std::string_view::npos ? std::string_view::npos : slash - from);
        if (seg.empty()) return std::string("the path has an empty segment (an empty id?)");
        if (is_dot_segment(seg)) return std::string("the path has a '.' or '..' segment");
        if (slash == std::string_view::npos) break;
        from = slash + 1;
    }
    return std::nullopt;
}

std::optional<std::string> check_target(std::string_view target) {
    auto q = target.find('?');
    if (auto bad = check_path(target.substr(0, q))) return bad;
    if (q != std::string_view::npos) return check_chars(target.substr(q + 1), "the query", true);
    return std::nullopt;
}

std::optional<std::string> check_request(const request& req) {
    if (req.method == beast_http::verb::unknown) return std::string("the HTTP method is unknown");
    if (auto bad = check_target(req.target)) return bad;
    for (const auto& f : req.headers) {
        std::string_view name = f.name_string();
        if (!is_valid_header_name(name)) return std::string("a header name is not a valid HTTP token");
        if (!is_valid_header_value(f.value()))
            return "the value of header '" + std::string(name) + "' contains a control character (CR, LF, NUL, ...)";
    }
    return std::nullopt;
}

} // namespace intercom::http
