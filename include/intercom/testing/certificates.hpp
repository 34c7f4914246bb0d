// Throw-away certificate authorities for tests, demos and the fake server (made at run time).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace intercom::testing {

/// A freshly generated CA and a server certificate signed by it (ECDSA P-256, SHA-256).
struct tls_identity {
    std::string ca_cert_pem;     ///< trust this on the client side
    std::string server_cert_pem; ///< leaf certificate for the names given
    std::string server_key_pem;  ///< private key of the leaf (PKCS#8 PEM)
};

/// Which names the server certificate is valid for.
struct identity_options {
    std::vector<std::string> dns_names{"localhost"};
    std::vector<std::string> ip_addresses{"127.0.0.1"};
    std::chrono::seconds validity{std::chrono::hours(24)};
    std::string ca_common_name = "intercom-cpp test CA";
};

/// Generates a new CA and server certificate in memory. Throws `std::runtime_error` if OpenSSL fails.
tls_identity make_tls_identity(const identity_options& opts = {});

/// Loads the leaf certificate and key of `id` into a server-side context.
void use_identity(boost::asio::ssl::context& server_ctx, const tls_identity& id);

} // namespace intercom::testing
