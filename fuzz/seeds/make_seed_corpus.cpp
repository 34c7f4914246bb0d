// Writes the seed corpora of the fuzz targets from real fake-server traffic (run by tools/fuzz.sh;
// the output lives under build/ and is never committed).
//
//   fuzz_seed_corpus <out-dir>   ->  <out-dir>/{http,models,error,search}/seed-N
//
// The fake server runs in-process; each request is sent raw over TCP with `Connection: close`, so
// the bytes captured are exactly what a client reads off the socket.
#include <intercom/models/registry.hpp>
#include <intercom/testing/fake_server.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace tst = intercom::testing;

namespace {

struct corpus {
    fs::path root;
    std::map<std::string, int> counts;

    void write(const std::string& kind, const std::string& bytes) {
        fs::create_directories(root / kind);
        std::ofstream(root / kind / ("seed-" + std::to_string(counts[kind]++)), std::ios::binary) << bytes;
    }
};

std::string exchange(std::uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body = {}, bool auth = true) {
    asio::io_context io;
    asio::ip::tcp::socket sock(io);
    sock.connect({asio::ip::make_address("127.0.0.1"), port});
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      "Accept: application/json\r\nIntercom-Version: 2.11\r\n";
    if (auth) req += "Authorization: Bearer seed-token\r\n";
    if (!body.empty())
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    asio::write(sock, asio::buffer(req));
    std::string out;
    boost::system::error_code ec;
    asio::read(sock, asio::dynamic_buffer(out), ec);  // until EOF (or a reset for reset faults)
    return out;
}

std::string gzip(const std::string& in) {
    z_stream zs{};
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, in.size()) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

void split(const std::string& raw, std::string& head, std::string& body, unsigned& status) {
    auto end = raw.find("\r\n\r\n");
    head = end == std::string::npos ? raw : raw.substr(0, end);
    body = end == std::string::npos ? std::string{} : raw.substr(end + 4);
    status = raw.size() > 12 ? static_cast<unsigned>(std::atoi(raw.c_str() + 9)) : 0;
}

/// Model-target seeds for a 2xx body: the models it decodes into with no unknown keys, those named
/// after the body's `type` (or its first item's) first; at most 6.
void model_seeds(corpus& c, const std::string& body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return;
    std::string hint;
    if (auto* t = v.as_object().if_contains("type"); t && t->is_string()) hint = std::string(t->as_string());
    if (auto* d = v.as_object().if_contains("data"); (hint.empty() || hint == "list") && d && d->is_array() &&
                                                     !d->as_array().empty() && d->as_array()[0].is_object()) {
        if (auto* t = d->as_array()[0].as_object().if_contains("type"); t && t->is_string())
            hint = std::string(t->as_string());
    }
    for (auto& ch : hint)
        if (ch == '.') ch = '_';
    auto codecs = intercom::models::all_model_codecs();
    std::vector<std::size_t> named, other;
    for (std::size_t i = 0; i < codecs.size(); ++i) {
        boost::json::value out;
        std::size_t unknown = 0;
        if (!codecs[i].roundtrip(v, out, &unknown) || unknown != 0) continue;
        (!hint.empty() && codecs[i].name.find(hint) != std::string_view::npos ? named : other).push_back(i);
    }
    named.insert(named.end(), other.begin(), other.end());
    for (std::size_t k = 0; k < named.size() && k < 6; ++k) {
        std::size_t i = named[k];
        c.write("models", std::string{char(i >> 8), char(i & 0xff)} + body);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: fuzz_seed_corpus <out-dir>\n";
        return 2;
    }
    corpus c{argv[1], {}};
    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(), {.seed = {.contacts = 12, .companies = 4, .conversations = 4},
                                                 .rate_limit = {.requests_per_window = 1000000}});
    server.start();
    std::thread runner([&ioc] {
        auto guard = asio::make_work_guard(ioc);
        ioc.run();
    });
    const auto port = server.port();
    const std::string contact = server.seeded_contact_id(0);
    const std::string conversation = server.seeded_conversation_id(0);
    const std::string company = server.seeded_company_id(0);

    struct call {
        std::string method, target, body;
        bool auth = true;
    };
    std::vector<call> calls = {
        {"GET", "/contacts?per_page=3"},
        {"GET", "/contacts/" + contact},
        {"GET", "/contacts/does-not-exist"},
        {"POST", "/contacts/search",
         R"({"query":{"operator":"AND","value":[{"field":"created_at","operator":">","value":1}]},"pagination":{"per_page":2}})"},
        {"POST", "/contacts/search", R"({"query":{"field":"nope","operator":"??","value":1}})"},
        {"POST", "/contacts", R"({"email":"seed@example.com","name":"Seed"})"},
        {"POST", "/contacts", R"({"email":)"},
        {"GET", "/companies?per_page=2"},
        {"GET", "/companies/scroll"},
        {"GET", "/companies?company_id=" + company},
        {"GET", "/conversations?per_page=2"},
        {"GET", "/conversations/" + conversation},
        {"GET", "/admins"},
        {"GET", "/me"},
        {"GET", "/tags"},
        {"GET", "/teams"},
        {"GET", "/segments"},
        {"GET", "/data_attributes"},
        {"GET", "/articles"},
        {"GET", "/help_center/collections"},
        {"GET", "/ticket_types"},
        {"GET", "/subscription_types"},
        {"GET", "/contacts", "", false},  // 401
        {"DELETE", "/contacts/" + server.seeded_contact_id(1)},
    };
    std::size_t n = 0;
    auto run = [&](const call& k) {
        std::string raw = exchange(port, k.method, k.target, k.body, k.auth);
        std::string head, body;
        unsigned status = 0;
        split(raw, head, body, status);
        for (std::uint8_t flags : {0x38, 0x3c, 0x02, 0x00}) c.write("http", std::string(1, char(flags)) + raw);
        if (status >= 200 && status < 300) {
            model_seeds(c, body);
            if (n++ % 4 == 0) {  // a gzip variant of the same answer
                auto z = gzip(body);
                c.write("http", std::string(1, char(0x38)) + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(z.size()) + "\r\n\r\n" + z);
            }
        } else if (status >= 400) {
            std::string hdrs;  // "Name: value" lines, as the error target reads them
            for (std::size_t p = head.find("\r\n"); p != std::string::npos;) {
                auto q = head.find("\r\n", p + 2);
                hdrs += head.substr(p + 2, q == std::string::npos ? std::string::npos : q - p - 2) + "\n";
                p = q;
            }
            c.write("error", std::string(1, char((status - 400) & 0xff)) + hdrs + '\0' + body);
        }
    };
    for (const auto& k : calls) run(k);

    // Faults: every status family, and the broken framings the transport must survive.
    const tst::fault_kind kinds[] = {tst::fault_kind::reset_after_headers, tst::fault_kind::truncated_body,
                                     tst::fault_kind::malformed_json, tst::fault_kind::wrong_content_type,
                                     tst::fault_kind::connection_close};
    for (unsigned s : {429u, 500u, 502u, 503u, 504u, 404u, 422u}) {
        server.clear_faults();
        server.add_fault({.method = "GET", .path = "/contacts", .action = {.kind = tst::fault_kind::status, .status = s}});
        run({"GET", "/contacts?per_page=2"});
    }
    for (auto k : kinds) {
        server.clear_faults();
        server.add_fault({.method = "GET", .path = "/contacts/{id}", .action = {.kind = k}});
        run({"GET", "/contacts/" + contact});
    }
    server.clear_faults();

    // A chunked answer (the fake server uses Content-Length): hand-made from a real body.
    {
        std::string head, body;
        unsigned status = 0;
        split(exchange(port, "GET", "/tags"), head, body, status);
        std::string chunked = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (std::size_t i = 0; i < body.size(); i += 100) {
            auto piece = body.substr(i, 100);
            char len[16];
            std::snprintf(len, sizeof len, "%zx\r\n", piece.size());
            chunked += len + piece + "\r\n";
        }
        chunked += "0\r\n\r\n";
        c.write("http", std::string(1, char(0x38)) + chunked + chunked);  // two pipelined answers
    }

    // Search builder: a few byte strings that decode into a filter, a group and nested groups.
    c.write("search", std::string("\x00\x0f\x01\x05\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", 14));
    c.write("search", std::string("\x01\x0f\x00\x04\x01\x01\x02\x09\x00\x00\x00\x00\x00\x00\x00\x05\x01", 17));
    c.write("search", std::string("\x06\x05\x00\x06\x01\x06\x00\x03\x03\x61\x62\x63\x01\x00\x01\x05\x01", 17));

    server.stop();
    ioc.stop();
    runner.join();
    for (const auto& [k, v] : c.counts) std::cout << k << ": " << v << " seeds\n";
    return 0;
}
