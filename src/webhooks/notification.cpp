#include <intercom/webhooks/notification.hpp>
#include <intercom/webhooks/signature.hpp>

#include <boost/json/parse.hpp>

#include <limits>

namespace intercom::webhooks {

namespace json = boost::json;

namespace {

error_info decode_failure(std::string message) {
    error_info e{errc::decode_error};
    e.diag.message = std::move(message);
    return e;
}

// An integer field: absent and null leave `out` alone; another kind is an error. Intercom sends
// epoch seconds as integers; doubles holding an integer are accepted as well.
bool read_int(const json::object& o, std::string_view key, std::optional<std::int64_t>& out) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return true;
    if (v->is_int64()) {
        out = v->get_int64();
        return true;
    }
    if (v->is_uint64() &&
        v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        out = static_cast<std::int64_t>(v->get_uint64());
        return true;
    }
    if (v->is_double()) {
        double d = v->get_double();
        if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
            out = static_cast<std::int64_t>(d);
            return true;
        }
    }
    return false;
}

bool read_string(const json::object& o, std::string_view key, std::string& out) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return true;
    if (!v->is_string()) return false;
    out = v->get_string();
    return true;
}

template <class Model>
notification_item decode_as(const json::value& item) {
    Model m;
    // decode() fails only when `item` is not an object, which the caller has ruled out; unknown and
    // ill-typed keys go to `extra`.
    if (!models::decode(item, m)) return item;
    return m;
}

notification_item decode_item(const json::value& item) {
    const json::object* o = item.if_object();
    if (!o) return item;
    const json::value* type = o->if_contains("type");
    if (!type || !type->is_string()) return item;
    const std::string_view t = type->get_string();
    if (t == "contact") return decode_as<models::contact>(item);
    if (t == "conversation") return decode_as<models::conversation>(item);
    if (t == "company") return decode_as<models::company>(item);
    if (t == "ticket") return decode_as<models::ticket>(item);
    if (t == "admin") return decode_as<models::admin>(item);
    if (t == "visitor") return decode_as<models::visitor>(item);
    return item;
}

} // namespace

std::string_view notification::item_type() const noexcept {
    const json::value* v = nullptr;
    if (const json::object* o = raw.if_object())
        if (const json::value* data = o->if_contains("data"); data && data->is_object())
            if (const json::value* it = data->get_object().if_contains("item"); it && it->is_object())
                v = it->get_object().if_contains("type");
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

result<notification> parse_notification(std::string_view body) {
    boost::system::error_code ec;
    json::value jv = json::parse(body, ec);
    if (ec) {
        auto e = decode_failure("notification body is not JSON: " + ec.message());
        e.diag.cause = ec;
        return e;
    }
    const json::object* o = jv.if_object();
    if (!o) return decode_failure("notification body is not a JSON object");

    notification n;
    const json::value* topic = o->if_contains("topic");
    if (!topic || !topic->is_string()) return decode_failure("notification has no string \"topic\"");
    n.topic = topic->get_string();
    if (!read_string(*o, "id", n.id)) return decode_failure("notification \"id\" is not a string");
    if (!read_string(*o, "app_id", n.app_id))
        return decode_failure("notification \"app_id\" is not a string");

    std::optional<std::int64_t> created_at, attempts;
    if (!read_int(*o, "created_at", created_at))
        return decode_failure("notification \"created_at\" is not an integer");
    n.created_at = created_at.value_or(0);
    if (!read_int(*o, "delivery_attempts", attempts) || (attempts && (*attempts < 0 || *attempts > 1000000)))
        return decode_failure("notification \"delivery_attempts\" is not a small non-negative integer");
    n.delivery_attempts = static_cast<unsigned>(attempts.value_or(0));
    if (!read_int(*o, "first_sent_at", n.first_sent_at))
        return decode_failure("notification \"first_sent_at\" is not an integer");

    const json::value* data = o->if_contains("data");
    const json::value* item = data && data->is_object() ? data->get_object().if_contains("item") : nullptr;
    if (!item) return decode_failure("notification has no \"data\".\"item\"");
    n.item = decode_item(*item);
    n.raw = std::move(jv);
    return n;
}

result<notification> verify_and_parse(std::string_view body, std::string_view signature,
                                      std::string_view client_secret) {
    if (auto ok = verify_signature(body, signature, client_secret); !ok) return ok.error();
    return parse_notification(body);
}

} // namespace intercom::webhooks
