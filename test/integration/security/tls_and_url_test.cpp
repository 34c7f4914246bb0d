// TLS verification is on unless spelled out, and plain http:// to a non-loopback host is refused
// before any connection unless explicitly allowed.
//
// Wrong host name and untrusted CA are tested against the transport directly in
// test/integration/transport/transport_test.cpp (`wrong_host_name_is_rejected`,
// `untrusted_certificate_is_rejected`, which also shows the only way to disable verification);
// not repeated here.
#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <type_traits>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace tst = intercom::testing;

namespace {

/// Records what would have been sent, without any network.
class spy_transport final : public http::transport {
public:
    explicit spy_transport(asio::any_io_executor ex) : ex_(std::move(ex)) {}
    asio::awaitable<result<http::response>> send(http::origin to, http::request req, http::send_options) override {
        ++sends;
        last_origin = to;
        last_target = req.target;
        http::response r;
        r.status = 200;
        r.body = "{}";
        co_return r;
    }
    asio::any_io_executor get_executor() override { return ex_; }

    int sends = 0;
    http::origin last_origin;
    std::string last_target;

private:
    asio::any_io_executor ex_;
};

result<api_response> get_me(asio::io_context& ioc, const client& c) {
    return test::run_coro(ioc, c.request(boost::beast::http::verb::get, "/me"), 20s);
}

} // namespace

// Turning verification off takes a named enumerator: there is no boolean to flip, nothing
// converts to it, and every default verifies.
static_assert(std::is_enum_v<http::peer_verification>);
static_assert(!std::is_convertible_v<bool, http::peer_verification>);
static_assert(!std::is_convertible_v<int, http::peer_verification>);
static_assert(!std::is_assignable_v<http::peer_verification&, bool>);
static_assert(!std::is_assignable_v<http::peer_verification&, int>);

BOOST_AUTO_TEST_SUITE(security_tls_and_url)

BOOST_AUTO_TEST_CASE(every_default_verifies_the_peer) {
    BOOST_TEST((http::tls_options{}.verification == http::peer_verification::enabled));
    BOOST_TEST((http::transport_options{}.tls.verification == http::peer_verification::enabled));
    BOOST_TEST((client_options{}.transport.tls.verification == http::peer_verification::enabled));
    BOOST_TEST(!http::transport_options{}.allow_plain_http_to_remote_hosts);
    BOOST_TEST(!client_options{}.transport.allow_plain_http_to_remote_hosts);
    for (auto r : {region::us, region::eu, region::au}) {
        client_options o;
        o.region = r;
        BOOST_TEST(o.effective_base_url().rfind("https://", 0) == 0u);
    }
}

BOOST_AUTO_TEST_CASE(default_client_rejects_a_certificate_it_does_not_trust) {
    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(), {.tls = true});
    server.start();

    // Default options: verification on, system trust store only; the fake server's CA is made at
    // run time, so nothing on the machine trusts it.
    client_options o;
    o.token = "t";
    o.base_url = server.base_url();
    o.pipeline.max_attempts = 1;
    client untrusting(ioc.get_executor(), o);
    auto r = get_me(ioc, untrusting);
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.error().code == errc::tls_verification_failed, r.error().what());
    BOOST_TEST((r.error().diag.stage == request_stage::not_sent));
    BOOST_TEST(server.count("", "*") == 0u);  // no HTTP request reached the server

    // Same defaults, plus trust in the server's CA: verification passes (so it really ran above).
    o.transport.tls.ca_pem = server.ca_pem();
    client trusting(ioc.get_executor(), o);
    auto ok = get_me(ioc, trusting);
    BOOST_TEST_REQUIRE(bool(ok), ok.error().what());
    BOOST_TEST(ok->status == 200u);

    // Without the system store and without a CA, nothing is trusted.
    client_options bare = o;
    bare.transport.tls.ca_pem.clear();
    bare.transport.tls.use_system_trust_store = false;
    client none(ioc.get_executor(), bare);
    auto no = get_me(ioc, none);
    BOOST_TEST_REQUIRE(!no);
    BOOST_TEST(no.error().code == errc::tls_verification_failed, no.error().what());
    server.stop();
}

BOOST_AUTO_TEST_CASE(plain_http_to_remote_hosts_is_refused_before_any_connection) {
    asio::io_context ioc;
    for (const char* url : {"http://api.intercom.io", "http://10.0.0.1:8080", "http://[2001:db8::1]/",
                            "http://localhost.example.com:80",
                            "http://0x7f000001/", "http://[::ffff:127.0.0.1]/"}) {
        BOOST_TEST_CONTEXT(url) {
            auto spy = std::make_shared<spy_transport>(ioc.get_executor());
            client_options o;
            o.token = "t";
            o.base_url = url;
            client c(spy, o);
            auto r = get_me(ioc, c);
            BOOST_TEST_REQUIRE(!r);
            BOOST_TEST(r.error().code == errc::insecure_url_refused);
            BOOST_TEST((r.error().diag.stage == request_stage::not_sent));
            BOOST_TEST(r.error().what().find("http") != std::string::npos, r.error().what());
            BOOST_TEST(spy->sends == 0);  // refused by the client: the transport never saw it

            // The library's own transport refuses it too (a custom client/pipeline cannot bypass it).
            http::https_transport t(ioc.get_executor(), http::transport_options{});
            auto o2 = http::origin::parse(url);
            BOOST_TEST_REQUIRE(bool(o2));
            auto tr = test::run_coro(ioc, t.send(*o2, http::request{}, http::send_options{}));
            BOOST_TEST_REQUIRE(!tr);
            BOOST_TEST(tr.error().code == errc::insecure_url_refused);
            BOOST_TEST(t.stats(*o2).created == 0u);
        }
    }
}

// Boost.URL 1.81 reads "127.0.0.1.example.com" as the address 127.0.0.1 plus a path ".example.com":
// such a URL must not pass for loopback (plain http allowed) nor send anything to 127.0.0.1.
BOOST_AUTO_TEST_CASE(host_names_starting_with_an_address_are_not_taken_for_that_address) {
    asio::io_context ioc;
    for (const char* url : {"http://127.0.0.1.example.com", "https://127.0.0.1.example.com", "http://10.1.2.3.nip.io:80/",
                            "http://1.2.3.4.5:80/x"}) {
        BOOST_TEST_CONTEXT(url) {
            auto o = http::origin::parse(url);
            BOOST_TEST_REQUIRE(!o);
            BOOST_TEST(o.error().code == errc::invalid_url);
            auto spy = std::make_shared<spy_transport>(ioc.get_executor());
            client_options co;
            co.token = "t";
            co.base_url = url;
            client c(spy, co);
            auto r = get_me(ioc, c);
            BOOST_TEST_REQUIRE(!r);
            BOOST_TEST(r.error().code == errc::invalid_url);
            BOOST_TEST(spy->sends == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(plain_http_is_allowed_to_loopback_and_when_explicitly_permitted) {
    asio::io_context ioc;
    for (const char* url : {"http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "http://127.8.9.10"}) {
        BOOST_TEST_CONTEXT(url) {
            auto spy = std::make_shared<spy_transport>(ioc.get_executor());
            client_options o;
            o.token = "t";
            o.base_url = url;
            client c(spy, o);
            auto r = get_me(ioc, c);
            BOOST_TEST(bool(r));
            BOOST_TEST(spy->sends == 1);
        }
    }
    auto spy = std::make_shared<spy_transport>(ioc.get_executor());
    client_options o;
    o.token = "t";
    o.base_url = "http://proxy.internal:8080/intercom";
    o.transport.allow_plain_http_to_remote_hosts = true;
    client c(spy, o);
    auto r = get_me(ioc, c);
    BOOST_TEST(bool(r));
    BOOST_TEST(spy->sends == 1);
    BOOST_TEST(spy->last_origin.host == "proxy.internal");
    BOOST_TEST(spy->last_target == "/intercom/me");
}

BOOST_AUTO_TEST_SUITE_END()
