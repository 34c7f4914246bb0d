#include <intercom/http/origin.hpp>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace intercom::http {

bool origin::is_loopback() const noexcept {
    if (host == "localhost" || host == "::1") return true;
    return host.rfind("127.", 0) == 0 &&
           std::all_of(host.begin(), host.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

std::string origin::to_string() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    bool default_port = (is_tls() && port == 443) || (!is_tls() && port == 80);
    return scheme + "://" + h + (default_port ? "" : ":" + std::to_string(port));
}

result<origin> origin::parse(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        error_info e{errc::invalid_url};
        e.diag.message = "cannot parse base URL '" + std::string(url) + "'";
        return e;
    }
    // Boost.URL 1.81 reads a host name that starts with an IPv4 address ("127.0.0.1.example.com") as
    // that address, and the rest as a path, which after an authority must start with '/'. Refuse it
    // rather than connect to a host the URL does not name.
    if (auto path = parsed->encoded_path(); !path.empty() && path.front() != '/') {
        error_info e{errc::invalid_url};
        e.diag.message = "cannot parse the host of base URL '" + std::string(url) + "'";
        return e;
    }
    origin o;
    o.scheme = std::string(parsed->scheme());
    std::transform(o.scheme.begin(), o.scheme.end(), o.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (o.scheme != "https" && o.scheme != "http") {
        error_info e{errc::invalid_url};
        e.diag.message = "unsupported scheme '" + o.scheme + "' (use https or http)";
        return e;
    }
    if (parsed->has_userinfo()) {
        error_info e{errc::invalid_url};
        e.diag.message = "credentials in the base URL are not supported; set client_options::token";
        return e;
    }
    o.host = std::string(parsed->encoded_host_address());
    if (o.host.size() >= 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
    if (o.host.empty()) {
        error_info e{errc::invalid_url};
        e.diag.message = "base URL has no host";
        return e;
    }
    o.port = o.is_tls() ? 443 : 80;
    if (parsed->has_port()) {
        auto p = parsed->port();
        unsigned long n = 0;
        for (char ch : p) n = n * 10 + static_cast<unsigned long>(ch - '0');  // the grammar admits digits only
        if (p.empty() || p.size() > 5 || n == 0 || n > 65535) {
            error_info e{errc::invalid_url};
            e.diag.message = "invalid port '" + std::string(p) + "'";
            return e;
        }
        o.port = static_cast<std::uint16_t>(n);
    }
    return o;
}

} // namespace intercom::http
