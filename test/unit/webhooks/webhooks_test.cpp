// intercom::webhooks and intercom::identity against vectors computed at test time by python3's
// hmac/hashlib/base64 and by `openssl dgst`, never by the library itself.
#include <intercom/identity/messenger_jwt.hpp>
#include <intercom/identity/user_hash.hpp>
#include <intercom/webhooks/notification.hpp>
#include <intercom/webhooks/signature.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;
namespace wh = intercom::webhooks;
using intercom::errc;

namespace {

// A temporary directory holding the inputs of the external tools (files, so any byte goes through
// without shell quoting).
struct scratch {
    fs::path dir;
    scratch() {
        std::string tmpl = (fs::temp_directory_path() / "intercom-webhooks-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir = tmpl;
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string write(const std::string& name, std::string_view content) const {
        auto p = dir / name;
        std::ofstream(p, std::ios::binary)
            .write(content.data(), static_cast<std::streamsize>(content.size()));
        return p.string();
    }
};

// Runs `command` through the shell and returns its stdout without the trailing newline.
std::string shell(const std::string& command) {
    FILE* f = ::popen(command.c_str(), "r");
    BOOST_TEST_REQUIRE(f != nullptr, "cannot run " << command);
    std::string out;
    std::array<char, 4096> buf{};
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;)
        out.append(buf.data(), n);
    int status = ::pclose(f);
    BOOST_TEST_REQUIRE(status == 0, command << " failed: " << out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    return out;
}

// Runs a python3 program with the scratch directory as argv[1].
std::string python(const scratch& s, const std::string& program) {
    auto script = s.write("script.py", program);
    return shell("python3 " + script + " " + s.dir.string());
}

// Python's HMAC of body.bin keyed with secret.bin, as hex.
std::string python_hmac_hex(std::string_view body, std::string_view secret, std::string_view hash = "sha1") {
    scratch s;
    s.write("body.bin", body);
    s.write("secret.bin", secret);
    return python(s, "import hmac, hashlib, sys, pathlib\n"
                     "d = pathlib.Path(sys.argv[1])\n"
                     "print(hmac.new((d/'secret.bin').read_bytes(), (d/'body.bin').read_bytes(), hashlib." +
                         std::string(hash) + ").hexdigest())\n");
}

const std::string secret = "a1b2c3d4e5-client-secret";

const std::string contact_body =
    R"({"type":"notification_event","app_id":"abc123","data":{"type":"notification_event_data",
"item":{"type":"contact","id":"6529d1c4a8f7b5e3","role":"user","email":"ada@example.com","name":"Ada",
"created_at":1700000000,"custom_attributes":{"plan":"pro"},"brand_new_field":42}},
"links":{},"id":"notif_7b1c","topic":"contact.user.created","delivery_status":"pending","delivery_attempts":1,
"delivered_at":0,"first_sent_at":1700000005,"created_at":1700000004,"self":null})";

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_signature)

BOOST_AUTO_TEST_CASE(valid_signature_from_python) {
    auto expected = "sha1=" + python_hmac_hex(contact_body, secret);
    BOOST_TEST(expected.size() == 45u);
    auto r = wh::verify_signature(contact_body, expected, secret);
    BOOST_TEST(r.has_value(), (r ? "" : r.error().what()));
    BOOST_TEST(wh::sign(contact_body, secret) == expected);
}

BOOST_AUTO_TEST_CASE(valid_signature_from_openssl_dgst) {
    scratch s;
    auto body = s.write("body.json", contact_body);
    // "HMAC-SHA1(<file>)= <hex>" (or "SHA1(...)=" in some versions): the hex is the last word.
    auto line = shell("openssl dgst -sha1 -hmac '" + secret + "' " + body);
    auto hex = line.substr(line.rfind(' ') + 1);
    BOOST_TEST(hex.size() == 40u, line);
    BOOST_TEST(wh::verify_signature(contact_body, "sha1=" + hex, secret).has_value());
}

BOOST_AUTO_TEST_CASE(tampered_body_is_a_mismatch) {
    auto sig = "sha1=" + python_hmac_hex(contact_body, secret);
    std::string tampered = contact_body;
    tampered.replace(tampered.find("ada@example.com"), 3, "eve");
    auto r = wh::verify_signature(tampered, sig, secret);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::signature_mismatch);
    // One byte more (a trailing newline added by a proxy) is a different body too.
    BOOST_TEST(wh::verify_signature(contact_body + "\n", sig, secret).error().code ==
               errc::signature_mismatch);
}

BOOST_AUTO_TEST_CASE(wrong_secret_is_a_mismatch) {
    auto sig = "sha1=" + python_hmac_hex(contact_body, "another-app-secret");
    auto r = wh::verify_signature(contact_body, sig, secret);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::signature_mismatch);
}

BOOST_AUTO_TEST_CASE(other_prefixes_are_malformed) {
    auto hex1 = python_hmac_hex(contact_body, secret);
    auto hex256 = python_hmac_hex(contact_body, secret, "sha256");
    // A correct SHA-256 signature is still refused: Intercom signs with SHA-1 only, and accepting
    // another algorithm would let a caller choose the weakest one.
    for (const std::string& sig :
         {"sha256=" + hex256, "sha256=" + hex1, "SHA1=" + hex1, " sha1=" + hex1, hex1, "sha1:" + hex1}) {
        auto r = wh::verify_signature(contact_body, sig, secret);
        BOOST_TEST_REQUIRE(!r.has_value(), sig);
        BOOST_TEST(r.error().code == errc::signature_malformed, sig);
    }
}

BOOST_AUTO_TEST_CASE(missing_or_broken_hex_is_malformed) {
    auto hex = python_hmac_hex(contact_body, secret);
    std::string bad_digit = hex;
    bad_digit[7] = 'g';
    for (const std::string& sig : {std::string(), std::string("sha1="), "sha1=" + hex.substr(0, 39),
                                   "sha1=" + hex + "0", "sha1=" + hex + "00", "sha1=" + bad_digit}) {
        auto r = wh::verify_signature(contact_body, sig, secret);
        BOOST_TEST_REQUIRE(!r.has_value(), sig);
        BOOST_TEST(r.error().code == errc::signature_malformed, sig);
    }
}

BOOST_AUTO_TEST_CASE(uppercase_hex_is_accepted) {
    // Documented choice: the digits are case-insensitive (the prefix is not).
    auto hex = python_hmac_hex(contact_body, secret);
    std::string upper;
    for (char c : hex)
        upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    BOOST_TEST_REQUIRE(upper != hex); // a SHA-1 in hex has letters with overwhelming probability
    BOOST_TEST(wh::verify_signature(contact_body, "sha1=" + upper, secret).has_value());
}

BOOST_AUTO_TEST_CASE(empty_body) {
    auto sig = "sha1=" + python_hmac_hex("", secret);
    BOOST_TEST(wh::verify_signature("", sig, secret).has_value());
    BOOST_TEST(wh::sign("", secret) == sig);
    // A signature of some body does not cover an empty one (a proxy that drops the body).
    auto r = wh::verify_signature("", "sha1=" + python_hmac_hex(contact_body, secret), secret);
    BOOST_TEST(r.error().code == errc::signature_mismatch);
}

BOOST_AUTO_TEST_CASE(binary_body_and_empty_secret) {
    std::string body("\x00\xff\x01{\"topic\"", 10);
    BOOST_TEST(wh::verify_signature(body, "sha1=" + python_hmac_hex(body, secret), secret).has_value());
    auto r = wh::verify_signature(body, wh::sign(body, ""), "");
    BOOST_TEST(r.error().code == errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook_notification)

BOOST_AUTO_TEST_CASE(contact_notification) {
    auto sig = "sha1=" + python_hmac_hex(contact_body, secret);
    auto n = wh::verify_and_parse(contact_body, sig, secret);
    BOOST_TEST_REQUIRE(n.has_value(), (n ? "" : n.error().what()));
    BOOST_TEST(n->id == "notif_7b1c");
    BOOST_TEST(n->topic == "contact.user.created");
    BOOST_TEST(n->app_id == "abc123");
    BOOST_TEST(n->created_at == 1700000004);
    BOOST_TEST(n->delivery_attempts == 1u);
    BOOST_TEST_REQUIRE(n->first_sent_at.has_value());
    BOOST_TEST(*n->first_sent_at == 1700000005);
    BOOST_TEST(n->item_type() == "contact");
    const auto* c = n->item_as<intercom::models::contact>();
    BOOST_TEST_REQUIRE(c != nullptr);
    BOOST_TEST(c->id.has_value());
    BOOST_TEST(c->email.value_or("") == "ada@example.com");
    BOOST_TEST(c->role.value_or("") == "user");
    BOOST_TEST(c->created_at.value_or(0) == 1700000000);
    // Unknown item keys are kept, as everywhere in the models.
    BOOST_TEST(c->extra.contains("brand_new_field"));
    BOOST_TEST(n->raw.at("delivery_status") == "pending");
}

BOOST_AUTO_TEST_CASE(verify_and_parse_checks_the_signature_first) {
    auto n = wh::verify_and_parse(contact_body, wh::sign(contact_body, "wrong"), secret);
    BOOST_TEST_REQUIRE(!n.has_value());
    BOOST_TEST(n.error().code == errc::signature_mismatch);
}

BOOST_AUTO_TEST_CASE(typed_items_by_type) {
    struct row {
        std::string topic, item;
        std::size_t index;
    };
    const std::vector<row> rows{
        {"conversation.admin.replied", R"({"type":"conversation","id":"147","state":"open"})", 2},
        {"company.created", R"({"type":"company","id":"c1","name":"Acme"})", 3},
        {"ticket.created", R"({"type":"ticket","id":"t9"})", 4},
        {"admin.away_mode_updated", R"({"type":"admin","id":"99","away_mode_enabled":true})", 5},
        {"visitor.signed_up", R"({"type":"visitor","id":"v1"})", 6},
        {"ping", R"({"type":"ping","message":"something something interzen"})", 0},
        {"contact.tag.created",
         R"({"type":"contact_tag","tag":{"type":"tag","id":"1"},"contact":{"type":"contact"}})", 0},
        {"some.future.topic", R"({"type":"hologram","id":"h"})", 0},
        {"some.other.topic", R"([1,2,3])", 0},
        {"no.type", R"({"id":"x"})", 0},
    };
    for (const auto& r : rows) {
        std::string body = R"({"type":"notification_event","topic":")" + r.topic +
                           R"(","data":{"type":"notification_event_data","item":)" + r.item + "}}";
        auto n = wh::parse_notification(body);
        BOOST_TEST_REQUIRE(n.has_value(), r.topic);
        BOOST_TEST(n->item.index() == r.index, r.topic);
        if (r.index == 0) BOOST_TEST(std::get<json::value>(n->item) == json::parse(r.item), r.topic);
        BOOST_TEST(n->delivery_attempts == 0u);
        BOOST_TEST(!n->first_sent_at.has_value());
    }
    auto conv = wh::parse_notification(
        R"({"topic":"conversation.admin.replied","data":{"item":{"type":"conversation","id":"147"}}})");
    BOOST_TEST_REQUIRE(conv.has_value());
    const auto* c = conv->item_as<intercom::models::conversation>();
    BOOST_TEST_REQUIRE(c != nullptr);
    BOOST_TEST(c->id.has_value());
}

BOOST_AUTO_TEST_CASE(bad_json_is_a_decode_error) {
    const std::vector<std::string> bodies{
        "",
        "not json",
        "[]",
        "\"notification\"",
        "{}",
        R"({"topic":42,"data":{"item":{}}})",
        R"({"topic":"contact.user.created"})",
        R"({"topic":"contact.user.created","data":[]})",
        R"({"topic":"contact.user.created","data":{"type":"notification_event_data"}})",
        R"({"topic":"x","data":{"item":{}},"created_at":"yesterday"})",
        R"({"topic":"x","data":{"item":{}},"delivery_attempts":-1})",
        R"({"topic":"x","data":{"item":{}},"delivery_attempts":1.5})",
        R"({"topic":"x","data":{"item":{}},"first_sent_at":{}})",
        R"({"topic":"x","data":{"item":{}},"id":7})",
        R"({"topic":"x","data":{"item":{}}} trailing)",
    };
    for (const auto& b : bodies) {
        auto n = wh::parse_notification(b);
        BOOST_TEST_REQUIRE(!n.has_value(), b);
        BOOST_TEST(n.error().code == errc::decode_error, b);
        BOOST_TEST(!n.error().diag.message.empty(), b);
    }
}

BOOST_AUTO_TEST_CASE(every_prefix_and_byte_flip_of_a_body_is_handled) {
    // No crash (ASan/UBSan build), only values or decode errors, for every truncation and for a
    // flip of each byte: a bounded, deterministic stand-in for fuzzing.
    std::size_t ok = 0, failed = 0;
    for (std::size_t n = 0; n <= contact_body.size(); ++n) {
        auto r = wh::parse_notification(std::string_view(contact_body).substr(0, n));
        (r ? ok : failed) += 1;
        if (!r) BOOST_TEST(r.error().code == errc::decode_error);
    }
    for (std::size_t i = 0; i < contact_body.size(); ++i) {
        std::string b = contact_body;
        b[i] = static_cast<char>(b[i] ^ 0x5a);
        auto r = wh::parse_notification(b);
        (r ? ok : failed) += 1;
        if (!r) BOOST_TEST(r.error().code == errc::decode_error);
    }
    BOOST_TEST(ok >= 1u); // the complete body
    BOOST_TEST(failed > contact_body.size());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(identity)

BOOST_AUTO_TEST_CASE(user_hash_matches_python) {
    const std::string key = "identity-verification-secret";
    for (std::string id : {"user_123", "", "ada@example.com", "ünïcödé-42"}) {
        auto expected = python_hmac_hex(id, key, "sha256");
        BOOST_TEST(expected.size() == 64u);
        BOOST_TEST(intercom::identity::user_hash(key, id) == expected, id);
    }
}

BOOST_AUTO_TEST_CASE(jwt_verified_by_python) {
    const std::string key = "messenger-jwt-secret";
    intercom::identity::messenger_jwt_claims c;
    c.user_id = "user_123";
    c.email = "ada@example.com";
    c.expires_at = std::chrono::sys_seconds(std::chrono::seconds(1893456000)); // 2030-01-01
    c.extra["plan"] = "pro";
    c.extra["seats"] = 3;
    auto token = intercom::identity::make_messenger_jwt(c, key);
    BOOST_TEST_REQUIRE(token.has_value(), (token ? "" : token.error().what()));
    BOOST_TEST(token->find('=') == std::string::npos);

    scratch s;
    s.write("token", *token);
    s.write("key", key);
    // Verifies with python's hmac/base64 (no JWT library) and prints the decoded parts as JSON.
    auto out = python(s, R"(import base64, hashlib, hmac, json, pathlib, sys
d = pathlib.Path(sys.argv[1])
token = (d/'token').read_text()
key = (d/'key').read_bytes()
h, p, sig = token.split('.')
assert '=' not in token
def dec(x): return base64.urlsafe_b64decode(x + '=' * (-len(x) % 4))
want = hmac.new(key, (h + '.' + p).encode(), hashlib.sha256).digest()
assert hmac.compare_digest(dec(sig), want), 'signature'
assert base64.urlsafe_b64encode(want).rstrip(b'=').decode() == sig, 'encoding'
print(json.dumps({'header': json.loads(dec(h)), 'payload': json.loads(dec(p))}))
)");
    auto v = json::parse(out);
    BOOST_TEST(v.at("header").at("alg") == "HS256");
    BOOST_TEST(v.at("header").at("typ") == "JWT");
    const auto& p = v.at("payload").as_object();
    BOOST_TEST(p.at("user_id") == "user_123");
    BOOST_TEST(p.at("email") == "ada@example.com");
    BOOST_TEST(p.at("exp") == 1893456000);
    BOOST_TEST(p.at("plan") == "pro");
    BOOST_TEST(p.at("seats") == 3);
    BOOST_TEST(p.size() == 5u);
}

BOOST_AUTO_TEST_CASE(jwt_minimal_and_invalid) {
    intercom::identity::messenger_jwt_claims c;
    c.user_id = "u";
    auto t = intercom::identity::make_messenger_jwt(c, "k");
    BOOST_TEST_REQUIRE(t.has_value());
    scratch s;
    s.write("token", *t);
    auto payload = python(s, "import base64, pathlib, sys\n"
                             "p = (pathlib.Path(sys.argv[1])/'token').read_text().split('.')[1]\n"
                             "print(base64.urlsafe_b64decode(p + '=' * (-len(p) % 4)).decode())\n");
    BOOST_TEST(payload == R"({"user_id":"u"})");

    BOOST_TEST(intercom::identity::make_messenger_jwt(c, "").error().code == errc::invalid_argument);
    c.user_id.clear();
    BOOST_TEST(intercom::identity::make_messenger_jwt(c, "k").error().code == errc::invalid_argument);
    c.user_id = "u";
    c.extra["exp"] = 1;
    BOOST_TEST(intercom::identity::make_messenger_jwt(c, "k").error().code == errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
