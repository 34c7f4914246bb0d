#include "store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace json = boost::json;

namespace intercom::testing::detail {

const std::shared_ptr<const std::string>& entry::json() const {
    if (!cache) cache = std::make_shared<const std::string>(json::serialize(obj));
    return cache;
}

entry* collection::find(std::string_view id) {
    auto it = by_id_.find(std::string(id));
    if (it == by_id_.end()) return nullptr;
    return &by_seq_.at(it->second);
}

entry& collection::insert(std::string id, json::object obj) {
    if (auto* e = find(id)) {
        e->obj = std::move(obj);
        e->touch();
        return *e;
    }
    std::uint64_t seq = next_seq_++;
    by_id_.emplace(id, seq);
    entry& e = by_seq_[seq];
    e.seq = seq;
    e.id = std::move(id);
    e.obj = std::move(obj);
    return e;
}

bool collection::erase(std::string_view id) {
    auto it = by_id_.find(std::string(id));
    if (it == by_id_.end()) return false;
    by_seq_.erase(it->second);
    by_id_.erase(it);
    return true;
}

std::vector<entry*> collection::after(std::uint64_t after_seq, std::size_t n) {
    std::vector<entry*> out;
    out.reserve(std::min(n, by_seq_.size()));
    for (auto it = by_seq_.upper_bound(after_seq); it != by_seq_.end() && out.size() < n; ++it)
        out.push_back(&it->second);
    return out;
}

std::vector<entry*> collection::all() {
    std::vector<entry*> out;
    out.reserve(by_seq_.size());
    for (auto& [seq, e] : by_seq_)
        out.push_back(&e);
    return out;
}

std::string call::query_or(const std::string& key, std::string def) const {
    auto it = query.find(key);
    return it == query.end() ? def : it->second;
}

const json::object* call::body() const {
    if (!parsed_) {
        parsed_ = true;
        bool blank = std::all_of(body_text.begin(), body_text.end(),
                                 [](unsigned char ch) { return std::isspace(ch); });
        if (!blank) {
            boost::system::error_code ec;
            json_ = json::parse(body_text, ec);
            if (ec) {
                invalid_ = true;
                json_ = nullptr;
            }
        }
    }
    return json_.if_object();
}

bool call::body_invalid() const {
    (void)body();
    return invalid_ || (!body_text.empty() && !json_.is_object() && !json_.is_null());
}

reply json_reply(unsigned status, std::string body) {
    reply r;
    r.status = status;
    r.body = std::make_shared<const std::string>(std::move(body));
    return r;
}

reply json_reply(unsigned status, const json::value& v) {
    return json_reply(status, json::serialize(v));
}

reply shared_reply(std::shared_ptr<const std::string> body) {
    reply r;
    r.body = std::move(body);
    return r;
}

std::string error_body(std::string_view request_id, std::string_view code, std::string_view message) {
    json::object o;
    o["type"] = "error.list";
    o["request_id"] = request_id;
    json::object err;
    err["code"] = code;
    err["message"] = message;
    o["errors"] = json::array{std::move(err)};
    return json::serialize(o);
}

reply error_reply(const call& c, unsigned status, std::string_view code, std::string_view message) {
    return json_reply(status, error_body(c.request_id, code, message));
}

reply not_found(const call& c, std::string_view code, std::string_view message) {
    return error_reply(c, 404, code, message);
}

reply bad_param(const call& c, std::string_view message) {
    return error_reply(c, 400, "parameter_invalid", message);
}

reply invalid_json(const call& c) {
    return bad_param(c, "Request body is not valid JSON");
}

std::string make_cursor(std::uint64_t seq, std::size_t pos) {
    // Opaque to clients; hex of "c:<seq>" or "c:<seq>:<pos>".
    std::string plain = "c:" + std::to_string(seq);
    if (pos > 0) plain += ":" + std::to_string(pos);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char ch : plain) {
        out += hex[ch >> 4];
        out += hex[ch & 15];
    }
    return out;
}

std::optional<parsed_cursor> parse_cursor(std::string_view s) {
    if (s.size() % 2 != 0 || s.size() < 6) return std::nullopt;
    std::string plain;
    for (std::size_t i = 0; i < s.size(); i += 2) {
        unsigned v = 0;
        auto r = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
        if (r.ec != std::errc{} || r.ptr != s.data() + i + 2) return std::nullopt;
        plain += static_cast<char>(v);
    }
    if (plain.rfind("c:", 0) != 0) return std::nullopt;
    parsed_cursor out;
    const char* end = plain.data() + plain.size();
    auto r = std::from_chars(plain.data() + 2, end, out.seq);
    if (r.ec != std::errc{}) return std::nullopt;
    if (r.ptr != end) {
        if (*r.ptr != ':') return std::nullopt;
        auto r2 = std::from_chars(r.ptr + 1, end, out.pos);
        if (r2.ec != std::errc{} || r2.ptr != end) return std::nullopt;
    }
    return out;
}

namespace {
void fill_pages(page_slice& out, std::size_t start, std::size_t end, std::size_t total, std::size_t per_page,
                const entry* last) {
    out.total = total;
    std::size_t total_pages = (total + per_page - 1) / per_page;
    std::size_t page = start / per_page + 1;
    out.pages["type"] = "pages";
    if (end < total && last) {
        json::object next;
        next["page"] = page + 1;
        next["starting_after"] = make_cursor(last->seq, end);
        out.pages["next"] = std::move(next);
    }
    out.pages["page"] = page;
    out.pages["per_page"] = per_page;
    out.pages["total_pages"] = total_pages;
}
} // namespace

std::optional<page_slice> cursor_page(const std::vector<entry*>& items, std::size_t per_page,
                                      std::string_view starting_after, bool seq_ordered) {
    std::size_t start = 0;
    if (!starting_after.empty()) {
        auto cur = parse_cursor(starting_after);
        if (!cur) return std::nullopt;
        if (cur->pos > 0 && cur->pos <= items.size() && items[cur->pos - 1]->seq == cur->seq) {
            start = cur->pos; // O(1): the list is the one the cursor was made from
        } else if (seq_ordered) {
            auto it = std::upper_bound(items.begin(), items.end(), cur->seq,
                                       [](std::uint64_t v, const entry* e) { return v < e->seq; });
            start = static_cast<std::size_t>(it - items.begin());
        } else {
            // Another order (a sorted search): the cursor names the last item of the previous page.
            auto it =
                std::find_if(items.begin(), items.end(), [&](const entry* e) { return e->seq == cur->seq; });
            if (it == items.end()) return std::nullopt;
            start = static_cast<std::size_t>(it - items.begin()) + 1;
        }
    }
    page_slice out;
    std::size_t end = std::min(items.size(), start + per_page);
    out.items.assign(items.begin() + static_cast<std::ptrdiff_t>(start),
                     items.begin() + static_cast<std::ptrdiff_t>(end));
    fill_pages(out, start, end, items.size(), per_page, end > 0 ? items[end - 1] : nullptr);
    return out;
}

std::optional<page_slice> collection_page(collection& items, std::size_t per_page,
                                          std::string_view starting_after) {
    std::uint64_t after = 0;
    std::size_t start = 0;
    if (!starting_after.empty()) {
        auto cur = parse_cursor(starting_after);
        if (!cur) return std::nullopt;
        after = cur->seq;
        start = cur->pos; // only for the page number; deletions meanwhile make it approximate
    }
    page_slice out;
    out.items = items.after(after, per_page);
    const std::size_t total = items.size();
    start = std::min(start, total);
    // More exist when the walk did not reach the newest entry.
    const bool more = !out.items.empty() && !items.after(out.items.back()->seq, 1).empty();
    std::size_t end = start + out.items.size();
    if (more && end >= total) end = total - 1; // positions went stale (deletions): keep a next link
    if (!more) end = total;
    fill_pages(out, start, end, total, per_page, out.items.empty() ? nullptr : out.items.back());
    return out;
}

page_slice number_page(const std::vector<entry*>& items, std::size_t page, std::size_t per_page,
                       std::string_view next_url_base) {
    page_slice out;
    out.total = items.size();
    if (page == 0) page = 1;
    std::size_t start = std::min(items.size(), (page - 1) * per_page);
    std::size_t end = std::min(items.size(), start + per_page);
    out.items.assign(items.begin() + static_cast<std::ptrdiff_t>(start),
                     items.begin() + static_cast<std::ptrdiff_t>(end));
    std::size_t total_pages = (items.size() + per_page - 1) / per_page;
    out.pages["type"] = "pages";
    out.pages["page"] = page;
    out.pages["per_page"] = per_page;
    out.pages["total_pages"] = total_pages;
    if (page < total_pages && !next_url_base.empty()) {
        std::string next(next_url_base);
        next += (next.find('?') == std::string::npos ? '?' : '&');
        next += "per_page=" + std::to_string(per_page) + "&page=" + std::to_string(page + 1);
        out.pages["next"] = next;
    } else {
        out.pages["next"] = nullptr;
    }
    return out;
}

std::string list_body(std::string_view type, std::string_view field, const std::vector<entry*>& items,
                      const json::object& extra) {
    std::size_t size = 64;
    for (auto* e : items)
        size += e->json()->size() + 1;
    std::string out;
    out.reserve(size + 256);
    out += R"({"type":)";
    out += json::serialize(json::string(type));
    out += ",\"";
    out += field;
    out += "\":[";
    bool first = true;
    for (auto* e : items) {
        if (!first) out += ',';
        first = false;
        out += *e->json();
    }
    out += ']';
    for (auto& [k, v] : extra) {
        out += ",\"";
        out += k;
        out += "\":";
        out += json::serialize(v);
    }
    out += '}';
    return out;
}

std::optional<std::size_t> parse_per_page(const std::string& s, std::size_t def, std::size_t max) {
    if (s.empty()) return def;
    std::size_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || v == 0 || v > max) return std::nullopt;
    return v;
}

collection& store::coll(std::string_view name) {
    return collections[std::string(name)];
}

std::string store::new_id(std::string_view kind, bool hex) {
    std::uint64_t n = ++id_counters[std::string(kind)];
    if (!hex) {
        // Decimal ids start high enough to look like Intercom's.
        return std::to_string(100000 + n);
    }
    // 24 hex digits: a fixed prefix, a per-kind tag and the counter, so ids are stable and distinct.
    std::uint32_t tag = 0;
    for (char ch : kind)
        tag = tag * 31 + static_cast<unsigned char>(ch);
    char buf[32];
    std::snprintf(buf, sizeof buf, "65%06x%016llx", tag & 0xffffffu, static_cast<unsigned long long>(n));
    return buf;
}

std::int64_t store::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void merge_fields(json::object& dst, const json::object& src, std::initializer_list<std::string_view> deep) {
    for (auto& [k, v] : src) {
        bool is_deep = std::find(deep.begin(), deep.end(), std::string_view(k)) != deep.end();
        if (is_deep && v.is_object()) {
            auto* cur = dst.if_contains(k);
            if (!cur || !cur->is_object()) dst[k] = json::object{};
            auto& o = dst[k].as_object();
            for (auto& [k2, v2] : v.as_object())
                o[k2] = v2;
        } else {
            dst[k] = v;
        }
    }
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

json::object empty_embedded_list(std::string_view url) {
    json::object o;
    o["type"] = "list";
    o["data"] = json::array{};
    o["url"] = url;
    o["total_count"] = 0;
    o["has_more"] = false;
    return o;
}

json::object admin_ref(const std::string& admin_id) {
    json::object o;
    o["type"] = "admin";
    o["id"] = admin_id;
    return o;
}

} // namespace intercom::testing::detail
