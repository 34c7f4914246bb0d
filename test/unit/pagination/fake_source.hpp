// Test doubles: an in-memory Intercom-like dataset served through the page_source seam in every
// pagination style, with instrumentation (requests, in-flight count, consumer progress).
#pragma once

#include <intercom/pagination/page_source.hpp>
#include <intercom/pagination/pages.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace intercom::test {

namespace json = boost::json;

inline std::string make_id(std::size_t i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "c%06zu", i);
    return buf;
}

/// `n` contacts with ids c000000.. and created_at spread over `days` days (deterministic).
inline std::vector<json::value> make_dataset(std::size_t n, std::int64_t base_ts = 1'700'000'000,
                                             std::int64_t days = 200) {
    std::vector<json::value> out;
    out.reserve(n);
    std::uint64_t x = 88172645463325252ull;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        std::int64_t ts = base_ts + static_cast<std::int64_t>(x % static_cast<std::uint64_t>(days * 86400));
        out.push_back(json::object{{"type", "contact"}, {"id", make_id(i)}, {"created_at", ts}});
    }
    return out;
}

enum class serve_style { cursor, page_number, search, scroll, next_url, single_page };
enum class end_shape { absent, null };

struct counters {
    std::size_t fetches = 0;
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 0;
    std::size_t cancelled = 0;
    std::size_t completed = 0;
};

struct in_flight_guard {
    counters& c;
    explicit in_flight_guard(counters& cc) : c(cc) {
        ++c.in_flight;
        c.max_in_flight = std::max(c.max_in_flight, c.in_flight);
    }
    ~in_flight_guard() { --c.in_flight; }
};

inline std::string query_value(const api_request& r, const std::string& key) {
    for (const auto& [k, v] : r.query)
        if (k == key) return v;
    return {};
}

/// Serves `items` in one style. Every knob is public so tests can script behaviour.
class fake_source : public pagination::page_source {
public:
    fake_source(std::vector<json::value> items, serve_style s) : items_(std::move(items)), style_(s) {}

    std::vector<json::value> items_;
    serve_style style_;
    end_shape end = end_shape::absent;
    bool send_total_pages = true;
    std::chrono::milliseconds latency{0};
    std::size_t slow_from = 1;           ///< 1-based fetch number from which `latency` applies
    std::size_t fail_at = 0;             ///< 1-based fetch number answered with a 500 (0: never)
    std::size_t expire_scroll_at = 0;    ///< 1-based fetch number answered with a scroll 404
    std::int64_t tz_offset = 0;          ///< workspace timezone for day-granular date filters
    counters c;
    std::vector<api_request> requests;
    std::vector<std::size_t> consumed_at_request;  ///< value of `consumed` when each request arrived
    std::size_t consumed = 0;                      ///< pages the consumer finished (set by tests)
    std::size_t scroll_offset = 0;
    int scroll_generation = 0;

    boost::asio::awaitable<result<json::value>> fetch(api_request req) override {
        in_flight_guard g(c);
        const std::size_t n = ++c.fetches;
        requests.push_back(req);
        consumed_at_request.push_back(consumed);
        if (latency.count() > 0 && n >= slow_from) {
            boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, latency);
            auto [ec] = co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) {
                ++c.cancelled;
                co_return error_info{errc::cancelled};
            }
        }
        ++c.completed;
        if (n == fail_at) {
            error_info e{errc::internal_server_error};
            e.diag.http_status = 500;
            e.diag.request_id = "req-500";
            e.diag.message = "scripted server error";
            co_return e;
        }
        if (n == expire_scroll_at) {
            error_info e{errc::not_found};
            e.diag.http_status = 404;
            e.diag.message = "scroll parameter not found";
            co_return e;
        }
        co_return respond(req);
    }

    /// The dataset filtered by a search body's query (AND of filters on created_at, day-granular).
    std::vector<const json::value*> select(const api_request& req) {
        // Cache per query so the fake's own CPU cost does not dominate request counts and timings.
        std::string key = req.body ? json::serialize(json::parse(*req.body).at("query")) : std::string();
        if (auto it = select_cache_.find(key); it != select_cache_.end()) return it->second;
        std::vector<const json::value*> out;
        std::vector<std::pair<std::string, std::int64_t>> conds;
        if (req.body) {
            auto body = json::parse(*req.body);
            const auto& q = body.at("query").as_object();
            auto add = [&](const json::object& f) {
                if (f.contains("field") && f.at("field").as_string() == "created_at")
                    conds.emplace_back(std::string(f.at("operator").as_string()),
                                       *pagination::lenient_int(f.at("value")));
            };
            if (q.contains("field")) add(q);
            else
                for (const auto& m : q.at("value").as_array()) add(m.as_object());
        }
        auto day = [&](std::int64_t ts) { return (ts + tz_offset) >= 0 ? (ts + tz_offset) / 86400 : -1; };
        for (const auto& it : items_) {
            std::int64_t v = it.at("created_at").as_int64();
            bool ok = true;
            for (const auto& [op, x] : conds) {
                if (op == ">") ok = ok && day(v) > day(x);
                else if (op == "<") ok = ok && day(v) < day(x);
                else if (op == "=") ok = ok && day(v) == day(x);
            }
            if (ok) out.push_back(&it);
        }
        select_cache_[key] = out;
        return out;
    }
    std::map<std::string, std::vector<const json::value*>> select_cache_;

    json::value respond(const api_request& req) {
        std::size_t per_page = 50;
        std::size_t offset = 0;
        std::vector<const json::value*> set;
        for (const auto& it : items_) set.push_back(&it);
        json::object body{{"type", "list"}};
        json::object pages{{"type", "pages"}};
        auto cursor_next = [&](std::size_t next_off) -> json::value {
            return json::object{{"page", static_cast<std::int64_t>(next_off / per_page + 1)},
                                {"starting_after", "o" + std::to_string(next_off)}};
        };
        switch (style_) {
        case serve_style::cursor:
        case serve_style::search: {
            std::string after;
            if (style_ == serve_style::cursor) {
                if (auto pp = query_value(req, "per_page"); !pp.empty()) per_page = std::stoul(pp);
                after = query_value(req, "starting_after");
            } else {
                set = select(req);
                auto b = json::parse(*req.body);
                if (auto* p = b.as_object().if_contains("pagination")) {
                    per_page = static_cast<std::size_t>(p->at("per_page").as_int64());
                    if (auto* s = p->as_object().if_contains("starting_after")) after = std::string(s->as_string());
                }
            }
            if (!after.empty()) offset = std::stoul(after.substr(1));
            const std::size_t end_off = std::min(set.size(), offset + per_page);
            json::array data;
            for (std::size_t i = offset; i < end_off; ++i) data.push_back(*set[i]);
            body["data"] = std::move(data);
            body["total_count"] = set.size();
            pages["page"] = offset / per_page + 1;
            pages["per_page"] = std::to_string(per_page);  // Intercom sometimes sends a string
            pages["total_pages"] = (set.size() + per_page - 1) / per_page;
            if (end_off < set.size()) pages["next"] = cursor_next(end_off);
            else if (end == end_shape::null) pages["next"] = nullptr;
            body["pages"] = std::move(pages);
            break;
        }
        case serve_style::page_number: {
            if (auto pp = query_value(req, "per_page"); !pp.empty()) per_page = std::stoul(pp);
            std::size_t page = 1;
            if (auto p = query_value(req, "page"); !p.empty()) page = std::stoul(p);
            offset = (page - 1) * per_page;
            const std::size_t total_pages = (set.size() + per_page - 1) / per_page;
            json::array data;
            for (std::size_t i = offset; i < std::min(set.size(), offset + per_page); ++i) data.push_back(*set[i]);
            body["data"] = std::move(data);
            pages["page"] = page;
            pages["per_page"] = per_page;
            if (send_total_pages) pages["total_pages"] = total_pages;
            if (page < total_pages)
                pages["next"] = "https://api.intercom.io/companies?per_page=" + std::to_string(per_page) +
                                "&page=" + std::to_string(page + 1);
            else
                pages["next"] = nullptr;
            body["pages"] = std::move(pages);
            break;
        }
        case serve_style::scroll: {
            // Server-side scroll state; the parameter stays the same for the whole scroll.
            auto param = query_value(req, "scroll_param");
            if (param.empty()) {
                ++scroll_generation;
                scroll_offset = 0;
            }
            per_page = 50;
            json::array data;
            for (std::size_t i = scroll_offset; i < std::min(set.size(), scroll_offset + per_page); ++i)
                data.push_back(*set[i]);
            scroll_offset += data.size();
            body["data"] = std::move(data);
            body["pages"] = nullptr;
            body["scroll_param"] = "scroll-" + std::to_string(scroll_generation);
            break;
        }
        case serve_style::next_url: {
            if (auto t = query_value(req, "page_token"); !t.empty()) offset = std::stoul(t);
            per_page = 100;
            const std::size_t end_off = std::min(set.size(), offset + per_page);
            json::array events;
            for (std::size_t i = offset; i < end_off; ++i) events.push_back(*set[i]);
            body["events"] = std::move(events);
            if (end_off < set.size())
                body["pages"] = json::object{
                    {"next", "https://api.intercom.io/events?type=user&user_id=u1&page_token=" + std::to_string(end_off)}};
            break;
        }
        case serve_style::single_page: {
            json::array data;
            for (auto* it : set) data.push_back(*it);
            body["data"] = std::move(data);
            // A pages object that must not be followed.
            body["pages"] = json::object{{"next", json::object{{"starting_after", "never"}}}};
            break;
        }
        }
        return body;
    }
};

/// Answers with a scripted list of bodies, in order (then empty lists).
class scripted_source : public pagination::page_source {
public:
    explicit scripted_source(std::vector<json::value> bodies) : bodies_(std::move(bodies)) {}
    std::vector<json::value> bodies_;
    std::vector<api_request> requests;

    boost::asio::awaitable<result<json::value>> fetch(api_request req) override {
        requests.push_back(req);
        const std::size_t n = requests.size() - 1;
        if (n < bodies_.size()) co_return bodies_[n];
        co_return json::parse(R"({"data":[]})");
    }
};

} // namespace intercom::test
