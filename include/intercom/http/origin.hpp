// The scheme, host and port a connection pool is keyed on.
#pragma once

#include <intercom/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace intercom::http {

/// `https://api.intercom.io:443` split into parts. Pools are per origin; tokens never are.
struct origin {
    std::string scheme = "https";  ///< "https" or "http"
    std::string host;              ///< host name or IP literal, without brackets
    std::uint16_t port = 443;

    bool is_tls() const noexcept { return scheme == "https"; }

    /// True for 127.0.0.0/8, ::1 and "localhost".
    bool is_loopback() const noexcept;

    /// "https://host:port" (port omitted when it is the scheme's default).
    std::string to_string() const;

    /// Parses an absolute http(s) URL; any path, query or fragment is ignored.
    /// Fails with `errc::invalid_url` for other schemes, missing hosts or bad ports.
    static result<origin> parse(std::string_view url);

    friend bool operator==(const origin&, const origin&) = default;
    friend auto operator<=>(const origin&, const origin&) = default;
};

} // namespace intercom::http
