// Runs every numbered example as a subprocess against the bundled fake server (HTTPS, its CA written
// to a temporary file and passed as INTERCOM_CA_FILE), and checks each one's exit code, its key
// output line against what the server holds, and that no example wrote anything.
#include <intercom/client.hpp>
#include <intercom/models/models.hpp>
#include <intercom/pagination/pager.hpp>
#include <intercom/resources/contacts.hpp>
#include <intercom/testing/fake_server.hpp>

#include "example_binaries.hpp"
#include "run_coro.hpp"
#include "subprocess.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace tst = intercom::testing;
using namespace std::chrono_literals;
using intercom::test::env_var;
using intercom::test::process_result;

namespace {

// Modest, so the suite stays fast under ASan, but more than two pages of 150.
constexpr std::size_t seeded_contacts = 400;
constexpr long long seeded = 400;

// The examples this file has a test case for (checked against the built list below).
const std::set<std::string> covered{
    "1_quickstart",
    "2_pagination",
    "3_search",
    "4_error_handling",
    "5_retries_and_rate_limits",
    "6_custom_middleware",
    "7_callbacks_and_futures",
    "8_export_jsonl",
    "9_multithreaded",
    "10_webhook_receiver",
};

std::string binary_of(std::string_view name) {
    for (const auto& [n, path] : example_binaries)
        if (n == name) return std::string(path);
    BOOST_FAIL("no example binary named " << name);
    return {};
}

bool contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

// A TLS fake server on its own thread (as a remote server would be) plus a temporary directory
// holding its CA certificate.
struct example_env {
    asio::io_context server_ioc;
    asio::executor_work_guard<asio::io_context::executor_type> work{server_ioc.get_executor()};
    std::unique_ptr<tst::fake_server> server;
    std::thread server_thread;
    std::filesystem::path dir;
    std::string ca_file;

    explicit example_env(tst::rate_limit_options limits = {}) {
        tst::fake_server_options so;
        so.tls = true; // the CA comes from make_tls_identity() inside the server
        so.seed.contacts = seeded_contacts;
        so.rate_limit = limits;
        server = std::make_unique<tst::fake_server>(server_ioc.get_executor(), so);
        server->start();
        server_thread = std::thread([this] { server_ioc.run(); });

        std::string tmpl = (std::filesystem::temp_directory_path() / "intercom-examples-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir = tmpl;
        ca_file = (dir / "ca.pem").string();
        std::ofstream(ca_file) << server->ca_pem();
    }

    ~example_env() {
        server->stop();
        work.reset();
        server_thread.join();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    // Runs an example with the environment pointed at the server and checks that it succeeded
    // (prints its output on failure).
    process_result run(std::string_view example, std::vector<std::string> args = {}) {
        auto r = launch(example, std::move(args));
        BOOST_TEST(r.exit_code == 0, example << " output:\n" << r.output);
        return r;
    }

    // Runs an example with the environment pointed at the server, whatever its exit status.
    process_result launch(std::string_view example, std::vector<std::string> args = {}) {
        std::vector<env_var> env{
            {"INTERCOM_TOKEN", "example-token"},
            {"INTERCOM_BASE_URL", server->base_url()},
            {"INTERCOM_CA_FILE", ca_file},
        };
        auto r = intercom::test::run_process(binary_of(example), args, env, 120s);
        // Shown with --log_level=message.
        BOOST_TEST_MESSAGE(example << ": exit " << r.exit_code << " in " << r.elapsed.count() << " ms\n"
                                   << r.output);
        BOOST_TEST(!r.timed_out);
        BOOST_TEST(r.signal == 0);
        // In the sanitizer build a report would only change the exit status, which the failure
        // cases expect to be 1 anyway.
        BOOST_TEST(!contains(r.output, "Sanitizer"), r.output);
        BOOST_TEST(!contains(r.output, "runtime error:"), r.output);
        return r;
    }

    // Requests other than GET and the read-only POST /contacts/search; examples default to reading.
    std::size_t writes() const {
        std::size_t n = 0;
        for (const auto& r : server->requests())
            if (r.method != "GET" && !(r.method == "POST" && r.path == "/contacts/search")) ++n;
        return n;
    }

    // The requests to `method` `path` (a path without query, e.g. "/contacts").
    std::vector<tst::recorded_request> requests_to(std::string_view method, std::string_view path) const {
        std::vector<tst::recorded_request> out;
        for (auto& r : server->requests())
            if (r.method == method && r.path == path) out.push_back(std::move(r));
        return out;
    }

    // How many GET /contacts requests asked for 150 items and how many continued from a cursor: the
    // typed pagers take `per_page` from the query and send it on every page.
    std::pair<std::size_t, std::size_t> contact_list_paging() const {
        std::size_t per_page_150 = 0, with_cursor = 0;
        for (const auto& r : requests_to("GET", "/contacts")) {
            per_page_150 += contains(r.target, "per_page=150");
            with_cursor += contains(r.target, "starting_after=");
        }
        return {per_page_150, with_cursor};
    }

    std::size_t requests_with_header(std::string_view name, std::string_view value) const {
        std::size_t n = 0;
        for (const auto& r : server->requests())
            if (r.header(name) == value) ++n;
        return n;
    }
};

// The first capture of `pattern` in `text` as a number, or -1 when the line is missing.
long long number_after(const std::string& text, const std::string& pattern) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(pattern)) || m.size() < 2) return -1;
    return std::stoll(m[1].str());
}

// The `nth` request matching method and path is answered with `status` (once).
tst::fault_rule status_fault(std::string method, std::string path, unsigned nth, unsigned status) {
    tst::fault_rule r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.nth = nth;
    r.count = 1;
    r.action.kind = tst::fault_kind::status;
    r.action.status = status;
    return r;
}

// Independent count for the search example: list every contact and filter on the client side.
asio::awaitable<std::size_t> count_users_since(intercom::client c, std::int64_t since) {
    intercom::models::contacts_list_query q;
    q.per_page = 150;
    auto pager = c.contacts().list_all(q);
    std::size_t n = 0;
    for (;;) {
        auto item = co_await pager.next();
        if (!item) throw intercom::api_error(item.error());
        if (!*item) break;
        const intercom::models::contact& contact = **item;
        if (contact.role == "user" && contact.created_at.value_or(0) > since) ++n;
    }
    co_return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(examples)

BOOST_AUTO_TEST_CASE(every_example_has_a_test_case) {
    std::set<std::string> built;
    for (const auto& [name, path] : example_binaries)
        built.emplace(name);
    BOOST_TEST(built == covered, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(quickstart, example_env) {
    auto r = run("1_quickstart");
    BOOST_TEST(contains(r.output, "authenticated as "));
    BOOST_TEST(number_after(r.output, R"(quickstart: (\d+) contacts on the first page)") == 5);
    BOOST_TEST(number_after(r.output, R"(first page, (\d+) in the workspace)") == seeded);
    BOOST_TEST(writes() == 0u);

    // Without a token the examples explain what is missing instead of calling the API.
    auto bare =
        intercom::test::run_process(binary_of("1_quickstart"), {}, {{"INTERCOM_TOKEN", "", true}}, 60s);
    BOOST_TEST(bare.exit_code == 2);
    BOOST_TEST(contains(bare.output, "INTERCOM_TOKEN is not set"));
}

// A call that fails for good: example::run_main reports the api_error (status, error code) and the
// example exits with 1. A 401 is not retried.
BOOST_FIXTURE_TEST_CASE(quickstart_failure, example_env) {
    server->add_fault(status_fault("GET", "/me", 1, 401));
    auto r = launch("1_quickstart");
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(contains(r.output, "quickstart failed: "), r.output);
    BOOST_TEST(contains(r.output, "HTTP 401"), r.output);
    BOOST_TEST(server->count("GET", "/me") == 1u);
    BOOST_TEST(server->count("GET", "/contacts") == 0u);
}

BOOST_FIXTURE_TEST_CASE(pagination, example_env) {
    auto r = run("2_pagination");
    BOOST_TEST(number_after(r.output, R"(pagination: (\d+) contacts)") == seeded);
    // 400 contacts at 150 per page: 3 pages, and no request after the last one.
    BOOST_TEST(number_after(r.output, R"(pagination: \d+ contacts in (\d+) requests)") == 3);
    BOOST_TEST(number_after(r.output, R"(resume: stopped after (\d+) contacts)") == 200);
    BOOST_TEST(number_after(r.output, R"(resume: (\d+) more contacts)") == seeded - 200);
    BOOST_TEST(number_after(r.output, R"((\d+) in total)") == seeded);
    // The typed pager sends the query's per_page on every page. Requests: 3 for the full walk, 2 for
    // the first 200 (nothing fetched past the limit), 2 for the rest: the resumed walk starts at the
    // saved cursor (page 2 again, skipping the 50 items already seen), not from the beginning.
    auto list = requests_to("GET", "/contacts");
    auto [per_page_150, with_cursor] = contact_list_paging();
    BOOST_TEST(list.size() == 7u);
    BOOST_TEST(per_page_150 == list.size());
    BOOST_TEST(with_cursor == 5u);
    std::smatch saved;
    const std::regex saved_at(R"(stopped after \d+ contacts at (\S+) )");
    BOOST_TEST_REQUIRE(std::regex_search(r.output, saved, saved_at));
    BOOST_TEST_REQUIRE(list.size() >= 6u);
    BOOST_TEST(contains(list[5].target, saved[1].str()), list[5].target);
    BOOST_TEST(writes() == 0u);
}

BOOST_FIXTURE_TEST_CASE(search, example_env) {
    // Intercom (and the fake server) compare dates by day: `created_at > t` matches from the start of
    // the next day. The last second of a day makes that the same as the exact comparison, so the
    // client-side count below is the truth. Seeded contacts span 3 years from 2023-11-14 22:13, more of
    // them recently (issue 17; this test used the old layout, 400 contacts within 4 hours): `since` is
    // the last second of the day halfway through, with about 35 % of the contacts before it.
    const std::int64_t since = (1700000000 / 86400 + 548) * 86400 - 1; // 2025-05-14T23:59:59Z
    auto r = run("3_search", {std::to_string(since)});

    asio::io_context ioc;
    intercom::client_options o;
    o.token = "test-token";
    o.base_url = server->base_url();
    o.transport.tls.ca_pem = server->ca_pem();
    intercom::client c(ioc.get_executor(), o);
    auto expected = intercom::test::run_coro(ioc, count_users_since(c, since));
    BOOST_TEST_REQUIRE(expected > 0u);
    BOOST_TEST(expected < seeded_contacts - 100); // about 260 were created after `since`; some are leads

    BOOST_TEST(number_after(r.output, R"(search: (\d+) contacts match)") == static_cast<long long>(expected));
    BOOST_TEST(contains(r.output, "rejected locally: "));
    auto requests = number_after(r.output, R"(match in (\d+) requests)");
    BOOST_TEST(requests == static_cast<long long>(server->count("POST", "/contacts/search")));
    // The page size of the typed search request is sent with every page; pages after the first
    // carry the cursor in the body.
    std::size_t with_cursor = 0;
    for (const auto& req : requests_to("POST", "/contacts/search")) {
        auto body = json::parse(req.body).as_object();
        const auto* pg = body.if_contains("pagination");
        BOOST_TEST_REQUIRE(pg != nullptr, req.body);
        BOOST_TEST(pg->as_object().at("per_page") == 150, req.body);
        with_cursor += pg->as_object().contains("starting_after");
        BOOST_TEST(body.contains("query"));
    }
    BOOST_TEST(with_cursor + 1 == static_cast<std::size_t>(requests));
    BOOST_TEST(writes() == 0u);
}

BOOST_FIXTURE_TEST_CASE(error_handling, example_env) {
    auto r = run("4_error_handling");
    BOOST_TEST(
        contains(
            r.output,
            R"(error handling: not_found seen in both styles (HTTP 404, first error code "not_found"): ok)"),
        r.output);
    BOOST_TEST(contains(r.output, "error.list:  not_found"));
    BOOST_TEST(contains(r.output, "validation failed locally"));
    // Both styles made exactly one request each: a 404 is not retried.
    BOOST_TEST(server->count("GET", "/contacts/{id}") == 2u);
    BOOST_TEST(writes() == 0u);
}

BOOST_FIXTURE_TEST_CASE(retries_and_rate_limits, example_env) {
    // Three failures among the 50 retrieves; each must be retried once and then succeed.
    server->add_fault(status_fault("GET", "/contacts/{id}", 3, 503));
    server->add_fault(status_fault("GET", "/contacts/{id}", 10, 502));
    server->add_fault(status_fault("GET", "/contacts/{id}", 20, 500));
    auto r = run("5_retries_and_rate_limits", {"50"});
    BOOST_TEST(number_after(r.output, R"((\d+) of 50 contacts retrieved)") == 50);
    BOOST_TEST(number_after(r.output, R"((\d+) retries)") == 3);
    BOOST_TEST(number_after(r.output, R"((\d+) attempts)") == 1 + 50 + 3);
    BOOST_TEST(number_after(r.output, R"((\d+) failed)") == 0);
    BOOST_TEST(contains(r.output, "budget: "));
    BOOST_TEST(server->count("GET", "/contacts/{id}") == 53u);
    BOOST_TEST(writes() == 0u);
}

// A server allowing 20 requests per 1 s window: the example's 51 calls need three windows. The
// client-side limiter learns the budget from the headers and waits for the resets.
struct tight_budget_env : example_env {
    tight_budget_env() : example_env({.enabled = true, .requests_per_window = 20, .window = 1000ms}) {}
};

BOOST_FIXTURE_TEST_CASE(retries_and_rate_limits_paced, tight_budget_env) {
    auto r = run("5_retries_and_rate_limits", {"50"});
    BOOST_TEST(number_after(r.output, R"((\d+) of 50 contacts retrieved)") == 50);
    BOOST_TEST(number_after(r.output, R"((\d+) limiter waits)") > 0);
    BOOST_TEST(contains(r.output, "limiter: window budget spent, waiting"));
    std::size_t rejected = 0;
    for (const auto& req : server->requests())
        rejected += req.status == 429;
    BOOST_TEST_MESSAGE("429s answered by the server: " << rejected);
    // Whatever the server rejected was retried: every call succeeded (checked above), and each 429
    // cost exactly one extra attempt.
    BOOST_TEST(number_after(r.output, R"((\d+) attempts)") == 51 + static_cast<long long>(rejected));
}

BOOST_FIXTURE_TEST_CASE(custom_middleware, example_env) {
    server->add_fault(status_fault("GET", "/me", 1, 503));
    auto r = run("6_custom_middleware");
    // 1 GET /me (retried once) + 1 list + 10 retrieves.
    BOOST_TEST(number_after(r.output, R"(custom middleware: (\d+) calls)") == 12);
    BOOST_TEST(number_after(r.output, R"(calls, (\d+) attempts)") == 13);
    BOOST_TEST(number_after(r.output, R"(HTTP 503: (\d+) attempts)") == 1);
    // The per-call middleware's header reached the server on every attempt.
    BOOST_TEST(requests_with_header("X-Example-Client", "6_custom_middleware") == 13u);
    BOOST_TEST(writes() == 0u);
}

BOOST_FIXTURE_TEST_CASE(callbacks_and_futures, example_env) {
    auto r = run("7_callbacks_and_futures");
    BOOST_TEST(contains(r.output, "future: authenticated as "));
    BOOST_TEST(number_after(r.output, R"((\d+) contacts via a future)") == 5);
    BOOST_TEST(number_after(r.output, R"((\d+) via a callback)") == 5);
    BOOST_TEST(writes() == 0u);
}

BOOST_FIXTURE_TEST_CASE(export_jsonl, example_env) {
    auto file = dir / "contacts.jsonl";
    auto r = run("8_export_jsonl", {file.string()});
    BOOST_TEST(number_after(r.output, R"(export: wrote (\d+) contacts)") == seeded);
    BOOST_TEST(!std::filesystem::exists(file.string() + ".part"));

    // Exactly one line per seeded contact, every line a contact object, no id twice.
    std::ifstream in(file);
    std::set<std::string> ids;
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) {
        ++lines;
        auto v = json::parse(line);
        BOOST_TEST_REQUIRE(v.is_object());
        BOOST_TEST(v.as_object().at("type") == "contact");
        ids.emplace(v.as_object().at("id").as_string());
    }
    BOOST_TEST(lines == seeded_contacts);
    BOOST_TEST(ids.size() == seeded_contacts);
    std::set<std::string> seeded_ids;
    for (std::size_t i = 0; i < seeded_contacts; ++i)
        seeded_ids.insert(server->seeded_contact_id(i));
    BOOST_TEST((ids == seeded_ids));
    // A partitioned export with partitions = auto. Against this local server (a round trip of a few
    // ms) auto asks for one chain, and 400 contacts are under 4 pages a partition anyway: one
    // partition. Requests: 2 range probes (one item each, sorted both ways) + 3 pages of 150.
    BOOST_TEST(number_after(r.output, R"(export: (\d+) partitions)") == 1);
    BOOST_TEST(number_after(r.output, R"(export: \d+ partitions, (\d+) requests)") == 5);
    BOOST_TEST(number_after(r.output, R"(\((\d+) planning probes\))") == 2);
    BOOST_TEST(contains(r.output, "partition 0: 400 contacts (counted 400) in 3 requests"), r.output);
    BOOST_TEST(server->count("GET", "/contacts") == 0u);
    BOOST_TEST(server->count("POST", "/contacts/search") == 5u);
    std::size_t probes = 0, pages = 0;
    for (const auto& req : requests_to("POST", "/contacts/search")) {
        auto per_page = json::parse(req.body).at("pagination").at("per_page");
        probes += per_page == json::value(1);
        pages += per_page == json::value(150);
    }
    BOOST_TEST(probes == 2u);
    BOOST_TEST(pages == 3u);
    BOOST_TEST(writes() == 0u);
}

// An export that fails on its second page leaves only the `.part` file (the first page in it), never
// a file under the real name, and says where the partial output is.
BOOST_FIXTURE_TEST_CASE(export_jsonl_failure, example_env) {
    // The 4th search: after the 2 range probes and the first page (one partition, see above).
    server->add_fault(status_fault("POST", "/contacts/search", 4, 401));
    auto file = dir / "contacts.jsonl";
    auto r = launch("8_export_jsonl", {file.string()});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(contains(r.output, "export failed: "), r.output);
    BOOST_TEST(contains(r.output, "left in " + file.string() + ".part"), r.output);
    BOOST_TEST(!std::filesystem::exists(file));
    std::ifstream in(file.string() + ".part");
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);)
        ++lines;
    BOOST_TEST(lines == 150u);
}

BOOST_FIXTURE_TEST_CASE(multithreaded, example_env) {
    auto r = run("9_multithreaded", {"4", "8"});
    BOOST_TEST(number_after(r.output, R"(retrieved (\d+) of)") == 200);
    BOOST_TEST(number_after(r.output, R"(of (\d+) contacts with 8 workers on 4 threads)") == 200);
    BOOST_TEST(number_after(r.output, R"((\d+) failed)") == 0);
    BOOST_TEST(server->count("GET", "/contacts/{id}") == 200u);
    // 200 ids at 150 per page: two pages, nothing fetched past the `max_items` limit.
    BOOST_TEST(server->count("GET", "/contacts") == 2u);
    BOOST_TEST(contact_list_paging().first == 2u);
    BOOST_TEST(writes() == 0u);
}

namespace {

// X-Hub-Signature for `body`, computed by python3's hmac (not by the library under test).
std::string python_signature(const std::filesystem::path& dir, const std::string& body, const std::string& secret) {
    auto file = dir / "notification.json";
    std::ofstream(file, std::ios::binary) << body;
    auto r = intercom::test::run_process(
        "/usr/bin/python3",
        {"-c", "import hmac, hashlib, sys; print('sha1=' + hmac.new(sys.argv[1].encode(), "
               "open(sys.argv[2], 'rb').read(), hashlib.sha1).hexdigest())",
         secret, file.string()},
        {}, 30s);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
    return r.output.substr(0, r.output.find('\n'));
}

// POSTs one notification to 127.0.0.1:port and returns the status (0 if the exchange failed).
unsigned post_notification(unsigned short port, const std::string& body, const std::string& signature) {
    namespace bhttp = boost::beast::http;
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({asio::ip::address_v4::loopback(), port}, ec);
    if (ec) return 0;
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/intercom/webhooks", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::user_agent, "Intercom-Webhooks/test");
    if (!signature.empty()) req.set("X-Hub-Signature", signature);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(s, req, ec);
    if (ec) return 0;
    boost::beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res, ec);
    return ec ? 0 : res.result_int();
}

std::string notification(const std::string& topic, const std::string& item) {
    return R"({"type":"notification_event","app_id":"example-app","id":"notif_)" + topic + R"(","topic":")" +
           topic + R"(","delivery_attempts":1,"first_sent_at":1700000001,"created_at":1700000000,)" +
           R"("data":{"type":"notification_event_data","item":)" + item + "}}";
}

} // namespace

// The receiver verifies, decodes and acknowledges signed notifications, rejects forged ones with 401
// (before looking at their content: a forged contact.created must not trigger a fetch), and fetches
// the contact of a signed contact.created through the client.
BOOST_FIXTURE_TEST_CASE(webhook_receiver, example_env) {
    const std::string secret = "example-client-secret";
    const std::string contact_id = server->seeded_contact_id(7);
    const std::string created =
        notification("contact.user.created", R"({"type":"contact","id":")" + contact_id + R"(","role":"user"})");
    const std::string ping = notification("ping", R"({"type":"ping","message":"hello"})");
    const std::string good_sig = python_signature(dir, created, secret);
    const std::string ping_sig = python_signature(dir, ping, secret);
    const std::string other_id = server->seeded_contact_id(8);
    std::string tampered = created;
    tampered.replace(tampered.find(contact_id), contact_id.size(), other_id);
    const std::string port_file = (dir / "port").string();

    process_result result;
    std::thread receiver([&] {
        result = intercom::test::run_process(binary_of("10_webhook_receiver"), {"0", "6", port_file},
                                             {{"INTERCOM_TOKEN", "example-token"},
                                              {"INTERCOM_BASE_URL", server->base_url()},
                                              {"INTERCOM_CA_FILE", ca_file},
                                              {"INTERCOM_CLIENT_SECRET", secret}},
                                             120s);
    });
    unsigned short port = 0;
    for (int i = 0; i < 1500 && port == 0; ++i) { // up to 30 s (sanitizer build, busy machine)
        std::ifstream in(port_file);
        unsigned p = 0;
        if (in >> p) port = static_cast<unsigned short>(p);
        else std::this_thread::sleep_for(20ms);
    }
    std::vector<unsigned> statuses;
    if (port != 0) {
        statuses.push_back(post_notification(port, created, good_sig));                           // 200
        statuses.push_back(post_notification(port, tampered, good_sig));                          // 401
        statuses.push_back(post_notification(port, created, "sha256=" + good_sig.substr(5)));     // 401
        statuses.push_back(post_notification(port, created, ""));                                 // 401
        statuses.push_back(post_notification(port, "{not json", python_signature(dir, "{not json", secret))); // 400
        statuses.push_back(post_notification(port, ping, ping_sig));                              // 200
    }
    receiver.join();
    BOOST_TEST_REQUIRE(port != 0, "the receiver never wrote its port:\n" << result.output);
    BOOST_TEST_MESSAGE("10_webhook_receiver:\n" << result.output);
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(!result.timed_out);
    BOOST_TEST(!contains(result.output, "Sanitizer"), result.output);
    BOOST_TEST(!contains(result.output, "runtime error:"), result.output);
    const std::vector<unsigned> expected{200, 401, 401, 401, 400, 200};
    BOOST_TEST(statuses == expected, boost::test_tools::per_element());
    BOOST_TEST(contains(result.output, "accepted: contact.user.created notif_contact.user.created (item: contact"),
               result.output);
    BOOST_TEST(contains(result.output, "accepted: ping notif_ping (item: ping"), result.output);
    BOOST_TEST(contains(result.output, "2 accepted, 4 rejected, 1 contacts fetched"), result.output);
    BOOST_TEST(contains(result.output, "fetched contact " + contact_id), result.output);
    // The server saw exactly one fetch, of the signed notification's contact (not the tampered one's).
    BOOST_TEST(server->count("GET", "/contacts/{id}") == 1u);
    BOOST_TEST(requests_to("GET", "/contacts/" + contact_id).size() == 1u);
    BOOST_TEST(server->requests().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
