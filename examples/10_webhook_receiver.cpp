// 10_webhook_receiver: an HTTP endpoint for Intercom webhooks. It checks each notification's
// X-Hub-Signature against the app's client secret (401 when it does not match), decodes it into
// a typed notification, acknowledges it with 200, and for a new contact fetches the full contact
// through the client. Run it behind your TLS-terminating proxy; it listens on 127.0.0.1 only.
//
//   INTERCOM_CLIENT_SECRET=... INTERCOM_TOKEN=... 10_webhook_receiver [port] [max_requests] [port_file]
//
// port 0 (the default) picks a free port; max_requests 0 (the default) serves until killed;
// port_file, when given, receives the port number once the server listens.
#include "example_env.hpp"

#include <intercom/webhooks/notification.hpp>
#include <intercom/webhooks/signature.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

struct settings {
    std::string secret;
    unsigned short port = 0;
    unsigned max_requests = 0;
    std::string port_file;
};

struct counts {
    unsigned accepted = 0, rejected = 0, fetched = 0;
};

// New contacts: Intercom's topics are contact.user.created and contact.lead.created; contact.created
// is accepted too.
bool is_new_contact(std::string_view topic) {
    return topic == "contact.created" || topic == "contact.user.created" || topic == "contact.lead.created";
}

http::response<http::string_body> reply(http::status status, std::string text) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(false);
    res.body() = std::move(text) + "\n";
    res.prepare_payload();
    return res;
}

// One connection, one request (the answer closes it). The notification is acknowledged before the
// contact is fetched: Intercom only waits a few seconds for the answer and retries otherwise, so slow
// work belongs after it (or in a queue).
asio::awaitable<void> handle(intercom::client client, tcp::socket socket, settings cfg, counts* n) {
    boost::beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024); // notifications are a few KiB
    boost::system::error_code ec;
    co_await http::async_read(socket, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const auto& req = parser.get();

    if (req.method() != http::verb::post) {
        co_await http::async_write(socket, reply(http::status::method_not_allowed, "POST only"),
                                   asio::redirect_error(asio::use_awaitable, ec));
        co_return;
    }
    // The raw body, exactly as received: the signature covers these bytes.
    auto signature = req[intercom::webhooks::signature_header];
    auto note = intercom::webhooks::verify_and_parse(req.body(), signature, cfg.secret);
    if (!note) {
        ++n->rejected;
        const bool forged = note.error().code != intercom::errc::decode_error;
        std::printf("rejected: %s\n", note.error().what().c_str());
        auto res = forged ? reply(http::status::unauthorized, "invalid signature")
                          : reply(http::status::bad_request, "malformed notification");
        co_await http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
        co_return;
    }
    ++n->accepted;
    std::printf("accepted: %s %s (item: %.*s, delivery attempt %u)\n", note->topic.c_str(), note->id.c_str(),
                static_cast<int>(note->item_type().size()), note->item_type().data(),
                note->delivery_attempts);
    co_await http::async_write(socket, reply(http::status::ok, "ok"),
                               asio::redirect_error(asio::use_awaitable, ec));
    socket.close();

    const auto* contact = note->item_as<intercom::models::contact>();
    if (is_new_contact(note->topic) && contact && contact->id) {
        // The notification carries a snapshot; the API has the current, complete record.
        auto full = co_await client.contacts().try_retrieve(contact->id->str());
        if (full) {
            ++n->fetched;
            std::printf("fetched contact %s: %s\n", contact->id->str().c_str(),
                        full->email.value_or("(no email)").c_str());
        } else {
            std::printf("fetching contact %s failed: %s\n", contact->id->str().c_str(),
                        full.error().what().c_str());
        }
    }
}

asio::awaitable<bool> serve(intercom::client client, settings cfg) {
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(ex, tcp::endpoint(asio::ip::address_v4::loopback(), cfg.port));
    const auto port = acceptor.local_endpoint().port();
    std::printf("listening on http://127.0.0.1:%u\n", static_cast<unsigned>(port));
    std::fflush(stdout);
    if (!cfg.port_file.empty()) {
        // Written to a temporary name and renamed, so a reader never sees a partial number.
        std::ofstream(cfg.port_file + ".tmp") << port << "\n";
        std::rename((cfg.port_file + ".tmp").c_str(), cfg.port_file.c_str());
    }
    counts n;
    // One request at a time keeps the example short; a busy endpoint would co_spawn a session per
    // connection.
    for (unsigned served = 0; cfg.max_requests == 0 || served < cfg.max_requests; ++served) {
        tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
        co_await handle(client, std::move(socket), cfg, &n);
        std::fflush(stdout);
    }
    std::printf("webhook receiver: %u accepted, %u rejected, %u contacts fetched\n", n.accepted, n.rejected,
                n.fetched);
    co_return true;
}

} // namespace

int main(int argc, char** argv) {
    settings cfg;
    const char* secret = std::getenv("INTERCOM_CLIENT_SECRET");
    if (!secret || !*secret) {
        std::fprintf(stderr, "INTERCOM_CLIENT_SECRET is not set (your app's client secret)\n");
        return 2;
    }
    cfg.secret = secret;
    if (argc > 1) cfg.port = static_cast<unsigned short>(std::atoi(argv[1]));
    if (argc > 2) cfg.max_requests = static_cast<unsigned>(std::atoi(argv[2]));
    if (argc > 3) cfg.port_file = argv[3];
    auto opts = example::options_from_env();
    if (!opts) return 2;
    return example::run_main("webhook receiver", *opts, serve, cfg);
}
