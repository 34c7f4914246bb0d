// Fuzz target: the search query builder and validator. Builds an expression tree from the bytes
// (filters on catalogued, custom and arbitrary fields, every operator and value shape, groups of
// any size and depth), validates it for every searchable object and serialises it.
// Properties: never crash or throw; what validates also serialises (to_json succeeds) and its JSON
// text parses back; what does not validate fails with `errc::invalid_query` and a message.
#include <intercom/error.hpp>
#include <intercom/search/query.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace s = intercom::search;

/// Reads the fuzz input as a sequence of choices; reads past the end give zeros.
class reader {
public:
    reader(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    std::uint8_t byte() { return i_ < n_ ? d_[i_++] : 0; }
    bool empty() const { return i_ >= n_; }
    std::int64_t int64() {
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k) v = v << 8 | byte();
        return static_cast<std::int64_t>(v);
    }
    std::string text() {
        std::size_t len = byte() % 24;
        std::string out;
        for (std::size_t k = 0; k < len && !empty(); ++k) out.push_back(static_cast<char>(byte()));
        return out;
    }

private:
    const std::uint8_t* d_;
    std::size_t n_;
    std::size_t i_ = 0;
};

const char* const known_fields[] = {
    "id", "email", "name", "role", "created_at", "updated_at", "last_seen_at", "unsubscribed_from_emails",
    "location.country", "tag_id", "segment_id", "open", "state", "source.author.email", "contact_ids",
    "priority", "statistics.time_to_admin_reply", "conversation_rating.score", "ticket_type_id",
    "custom_attributes.plan", "custom_attributes.", "ticket_attribute.123", "ticket_attribute.x", "",
    "title", "category", "team_assignee_id", "admin_assignee_id", "read", "waiting_since"};

std::string field_name(reader& r) {
    std::uint8_t k = r.byte();
    if (k < 200) return known_fields[k % std::size(known_fields)];
    if (k < 230) return "custom_attributes." + r.text();
    return r.text();
}

s::filter_value value(reader& r) {
    switch (r.byte() % 6) {
    case 0: return nullptr;
    case 1: return r.text();
    case 2: return r.int64();
    case 3: return bool(r.byte() & 1);
    case 4: {
        std::vector<std::string> v(r.byte() % 8);
        for (auto& e : v) e = r.text();
        return v;
    }
    default: {
        std::vector<std::int64_t> v(r.byte() % 8);
        for (auto& e : v) e = r.int64();
        return v;
    }
    }
}

s::expr build(reader& r, int depth) {
    std::uint8_t k = r.byte();
    if (depth >= 5 || r.empty() || k % 4 != 0) {
        s::filter f;
        f.field = field_name(r);
        f.oper = static_cast<s::op>(r.byte() % 12);
        f.value = value(r);
        f.unchecked = r.byte() % 5 == 0;
        return f;
    }
    s::group g;
    g.oper = k & 4 ? s::group_op::or_ : s::group_op::and_;
    std::size_t n = r.byte() % 20;
    for (std::size_t i = 0; i < n; ++i) g.members.push_back(build(r, depth + 1));
    if (k & 8) {
        // the operator builders (&&, ||) flatten instead of nesting
        s::expr e = std::move(g);
        s::expr rhs = build(r, depth + 1);
        return k & 16 ? std::move(e) && std::move(rhs) : std::move(e) || std::move(rhs);
    }
    return g;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    reader r(data, size);
    s::validation_options vo;
    std::uint8_t opt = r.byte();
    vo.allow_unknown_fields = opt & 1;
    vo.max_group_depth = opt >> 1 & 3;
    vo.max_group_members = r.byte() % 20;
    if (opt & 8) vo.custom_types.emplace_back("custom_attributes.plan", static_cast<s::field_type>(r.byte() % 6));
    if (opt & 16) vo.custom_types.emplace_back("ticket_attribute.123", static_cast<s::field_type>(r.byte() % 6));

    s::search_request req{build(r, 0)};
    std::uint8_t pg = r.byte();
    if (pg & 1) req.per_page = r.byte() | (pg & 2 ? 0x100u : 0u);
    if (pg & 4) req.starting_after = r.text();
    if (pg & 8) req.sort = s::sort_spec{r.text(), bool(pg & 16)};

    (void)boost::json::serialize(req.query.to_json());
    for (auto kind : {s::object_kind::contacts, s::object_kind::conversations, s::object_kind::tickets}) {
        auto v = s::validate(req.query, kind, vo);
        auto j = s::to_json(req, kind, vo);
        if (v.has_error() && v.error().code != intercom::errc::invalid_query) std::abort();
        if (v.has_error() && v.error().diag.message.empty()) std::abort();
        if (j.has_error() && j.error().code != intercom::errc::invalid_query) std::abort();
        // (validate passing while to_json fails is fine: to_json also checks per_page and sort)
        if (j) {
            auto text = boost::json::serialize(*j);
            boost::system::error_code ec;
            (void)boost::json::parse(text, ec);
            if (ec) std::abort();
        }
    }
    // free-standing helpers on arbitrary text
    std::string t(reinterpret_cast<const char*>(data), size);
    (void)s::parse_op(t);
    (void)s::lookup_field(s::object_kind::contacts, t);
    (void)s::lookup_field(s::object_kind::tickets, t);
    (void)s::is_custom_field(s::object_kind::tickets, t);
    return 0;
}
