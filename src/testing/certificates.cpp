#include <intercom/testing/certificates.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace intercom::testing {
namespace {

struct key_deleter { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct x509_deleter { void operator()(X509* x) const { X509_free(x); } };
struct bio_deleter { void operator()(BIO* b) const { BIO_free(b); } };
using key_ptr = std::unique_ptr<EVP_PKEY, key_deleter>;
using x509_ptr = std::unique_ptr<X509, x509_deleter>;
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("certificate generation failed: ") + what);
}

key_ptr make_key() {
    key_ptr k{EVP_EC_gen("P-256")};
    check(k != nullptr, "EVP_EC_gen");
    return k;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

x509_ptr make_cert(EVP_PKEY* subject_key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
                   std::chrono::seconds validity) {
    x509_ptr cert{X509_new()};
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    check(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(validity.count()));
    X509_set_pubkey(cert.get(), subject_key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    return cert;
}

std::string to_pem(X509* cert) {
    bio_ptr bio{BIO_new(BIO_s_mem())};
    check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
    bio_ptr bio{BIO_new(BIO_s_mem())};
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

} // namespace

tls_identity make_tls_identity(const identity_options& opts) {
    key_ptr ca_key = make_key();
    x509_ptr ca = make_cert(ca_key.get(), opts.ca_common_name, nullptr, nullptr, opts.validity);
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign(ca)");

    key_ptr leaf_key = make_key();
    std::string cn = opts.dns_names.empty() ? std::string("localhost") : opts.dns_names.front();
    x509_ptr leaf = make_cert(leaf_key.get(), cn, ca.get(), ca_key.get(), opts.validity);
    std::string san;
    for (const auto& d : opts.dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + d);
    for (const auto& ip : opts.ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
    add_extension(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    if (!san.empty()) add_extension(leaf.get(), ca.get(), NID_subject_alt_name, san);
    add_extension(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    check(X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign(leaf)");

    return {to_pem(ca.get()), to_pem(leaf.get()), to_pem(leaf_key.get())};
}

void use_identity(boost::asio::ssl::context& ctx, const tls_identity& id) {
    ctx.use_certificate_chain(boost::asio::buffer(id.server_cert_pem));
    ctx.use_private_key(boost::asio::buffer(id.server_key_pem), boost::asio::ssl::context::pem);
}

} // namespace intercom::testing
