// Deterministic seed data: admins, teams, segments, subscription types, help center, newsfeeds, ticket types,
// and N contacts / companies / conversations with realistic shapes and sizes.
#include "store.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace json = boost::json;

namespace intercom::testing::detail {
namespace {

struct rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::size_t pick(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    template <class A>
    const char* of(const A& a) {
        return a[pick(std::size(a))];
    }
};

constexpr std::array first_names{"Ada",     "Grace",  "Alan",     "Edsger", "Barbara", "Donald",
                                 "Ken",     "Dennis", "Margaret", "Linus",  "Guido",   "Bjarne",
                                 "Frances", "John",   "Radia",    "Tim",    "Sophie",  "Hedy"};
constexpr std::array last_names{"Lovelace", "Hopper",  "Turing",   "Dijkstra",    "Liskov", "Knuth",
                                "Thompson", "Ritchie", "Hamilton", "Torvalds",    "Rossum", "Stroustrup",
                                "Allen",    "Backus",  "Perlman",  "Berners-Lee", "Wilson", "Lamarr"};
constexpr std::array domains{"example.com", "example.org", "acme.io",
                             "initech.com", "globex.net",  "umbrella.co"};
constexpr std::array countries{"Ireland", "United States", "Germany",  "France",
                               "Japan",   "Brazil",        "Australia"};
constexpr std::array country_codes{"IRL", "USA", "DEU", "FRA", "JPN", "BRA", "AUS"};
constexpr std::array continents{"EU", "NA", "EU", "EU", "AS", "SA", "OC"};
constexpr std::array cities{"Dublin", "San Francisco", "Berlin", "Paris", "Tokyo", "Sao Paulo", "Sydney"};
constexpr std::array regions{"Leinster", "California", "Berlin", "Ile-de-France",
                             "Tokyo",    "Sao Paulo",  "NSW"};
constexpr std::array browsers{"chrome", "firefox", "safari", "edge"};
constexpr std::array oses{"OS X 10.15.7", "Windows 10", "Linux", "iOS 17.1", "Android 14"};
constexpr std::array plans{"free", "pro", "enterprise"};
constexpr std::array industries{"Software", "Retail", "Finance", "Healthcare", "Education"};
constexpr std::array languages{"en", "fr", "de", "ja", "pt"};

} // namespace

std::int64_t seeded_contact_time(const seed_spec& spec, std::size_t i, std::size_t n) {
    if (spec.contact_span <= 0 || n == 0) return spec.base_time + static_cast<std::int64_t>(i) * 37;
    // Mixture: (1 - share) spread over the span with a density growing linearly from 1 to `growth`,
    // plus `share` on one bulk-import day (08:00..18:00 UTC of the day at `bulk_at`). Inverse CDF at
    // the middle of the i-th of n equal quantiles, so the sequence does not depend on n's parity.
    const double span = static_cast<double>(spec.contact_span);
    const double s = std::clamp(spec.bulk_share, 0.0, 1.0);
    const double r = std::max(spec.contact_growth, 1e-3);
    const double c = 1.0 + (r - 1.0) / 2.0;
    auto cdf = [&](double x) { return (x + (r - 1.0) * x * x / 2.0) / c; };
    auto inv = [&](double g) {
        if (std::abs(r - 1.0) < 1e-9) return g;
        return (-1.0 + std::sqrt(1.0 + 2.0 * (r - 1.0) * g * c)) / (r - 1.0);
    };
    const double u = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    const double xb = std::clamp(spec.bulk_at, 0.0, 1.0);
    const double ub = (1.0 - s) * cdf(xb);
    if (s > 0 && u >= ub && u < ub + s) {
        const std::int64_t tb = spec.base_time + static_cast<std::int64_t>(xb * span);
        const std::int64_t day_start = tb - ((tb % 86400) + 86400) % 86400;
        return day_start + 8 * 3600 + static_cast<std::int64_t>((u - ub) / s * 10 * 3600);
    }
    const double g = u < ub ? u / (1.0 - s) : (u - s) / (1.0 - s);
    return spec.base_time + static_cast<std::int64_t>(inv(std::clamp(g, 0.0, 1.0)) * span);
}

json::object make_contact(store& s, const std::string& id, std::int64_t created_at) {
    json::object c;
    c["type"] = "contact";
    c["id"] = id;
    c["workspace_id"] = s.workspace_id;
    c["external_id"] = nullptr;
    c["role"] = "user";
    c["email"] = "";
    c["email_domain"] = "";
    c["phone"] = nullptr;
    c["formatted_phone"] = nullptr;
    c["name"] = nullptr;
    c["owner_id"] = nullptr;
    c["has_hard_bounced"] = false;
    c["marked_email_as_spam"] = false;
    c["unsubscribed_from_emails"] = false;
    c["created_at"] = created_at;
    c["updated_at"] = created_at;
    c["signed_up_at"] = nullptr;
    c["last_seen_at"] = nullptr;
    c["last_replied_at"] = nullptr;
    c["last_contacted_at"] = nullptr;
    c["last_email_opened_at"] = nullptr;
    c["last_email_clicked_at"] = nullptr;
    c["language_override"] = nullptr;
    c["browser"] = nullptr;
    c["browser_version"] = nullptr;
    c["browser_language"] = nullptr;
    c["os"] = nullptr;
    c["android_app_name"] = nullptr;
    c["android_app_version"] = nullptr;
    c["android_device"] = nullptr;
    c["android_os_version"] = nullptr;
    c["android_sdk_version"] = nullptr;
    c["android_last_seen_at"] = nullptr;
    c["ios_app_name"] = nullptr;
    c["ios_app_version"] = nullptr;
    c["ios_device"] = nullptr;
    c["ios_os_version"] = nullptr;
    c["ios_sdk_version"] = nullptr;
    c["ios_last_seen_at"] = nullptr;
    c["custom_attributes"] = json::object{};
    c["avatar"] = json::object{{"type", "avatar"}, {"image_url", nullptr}};
    c["tags"] = empty_embedded_list("/contacts/" + id + "/tags");
    c["notes"] = empty_embedded_list("/contacts/" + id + "/notes");
    c["companies"] = empty_embedded_list("/contacts/" + id + "/companies");
    c["location"] =
        json::object{{"type", "location"}, {"country", nullptr},      {"region", nullptr},
                     {"city", nullptr},    {"country_code", nullptr}, {"continent_code", nullptr}};
    c["social_profiles"] = json::object{{"type", "list"}, {"data", json::array{}}};
    c["opted_out_subscription_types"] = empty_embedded_list("/contacts/" + id + "/subscriptions");
    c["opted_in_subscription_types"] = empty_embedded_list("/contacts/" + id + "/subscriptions");
    return c;
}

void seed_store(store& s, const seed_spec& spec) {
    s.base_time = spec.base_time;
    // Admins and teams.
    auto& admins = s.coll("admins");
    const std::array<const char*, 4> admin_names{"Ada Admin", "Bob Support", "Cleo Sales", "Dev Bot"};
    std::vector<std::string> admin_ids;
    for (std::size_t i = 0; i < admin_names.size(); ++i) {
        std::string id = std::to_string(991267390 + i);
        admin_ids.push_back(id);
        json::object a;
        a["type"] = "admin";
        a["id"] = id;
        a["name"] = admin_names[i];
        std::string email = to_lower(admin_names[i]);
        for (auto& ch : email)
            if (ch == ' ') ch = '.';
        a["email"] = email + "@example.com";
        a["job_title"] = i == 0 ? "Owner" : "Support Engineer";
        a["away_mode_enabled"] = false;
        a["away_mode_reassign"] = false;
        a["has_inbox_seat"] = true;
        a["team_ids"] = json::array{i < 2 ? 814865 : 814866};
        a["avatar"] =
            json::object{{"type", "avatar"}, {"image_url", "https://static.example.com/avatars/" + id}};
        a["email_verified"] = true;
        admins.insert(id, std::move(a));
    }
    auto& teams = s.coll("teams");
    for (int t = 0; t < 2; ++t) {
        std::string id = std::to_string(814865 + t);
        json::object o;
        o["type"] = "team";
        o["id"] = id;
        o["name"] = t == 0 ? "Support" : "Sales";
        o["admin_ids"] = t == 0 ? json::array{std::stoll(admin_ids[0]), std::stoll(admin_ids[1])}
                                : json::array{std::stoll(admin_ids[2]), std::stoll(admin_ids[3])};
        o["admin_priority_level"] =
            json::object{{"primary_admin_ids", json::array{}}, {"secondary_admin_ids", json::array{}}};
        teams.insert(id, std::move(o));
    }
    // Segments, subscription types, help centers, newsfeeds, ticket types, data attributes.
    for (int i = 0; i < 3; ++i) {
        std::string id = s.new_id("segments", true);
        s.coll("segments")
            .insert(id, json::object{{"type", "segment"},
                                     {"id", id},
                                     {"name", std::array{"Active", "New", "VIP"}[i]},
                                     {"created_at", spec.base_time},
                                     {"updated_at", spec.base_time},
                                     {"person_type", "user"},
                                     {"count", nullptr}});
        std::string sid = s.new_id("subscription_types", false);
        s.coll("subscription_types")
            .insert(sid, json::object{
                             {"type", "subscription"},
                             {"id", sid},
                             {"state", "live"},
                             {"default_translation",
                              json::object{{"name", std::array{"Newsletter", "Product updates", "Offers"}[i]},
                                           {"description", "Email subscription"},
                                           {"locale", "en"}}},
                             {"translations", json::array{}},
                             {"consent_type", "opt_out"},
                             {"content_types", json::array{"email"}}});
    }
    {
        std::string id = s.new_id("help_centers", false);
        s.coll("help_centers")
            .insert(id, json::object{{"id", id},
                                     {"workspace_id", s.workspace_id},
                                     {"created_at", spec.base_time},
                                     {"updated_at", spec.base_time},
                                     {"identifier", "help"},
                                     {"website_turned_on", true},
                                     {"display_name", "Help Center"}});
        std::string nf = s.new_id("newsfeeds", false);
        s.coll("newsfeeds")
            .insert(nf, json::object{{"id", nf},
                                     {"type", "newsfeed"},
                                     {"name", "Product news"},
                                     {"created_at", spec.base_time},
                                     {"updated_at", spec.base_time}});
        std::string tt = s.new_id("ticket_types", false);
        s.coll("ticket_types")
            .insert(tt, json::object{{"type", "ticket_type"},
                                     {"id", tt},
                                     {"category", "Customer"},
                                     {"name", "Bug report"},
                                     {"description", "Something is broken"},
                                     {"icon", "🐞"},
                                     {"workspace_id", s.workspace_id},
                                     {"archived", false},
                                     {"created_at", spec.base_time},
                                     {"updated_at", spec.base_time},
                                     {"ticket_type_attributes",
                                      json::object{{"type", "list"}, {"data", json::array{}}}}});
        for (int st = 0; st < 4; ++st) {
            std::string id2 = s.new_id("ticket_states", false);
            const char* cat = std::array{"submitted", "in_progress", "waiting_on_customer", "resolved"}[st];
            s.coll("ticket_states")
                .insert(id2, json::object{{"type", "ticket_state"},
                                          {"id", id2},
                                          {"category", cat},
                                          {"internal_label", cat},
                                          {"external_label", cat}});
        }
        std::string da = s.new_id("data_attributes", false);
        s.coll("data_attributes")
            .insert(da, json::object{{"type", "data_attribute"},
                                     {"id", std::stoll(da)},
                                     {"model", "contact"},
                                     {"name", "plan"},
                                     {"full_name", "custom_attributes.plan"},
                                     {"label", "plan"},
                                     {"data_type", "string"},
                                     {"api_writable", true},
                                     {"custom", true},
                                     {"archived", false},
                                     {"created_at", spec.base_time},
                                     {"updated_at", spec.base_time}});
    }

    {
        std::string vid = s.new_id("visitors", true);
        s.coll("visitors")
            .insert(vid, json::object{{"type", "visitor"},
                                      {"id", vid},
                                      {"user_id", "visitor-1"},
                                      {"anonymous", true},
                                      {"email", ""},
                                      {"name", nullptr},
                                      {"created_at", spec.base_time},
                                      {"updated_at", spec.base_time},
                                      {"custom_attributes", json::object{}}});
    }

    // Companies first, so contacts can reference them.
    rng r{spec.seed};
    auto& companies = s.coll("companies");
    for (std::size_t i = 0; i < spec.companies; ++i) {
        std::string id = s.new_id("companies", true);
        char cid[32];
        std::snprintf(cid, sizeof cid, "co-%06zu", i + 1);
        std::int64_t t = spec.base_time + static_cast<std::int64_t>(i) * 60;
        json::object c;
        c["type"] = "company";
        c["id"] = id;
        c["name"] = std::string(r.of(last_names)) + " " + r.of(industries) + " " + std::to_string(i + 1);
        c["app_id"] = s.workspace_id;
        c["company_id"] = cid;
        c["remote_created_at"] = t;
        c["created_at"] = t;
        c["updated_at"] = t;
        c["last_request_at"] = t + 3600;
        c["monthly_spend"] = static_cast<double>(r.pick(100000)) / 10.0;
        c["session_count"] = r.pick(500);
        c["user_count"] = 0;
        c["size"] = r.pick(5000);
        c["website"] = std::string("https://www.") + r.of(domains);
        c["industry"] = r.of(industries);
        c["plan"] =
            json::object{{"type", "plan"}, {"id", std::to_string(269315 + r.pick(3))}, {"name", r.of(plans)}};
        c["custom_attributes"] = json::object{{"tier", static_cast<std::int64_t>(r.pick(4))}};
        c["tags"] = json::object{{"type", "tag.list"}, {"tags", json::array{}}};
        c["segments"] = json::object{{"type", "segment.list"}, {"segments", json::array{}}};
        companies.insert(id, std::move(c));
        s.seeded_companies.push_back(cid);
    }

    auto& contacts = s.coll("contacts");
    const bool spread = spec.contact_span > 0;
    const std::int64_t span_end = spec.base_time + spec.contact_span;
    std::int64_t prev = spec.base_time;
    for (std::size_t i = 0; i < spec.contacts; ++i) {
        std::string id = s.new_id("contacts", true);
        // Non-decreasing in creation order (the order list cursors walk).
        std::int64_t t = std::max(prev, seeded_contact_time(spec, i, spec.contacts));
        prev = t;
        auto c = make_contact(s, id, t);
        std::string first = r.of(first_names), last = r.of(last_names);
        const char* dom = r.of(domains);
        std::size_t ci = r.pick(countries.size());
        bool lead = r.pick(5) == 0;
        c["role"] = lead ? "lead" : "user";
        c["external_id"] = lead ? json::value(nullptr) : json::value("ext-" + std::to_string(i + 1));
        c["email"] = to_lower(first) + "." + to_lower(last) + "." + std::to_string(i + 1) + "@" + dom;
        c["email_domain"] = dom;
        c["phone"] = "+35386" + std::to_string(1000000 + r.pick(8999999));
        c["formatted_phone"] = c["phone"];
        c["name"] = first + " " + last;
        c["owner_id"] = r.pick(3) == 0 ? json::value(nullptr)
                                       : json::value(std::stoll(std::to_string(991267390 + r.pick(4))));
        c["has_hard_bounced"] = r.pick(20) == 0;
        c["marked_email_as_spam"] = r.pick(50) == 0;
        c["unsubscribed_from_emails"] = r.pick(8) == 0;
        if (spread) {
            // Updated some time between creation and the end of the span (a bulk import's
            // contacts are touched on many different days later).
            const double f = static_cast<double>(r.pick(1000000)) / 1e6;
            c["updated_at"] = t + static_cast<std::int64_t>(
                                      f * static_cast<double>(std::max<std::int64_t>(0, span_end - t)));
        } else {
            c["updated_at"] = t + static_cast<std::int64_t>(r.pick(86400 * 30));
        }
        c["signed_up_at"] = lead ? json::value(nullptr) : json::value(t);
        c["last_seen_at"] = t + static_cast<std::int64_t>(r.pick(86400 * 60));
        c["last_replied_at"] = r.pick(2) ? json::value(t + 7200) : json::value(nullptr);
        c["last_contacted_at"] = r.pick(2) ? json::value(t + 3600) : json::value(nullptr);
        c["last_email_opened_at"] = r.pick(3) ? json::value(t + 5400) : json::value(nullptr);
        c["last_email_clicked_at"] = nullptr;
        c["language_override"] = r.pick(4) == 0 ? json::value(r.of(languages)) : json::value(nullptr);
        c["browser"] = r.of(browsers);
        c["browser_version"] = std::to_string(100 + r.pick(30)) + ".0." + std::to_string(r.pick(6000));
        c["browser_language"] = r.of(languages);
        c["os"] = r.of(oses);
        c["ios_app_name"] = r.pick(4) == 0 ? json::value("Acme iOS") : json::value(nullptr);
        c["android_app_name"] = r.pick(4) == 0 ? json::value("Acme Android") : json::value(nullptr);
        auto& ca = c["custom_attributes"].as_object();
        ca["plan"] = r.of(plans);
        ca["seats"] = static_cast<std::int64_t>(r.pick(200));
        ca["beta_tester"] = r.pick(3) == 0;
        ca["referral_code"] = "REF" + std::to_string(10000 + r.pick(89999));
        c["avatar"].as_object()["image_url"] = "https://static.example.com/avatars/" + id + ".png";
        auto& loc = c["location"].as_object();
        loc["country"] = countries[ci];
        loc["region"] = regions[ci];
        loc["city"] = cities[ci];
        loc["country_code"] = country_codes[ci];
        loc["continent_code"] = continents[ci];
        c["social_profiles"].as_object()["data"] = json::array{
            json::object{{"type", "social_profile"},
                         {"name", "Twitter"},
                         {"url", "https://twitter.com/" + to_lower(first) + std::to_string(i + 1)}}};
        contacts.insert(id, std::move(c));
        s.seeded_contacts.push_back(id);
    }
    // Attach each contact to one company (round robin) so /companies/{id}/contacts has content.
    if (spec.companies > 0 && spec.contacts > 0) {
        auto cos = companies.all();
        auto cts = contacts.all();
        for (std::size_t i = 0; i < cts.size(); ++i) {
            auto* co = cos[i % cos.size()];
            auto& emb = cts[i]->obj["companies"].as_object();
            emb["data"].as_array().push_back(
                json::object{{"type", "company"}, {"id", co->id}, {"url", "/companies/" + co->id}});
            emb["total_count"] = 1;
            auto& uc = co->obj["user_count"];
            uc = uc.to_number<std::int64_t>() + 1;
        }
    }

    // Serialise every contact once now (the cache a GET or a page copies), so that the first walk over a
    // large store does not spend the fake's CPU on it while a benchmark measures the client.
    for (auto* e : contacts.all())
        (void)e->json();

    auto& convs = s.coll("conversations");
    auto contact_entries = contacts.all();
    for (std::size_t i = 0; i < spec.conversations; ++i) {
        std::string id = s.new_id("conversations", false);
        std::int64_t t = spec.base_time + static_cast<std::int64_t>(i) * 91;
        json::object cv;
        cv["type"] = "conversation";
        cv["id"] = id;
        cv["title"] = nullptr;
        cv["created_at"] = t;
        cv["updated_at"] = t + 600;
        cv["waiting_since"] = nullptr;
        cv["snoozed_until"] = nullptr;
        bool open = r.pick(3) != 0;
        cv["open"] = open;
        cv["state"] = open ? "open" : "closed";
        cv["read"] = r.pick(2) == 0;
        cv["priority"] = r.pick(5) == 0 ? "priority" : "not_priority";
        cv["admin_assignee_id"] =
            r.pick(2) ? json::value(std::stoll(admin_ids[r.pick(admin_ids.size())])) : json::value(nullptr);
        cv["team_assignee_id"] = nullptr;
        std::string author_id =
            contact_entries.empty() ? std::string() : contact_entries[i % contact_entries.size()]->id;
        std::string body = std::string("<p>Hello, I need help with my ") + r.of(plans) + " plan</p>";
        cv["source"] = json::object{
            {"type", "conversation"},
            {"id", std::to_string(400000000 + i)},
            {"delivered_as", "customer_initiated"},
            {"subject", ""},
            {"body", body},
            {"author", json::object{{"type", "user"}, {"id", author_id}, {"name", nullptr}, {"email", ""}}},
            {"attachments", json::array{}},
            {"url", nullptr},
            {"redacted", false}};
        json::array cts;
        if (!author_id.empty())
            cts.push_back(json::object{{"type", "contact"}, {"id", author_id}, {"external_id", nullptr}});
        cv["contacts"] = json::object{{"type", "contact.list"}, {"contacts", std::move(cts)}};
        cv["teammates"] = json::object{{"type", "admin.list"}, {"admins", json::array{}}};
        cv["custom_attributes"] = json::object{};
        cv["tags"] = json::object{{"type", "tag.list"}, {"tags", json::array{}}};
        cv["conversation_rating"] = nullptr;
        cv["statistics"] = json::object{{"type", "conversation_statistics"},
                                        {"count_reopens", 0},
                                        {"count_assignments", 0},
                                        {"count_conversation_parts", 1}};
        cv["conversation_parts"] = json::object{
            {"type", "conversation_part.list"}, {"conversation_parts", json::array{}}, {"total_count", 0}};
        convs.insert(id, std::move(cv));
        s.seeded_conversations.push_back(id);
    }
}

} // namespace intercom::testing::detail
