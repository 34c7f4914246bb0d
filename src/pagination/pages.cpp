#include <intercom/pagination/pages.hpp>

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

namespace intercom::pagination {

namespace {

error_info bad(std::string msg, const boost::json::value& v) {
    error_info e{errc::decode_error};
    e.diag.message = std::move(msg) + ": " + boost::json::serialize(v).substr(0, 200);
    return e;
}

} // namespace

std::optional<std::int64_t> lenient_int(const boost::json::value& v) noexcept {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<std::int64_t>(v.get_uint64());
    }
    if (v.is_double()) {
        double d = v.get_double();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) return static_cast<std::int64_t>(d);
        return std::nullopt;
    }
    if (v.is_string()) {
        const auto& s = v.get_string();
        std::int64_t out = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return out;
    }
    return std::nullopt;
}

result<pages_info> decode_pages(const boost::json::value& body) {
    pages_info out;
    const auto* obj = body.if_object();
    if (!obj) return out;
    if (auto it = obj->find("total_count"); it != obj->end()) out.total_count = lenient_int(it->value());
    if (auto it = obj->find("scroll_param"); it != obj->end()) {
        if (it->value().is_string() && !it->value().get_string().empty())
            out.scroll_param = std::string(it->value().get_string());
        else if (!it->value().is_null() && !it->value().is_string())
            return bad("scroll_param is not a string", it->value());
    }
    auto pit = obj->find("pages");
    if (pit == obj->end() || pit->value().is_null()) return out;
    const auto* pages = pit->value().if_object();
    if (!pages) return bad("pages is not an object", pit->value());
    out.present = true;
    auto int_member = [&](const char* name, std::optional<std::int64_t>& dst) {
        if (auto it = pages->find(name); it != pages->end()) dst = lenient_int(it->value());
    };
    int_member("page", out.page);
    int_member("per_page", out.per_page);
    int_member("total_pages", out.total_pages);

    auto nit = pages->find("next");
    if (nit == pages->end()) return out;
    const auto& next = nit->value();
    if (next.is_null()) {
        out.next = next_shape::null;
    } else if (next.is_string()) {
        if (next.get_string().empty()) {
            out.next = next_shape::null;
        } else {
            out.next = next_shape::url;
            out.next_url = std::string(next.get_string());
        }
    } else if (next.is_object()) {
        out.next = next_shape::object;
        const auto& n = next.get_object();
        if (auto it = n.find("starting_after"); it != n.end()) {
            if (it->value().is_string() && !it->value().get_string().empty())
                out.next_starting_after = std::string(it->value().get_string());
            else if (!it->value().is_null() && !it->value().is_string())
                return bad("pages.next.starting_after is not a string", it->value());
        }
        if (auto it = n.find("page"); it != n.end()) out.next_page = lenient_int(it->value());
    } else {
        return bad("pages.next has an unexpected type", next);
    }
    return out;
}

std::string item_id(const boost::json::value& item) {
    const auto* obj = item.if_object();
    if (!obj) return {};
    const auto* id = obj->if_contains("id");
    if (!id) return {};
    if (id->is_string()) return std::string(id->get_string());
    if (auto i = lenient_int(*id)) return std::to_string(*i);
    return {};
}

} // namespace intercom::pagination
