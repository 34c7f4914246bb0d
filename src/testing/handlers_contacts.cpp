// Contacts and their sub-resources: realistic behaviour (validation, conflicts, archive, merge, cursors,
// search).
#include "handlers.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace json = boost::json;

namespace intercom::testing::detail {

std::string str_of(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v) return {};
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    return {};
}

std::string simple_list(const std::vector<entry*>& items, std::string_view type, std::string_view field) {
    return list_body(type, field, items);
}

void embed_add(json::object& owner, std::string_view field, std::string_view list_field, json::object ref) {
    auto* v = owner.if_contains(field);
    if (!v || !v->is_object()) owner[field] = json::object{{"type", "list"}, {list_field, json::array{}}};
    auto& emb = owner[field].as_object();
    if (!emb.contains(list_field) || !emb[list_field].is_array()) emb[list_field] = json::array{};
    auto& arr = emb[list_field].as_array();
    std::string id = str_of(ref, "id");
    for (auto& x : arr)
        if (x.is_object() && str_of(x.as_object(), "id") == id) return;
    arr.push_back(std::move(ref));
    if (emb.contains("total_count")) emb["total_count"] = arr.size();
}

bool embed_remove(json::object& owner, std::string_view field, std::string_view list_field,
                  std::string_view id) {
    auto* v = owner.if_contains(field);
    if (!v || !v->is_object()) return false;
    auto* arr = v->as_object().if_contains(list_field);
    if (!arr || !arr->is_array()) return false;
    auto& a = arr->as_array();
    for (auto it = a.begin(); it != a.end(); ++it) {
        if (it->is_object() && str_of(it->as_object(), "id") == id) {
            a.erase(it);
            if (v->as_object().contains("total_count")) v->as_object()["total_count"] = a.size();
            return true;
        }
    }
    return false;
}

bool embed_has(const json::object& owner, std::string_view field, std::string_view list_field,
               std::string_view id) {
    auto* v = owner.if_contains(field);
    if (!v || !v->is_object()) return false;
    auto* arr = v->as_object().if_contains(list_field);
    if (!arr || !arr->is_array()) return false;
    for (auto& x : arr->as_array())
        if (x.is_object() && str_of(x.as_object(), "id") == id) return true;
    return false;
}

entry* find_contact(store& s, const call& c, const std::string& id, reply& r) {
    entry* e = s.coll("contacts").find(id);
    if (!e) r = not_found(c, "not_found", "User Not Found");
    return e;
}

// The sorted index of `field` in `collection` (rebuilt after any change to the store).
const store::field_index& field_index_of(store& s, std::string_view collection, const std::string& field,
                                         const search_schema& schema) {
    auto& idx = s.indexes[std::string(collection) + '\n' + field];
    if (idx.built && idx.generation == s.generation) return idx;
    idx.keys.clear();
    idx.usable = true;
    std::vector<const json::value*> vals;
    for (auto* e : s.coll(collection).all()) {
        vals.clear();
        schema.resolve(e->obj, field, vals);
        const json::value* num = nullptr;
        std::size_t non_null = 0;
        for (auto* v : vals) {
            if (v->is_null()) continue;
            ++non_null;
            if (v->is_number()) num = v;
        }
        if (non_null > 1) {
            idx.usable = false; // multi-valued: the planner falls back to a scan
            idx.keys.clear();
            break;
        }
        if (num) idx.keys.emplace_back(num->to_number<double>(), e);
    }
    std::stable_sort(idx.keys.begin(), idx.keys.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    idx.keys.shrink_to_fit();
    idx.built = true;
    idx.generation = s.generation;
    return idx;
}

reply run_search(const call& c, store& s, std::string_view collection, const search_schema& schema,
                 std::string_view list_type, std::string_view list_field, std::size_t default_per_page) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b || !b->contains("query")) return bad_param(c, "query parameter is required");
    auto q = compile_query(b->at("query"), schema);
    if (auto* err = std::get_if<std::string>(&q)) return bad_param(c, *err);
    const auto& query = std::get<compiled_query>(q);
    std::size_t per_page = default_per_page;
    std::string starting_after;
    if (auto* p = b->if_contains("pagination"); p && p->is_object()) {
        const auto& po = p->as_object();
        if (auto* pp = po.if_contains("per_page"); pp && !pp->is_null()) {
            if (!pp->is_int64() || pp->get_int64() < 1 || pp->get_int64() > 150)
                return bad_param(c, "per_page must be an integer between 1 and 150");
            per_page = static_cast<std::size_t>(pp->get_int64());
        }
        if (auto* sa = po.if_contains("starting_after"); sa && sa->is_string())
            starting_after = sa->get_string();
    }
    // The documented (spec-less) `sort`: {"field": F, "order": "ascending"|"descending"}; numbers by
    // value, text by its characters, objects without the field last. Default: creation order.
    std::string sort_field;
    bool ascending = false;
    if (auto* so = b->if_contains("sort"); so && !so->is_null()) {
        const auto* obj = so->if_object();
        const json::value* f = obj ? obj->if_contains("field") : nullptr;
        if (!f || !f->is_string() || f->get_string().empty()) return bad_param(c, "sort.field must be a field name");
        if (const auto* ord = obj->if_contains("order")) {
            if (!ord->is_string() || (ord->get_string() != "ascending" && ord->get_string() != "descending"))
                return bad_param(c, "sort.order must be ascending or descending");
            ascending = ord->get_string() == "ascending";
        }
        sort_field = f->get_string();
    }

    // The matches of a query are kept until the store changes (any request other than a GET or a
    // search), so paging through one search costs O(page) per request after the first: the fake's
    // own CPU must not dominate what a benchmark with simulated latency measures. The first request
    // of a query costs O(log n + m): the candidates come from a sorted index of the narrowest date
    // range the query implies (m: the items in that range), or from the whole collection when the
    // query implies none.
    std::string key = std::string(collection) + '\n' + json::serialize(b->at("query")) + '\n' + sort_field +
                      (ascending ? "\na" : "\nd");
    std::shared_ptr<const std::vector<entry*>> cached;
    if (auto it = s.search_cache.find(key); it != s.search_cache.end() && it->second.generation == s.generation)
        cached = it->second.hits;
    if (!cached) {
        auto hits = std::make_shared<std::vector<entry*>>();
        const range_plan plan = query.ranges();
        const store::field_index* best = nullptr;
        std::size_t best_lo = 0, best_hi = 0;
        for (const auto& r : plan.ranges) {
            const auto& idx = field_index_of(s, collection, r.field, schema);
            if (!idx.usable) continue;
            auto lo = std::partition_point(idx.keys.begin(), idx.keys.end(), [&](const auto& k) {
                return r.lo_inclusive ? k.first < r.lo : k.first <= r.lo;
            });
            auto hi = std::partition_point(lo, idx.keys.end(), [&](const auto& k) {
                return r.hi_inclusive ? k.first <= r.hi : k.first < r.hi;
            });
            auto l = static_cast<std::size_t>(lo - idx.keys.begin()),
                 h = static_cast<std::size_t>(hi - idx.keys.begin());
            if (!best || h - l < best_hi - best_lo) {
                best = &idx;
                best_lo = l;
                best_hi = h;
            }
        }
        bool sorted_by_index = false;
        if (best) {
            const bool exact = plan.exact;
            const auto& keys = best->keys;
            auto take = [&](std::size_t i) {
                if (exact || query.matches(keys[i].second->obj)) hits->push_back(keys[i].second);
            };
            hits->reserve(best_hi - best_lo);
            const auto by_seq = [](const entry* x, const entry* y) { return x->seq < y->seq; };
            if (!sort_field.empty() && best == &field_index_of(s, collection, sort_field, schema)) {
                // Sorted by the indexed field: index order is the answer (ties in creation order, as
                // the index was built stably from creation order).
                sorted_by_index = true;
                if (ascending) {
                    for (std::size_t i = best_lo; i < best_hi; ++i)
                        take(i);
                } else {
                    for (std::size_t end = best_hi; end > best_lo;) {
                        std::size_t from = end - 1;
                        while (from > best_lo && keys[from - 1].first == keys[end - 1].first)
                            --from;
                        for (std::size_t i = from; i < end; ++i)
                            take(i);
                        end = from;
                    }
                }
            } else {
                for (std::size_t i = best_lo; i < best_hi; ++i)
                    take(i);
                if (!std::is_sorted(hits->begin(), hits->end(), by_seq))
                    std::sort(hits->begin(), hits->end(), by_seq);
            }
        } else {
            for (auto* e : s.coll(collection).all())
                if (query.matches(e->obj)) hits->push_back(e);
        }
        if (!sort_field.empty() && !sorted_by_index) {
            struct keyed {
                entry* e;
                bool has;
                double num;
                std::string text;
            };
            std::vector<keyed> keys;
            keys.reserve(hits->size());
            std::vector<const json::value*> vals;
            for (auto* e : *hits) {
                vals.clear();
                schema.resolve(e->obj, sort_field, vals);
                keyed k{e, false, 0, {}};
                for (auto* v : vals) {
                    if (v->is_number()) {
                        k = {e, true, v->to_number<double>(), {}};
                        break;
                    }
                    if (v->is_string()) {
                        k = {e, true, 0, std::string(v->get_string())};
                        break;
                    }
                }
                keys.push_back(std::move(k));
            }
            std::stable_sort(keys.begin(), keys.end(), [ascending](const keyed& x, const keyed& y) {
                if (x.has != y.has) return x.has;
                if (!x.has) return false;
                if (x.num != y.num) return ascending ? x.num < y.num : x.num > y.num;
                return ascending ? x.text < y.text : x.text > y.text;
            });
            for (std::size_t i = 0; i < keys.size(); ++i)
                (*hits)[i] = keys[i].e;
        }
        // Only lists a next page will be asked of are kept, and at most a few collections' worth of
        // pointers (one-item count probes would otherwise fill memory).
        if (hits->size() > per_page && per_page > 1) {
            const std::size_t cap = 4 * s.coll(collection).size() + 10000;
            if (s.search_cache.size() >= 256 || s.search_cache_items + hits->size() > cap) {
                s.search_cache.clear();
                s.search_cache_items = 0;
            }
            s.search_cache_items += hits->size();
            s.search_cache[key] = {s.generation, hits};
        }
        cached = std::move(hits);
    }
    auto slice = cursor_page(*cached, per_page, starting_after, sort_field.empty());
    if (!slice) return bad_param(c, "starting_after is not a valid cursor");
    json::object extra;
    extra["total_count"] = slice->total;
    extra["pages"] = std::move(slice->pages);
    return json_reply(200, list_body(list_type, list_field, slice->items, extra));
}

const search_schema& contact_search_schema() {
    static const search_schema schema = [] {
        search_schema s;
        s.resolve = [](const json::object& o, std::string_view field, std::vector<const json::value*>& out) {
            if (field == "tag_id") return resolve_path(o, "tags.data.id", out);
            if (field == "segment_id") return resolve_path(o, "segment_ids", out);
            if (field == "avatar") return resolve_path(o, "avatar.image_url", out);
            if (field == "andoid_sdk_version") return resolve_path(o, "android_sdk_version", out);
            resolve_path(o, field, out);
        };
        s.date_fields = {"created_at",           "signed_up_at",          "updated_at",
                         "last_seen_at",         "last_contacted_at",     "last_replied_at",
                         "last_email_opened_at", "last_email_clicked_at", "ios_last_seen_at",
                         "android_last_seen_at"};
        s.day_granularity = true;
        s.equality_only = {"tag_id"};
        return s;
    }();
    return schema;
}

namespace {

constexpr std::string_view writable_contact_fields[] = {"role",
                                                        "external_id",
                                                        "email",
                                                        "phone",
                                                        "name",
                                                        "avatar",
                                                        "signed_up_at",
                                                        "last_seen_at",
                                                        "owner_id",
                                                        "unsubscribed_from_emails",
                                                        "custom_attributes",
                                                        "language_override"};

// Applies the writable fields of a create/update body; returns an error message or "".
std::string apply_contact_body(store& s, json::object& c, const json::object& b) {
    for (auto& [k, v] : b) {
        bool known = false;
        for (auto f : writable_contact_fields)
            known = known || k == f;
        if (!known) continue; // Intercom ignores unknown fields
        if (k == "role") {
            if (!v.is_string() || (v.get_string() != "user" && v.get_string() != "lead"))
                return "role must be one of user, lead";
            c["role"] = v;
        } else if (k == "custom_attributes") {
            if (!v.is_object()) return "custom_attributes must be an object";
            merge_fields(c, json::object{{"custom_attributes", v}});
        } else if (k == "avatar") {
            if (!v.is_string() && !v.is_null()) return "avatar must be a URL string";
            c["avatar"] = json::object{{"type", "avatar"}, {"image_url", v}};
        } else if (k == "email") {
            if (!v.is_string() && !v.is_null()) return "email must be a string";
            c["email"] = v.is_null() ? json::value("") : v;
            std::string e = v.is_string() ? std::string(v.get_string()) : std::string();
            auto at = e.find('@');
            c["email_domain"] = at == std::string::npos ? std::string() : e.substr(at + 1);
        } else if (k == "signed_up_at" || k == "last_seen_at" || k == "owner_id") {
            if (!v.is_null() && !v.is_int64() && !v.is_uint64())
                return std::string(k) + " must be an integer";
            c[k] = v;
        } else if (k == "unsubscribed_from_emails") {
            if (!v.is_bool()) return "unsubscribed_from_emails must be a boolean";
            c[k] = v;
        } else {
            if (!v.is_string() && !v.is_null()) return std::string(k) + " must be a string";
            c[k] = v;
            if (k == "phone") c["formatted_phone"] = v;
        }
    }
    c["updated_at"] = s.now();
    return {};
}

// A live (not archived) user/lead with the same email or external_id, other than `self`.
entry* find_duplicate(store& s, const json::object& b, std::string_view self) {
    std::string email = to_lower(str_of(b, "email"));
    std::string ext = str_of(b, "external_id");
    if (email.empty() && ext.empty()) return nullptr;
    return s.coll("contacts").find_if([&](const entry& e) {
        if (e.id == self) return false;
        if (!ext.empty() && str_of(e.obj, "external_id") == ext) return true;
        return !email.empty() && to_lower(str_of(e.obj, "email")) == email &&
               str_of(e.obj, "role") == "user" && str_of(b, "role") != "lead";
    });
}

reply create_contact(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b || !(b->contains("email") || b->contains("external_id") || b->contains("role")))
        return bad_param(c, "at least one of email, external_id or role is required");
    if (auto* dup = find_duplicate(s, *b, {}))
        return error_reply(c, 409, "conflict",
                           "A contact matching those details already exists with id=" + dup->id);
    std::string id = s.new_id("contacts", true);
    auto obj = make_contact(s, id, s.now());
    if (auto err = apply_contact_body(s, obj, *b); !err.empty()) return bad_param(c, err);
    auto& e = s.coll("contacts").insert(id, std::move(obj));
    return shared_reply(e.json());
}

reply get_contact(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    return e ? shared_reply(e->json()) : r;
}

reply update_contact(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b) return bad_param(c, "a JSON object body is required");
    if (auto* dup = find_duplicate(s, *b, e->id))
        return error_reply(c, 409, "conflict",
                           "A contact matching those details already exists with id=" + dup->id);
    json::object copy = e->obj;
    if (auto err = apply_contact_body(s, copy, *b); !err.empty()) return bad_param(c, err);
    e->obj = std::move(copy);
    e->touch();
    return shared_reply(e->json());
}

reply delete_contact(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    json::object out{
        {"id", e->id}, {"external_id", e->obj["external_id"]}, {"type", "contact"}, {"deleted", true}};
    s.coll("contacts").erase(c.params[0]);
    return json_reply(200, out);
}

reply find_by_external_id(call& c, store& s) {
    entry* e = s.coll("contacts").find_if([&](const entry& x) {
        return str_of(x.obj, "external_id") == c.params[0];
    });
    if (!e) return not_found(c, "not_found", "User Not Found");
    return shared_reply(e->json());
}

reply archive_contact(call& c, store& s) {
    auto& live = s.coll("contacts");
    auto& archived = s.coll("archived_contacts");
    bool to_archive = c.path.size() >= 8 && c.path.compare(c.path.size() - 8, 8, "/archive") == 0;
    auto& from = to_archive ? live : archived;
    auto& to = to_archive ? archived : live;
    entry* e = from.find(c.params[0]);
    if (!e) {
        if (entry* already = to.find(c.params[0])) {
            return json_reply(200, json::object{{"id", already->id},
                                                {"external_id", already->obj["external_id"]},
                                                {"type", "contact"},
                                                {"archived", to_archive}});
        }
        return not_found(c, "not_found", "User Not Found");
    }
    json::object obj = std::move(e->obj);
    std::string id = e->id;
    from.erase(id);
    json::object out{
        {"id", id}, {"external_id", obj["external_id"]}, {"type", "contact"}, {"archived", to_archive}};
    to.insert(id, std::move(obj));
    return json_reply(200, out);
}

reply merge_contacts(call& c, store& s) {
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    if (!b) return bad_param(c, "from and into are required");
    std::string from_id = str_of(*b, "from"), into_id = str_of(*b, "into");
    if (from_id.empty() || into_id.empty()) return bad_param(c, "from and into are required");
    auto& cs = s.coll("contacts");
    entry* from = cs.find(from_id);
    entry* into = cs.find(into_id);
    if (!from || !into) return not_found(c, "not_found", "User Not Found");
    if (from_id == into_id) return bad_param(c, "cannot merge a contact into itself");
    if (str_of(from->obj, "role") != "lead") return bad_param(c, "from must be a lead");
    if (str_of(into->obj, "role") != "user") return bad_param(c, "into must be a user");
    // Tags, notes and companies of the lead move to the user.
    for (auto field : {"tags", "companies", "notes"}) {
        auto& arr = from->obj[field].as_object()["data"].as_array();
        for (auto& x : arr)
            embed_add(into->obj, field, "data", x.as_object());
    }
    cs.erase(from_id);
    into->obj["updated_at"] = s.now();
    into->touch();
    return shared_reply(into->json());
}

reply list_contacts(call& c, store& s) {
    auto per_page = parse_per_page(c.query_or("per_page"), 50);
    if (!per_page) return bad_param(c, "per_page must be an integer between 1 and 150");
    auto slice = collection_page(s.coll("contacts"), *per_page, c.query_or("starting_after"));
    if (!slice) return bad_param(c, "starting_after is not a valid cursor");
    json::object extra;
    extra["total_count"] = slice->total;
    extra["pages"] = std::move(slice->pages);
    return json_reply(200, list_body("list", "data", slice->items, extra));
}

reply search_contacts(call& c, store& s) {
    return run_search(c, s, "contacts", contact_search_schema(), "list", "data", 50);
}

// --- contact <-> company -----------------------------------------------------------------------------------
reply contact_companies(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    std::vector<entry*> items;
    for (auto& ref : e->obj["companies"].as_object()["data"].as_array())
        if (entry* co = s.coll("companies").find(str_of(ref.as_object(), "id"))) items.push_back(co);
    json::object extra;
    extra["total_count"] = items.size();
    extra["pages"] = json::object{{"type", "pages"},
                                  {"next", nullptr},
                                  {"page", 1},
                                  {"per_page", 50},
                                  {"total_pages", items.empty() ? 0 : 1}};
    return json_reply(200, list_body("list", "companies", items, extra));
}

reply attach_company(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string cid = b ? str_of(*b, "id") : std::string();
    if (cid.empty()) return bad_param(c, "id is required");
    entry* co = s.coll("companies").find(cid);
    if (!co) return not_found(c, "company_not_found", "Company Not Found");
    if (!embed_has(e->obj, "companies", "data", cid)) {
        embed_add(e->obj, "companies", "data",
                  json::object{{"type", "company"}, {"id", cid}, {"url", "/companies/" + cid}});
        co->obj["user_count"] = co->obj["user_count"].to_number<std::int64_t>() + 1;
        co->touch();
        e->touch();
    }
    return shared_reply(co->json());
}

reply detach_company(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    entry* co = s.coll("companies").find(c.params[1]);
    if (!co) return not_found(c, "company_not_found", "Company Not Found");
    if (embed_remove(e->obj, "companies", "data", co->id)) {
        co->obj["user_count"] =
            std::max<std::int64_t>(0, co->obj["user_count"].to_number<std::int64_t>() - 1);
        co->touch();
        e->touch();
    }
    return shared_reply(co->json());
}

// --- notes
// --------------------------------------------------------------------------------------------------
reply contact_notes(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    std::vector<entry*> items;
    for (auto* n : s.coll("notes").all())
        if (str_of(n->obj["contact"].as_object(), "id") == e->id) items.push_back(n);
    std::reverse(items.begin(), items.end()); // newest first
    auto per_page = parse_per_page(c.query_or("per_page"), 50);
    if (!per_page) return bad_param(c, "per_page must be an integer between 1 and 150");
    auto page = parse_per_page(c.query_or("page"), 1, 1000000);
    if (!page) return bad_param(c, "page must be a positive integer");
    auto slice = number_page(items, *page, *per_page, c.base_url + c.path);
    json::object extra;
    extra["total_count"] = slice.total;
    extra["pages"] = std::move(slice.pages);
    return json_reply(200, list_body("list", "data", slice.items, extra));
}

reply create_note(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string body = b ? str_of(*b, "body") : std::string();
    if (body.empty()) return bad_param(c, "body is required");
    std::string admin_id = b ? str_of(*b, "admin_id") : std::string();
    entry* admin = admin_id.empty() ? nullptr : s.coll("admins").find(admin_id);
    if (!admin_id.empty() && !admin) return not_found(c, "admin_not_found", "Admin not found");
    std::string id = s.new_id("notes", false);
    json::object n{{"type", "note"},
                   {"id", id},
                   {"created_at", s.now()},
                   {"contact", json::object{{"type", "contact"}, {"id", e->id}}},
                   {"author", admin ? json::value(admin->obj) : json::value(nullptr)},
                   {"body", "<p>" + body + "</p>"}};
    auto& ne = s.coll("notes").insert(id, std::move(n));
    embed_add(e->obj, "notes", "data", json::object{{"type", "note"}, {"id", id}, {"url", "/notes/" + id}});
    e->touch();
    return shared_reply(ne.json());
}

// --- tags
// ---------------------------------------------------------------------------------------------------
reply contact_tags(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    std::vector<entry*> items;
    for (auto& ref : e->obj["tags"].as_object()["data"].as_array())
        if (entry* t = s.coll("tags").find(str_of(ref.as_object(), "id"))) items.push_back(t);
    return json_reply(200, simple_list(items));
}

reply attach_tag(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string tid = b ? str_of(*b, "id") : std::string();
    if (tid.empty()) return bad_param(c, "id is required");
    entry* t = s.coll("tags").find(tid);
    if (!t) return not_found(c, "tag_not_found", "Tag not found");
    embed_add(e->obj, "tags", "data", json::object{{"type", "tag"}, {"id", tid}, {"url", "/tags/" + tid}});
    e->touch();
    return shared_reply(t->json());
}

reply detach_tag(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    entry* t = s.coll("tags").find(c.params[1]);
    if (!t) return not_found(c, "tag_not_found", "Tag not found");
    embed_remove(e->obj, "tags", "data", t->id);
    e->touch();
    return shared_reply(t->json());
}

// --- segments and subscriptions
// -------------------------------------------------------------------------------
reply contact_segments(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    std::vector<entry*> items;
    if (auto* ids = e->obj.if_contains("segment_ids"); ids && ids->is_array())
        for (auto& id : ids->as_array())
            if (entry* seg = s.coll("segments").find(id.as_string())) items.push_back(seg);
    return json_reply(200, simple_list(items));
}

reply contact_subscriptions(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    std::vector<entry*> items;
    for (auto field : {"opted_in_subscription_types", "opted_out_subscription_types"})
        for (auto& ref : e->obj[field].as_object()["data"].as_array())
            if (entry* st = s.coll("subscription_types").find(str_of(ref.as_object(), "id")))
                items.push_back(st);
    return json_reply(200, simple_list(items));
}

reply attach_subscription(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    if (c.body_invalid()) return invalid_json(c);
    const json::object* b = c.body();
    std::string sid = b ? str_of(*b, "id") : std::string();
    std::string consent = b ? str_of(*b, "consent_type") : std::string();
    if (sid.empty() || (consent != "opt_in" && consent != "opt_out"))
        return bad_param(c, "id and consent_type (opt_in or opt_out) are required");
    entry* st = s.coll("subscription_types").find(sid);
    if (!st) return not_found(c, "not_found", "Resource Not Found");
    std::string field = consent == "opt_in" ? "opted_in_subscription_types" : "opted_out_subscription_types";
    embed_add(e->obj, field, "data",
              json::object{{"type", "subscription"}, {"id", sid}, {"url", "/subscriptions/" + sid}});
    e->touch();
    return shared_reply(st->json());
}

reply detach_subscription(call& c, store& s) {
    reply r;
    entry* e = find_contact(s, c, c.params[0], r);
    if (!e) return r;
    entry* st = s.coll("subscription_types").find(c.params[1]);
    if (!st) return not_found(c, "not_found", "Resource Not Found");
    embed_remove(e->obj, "opted_in_subscription_types", "data", st->id);
    embed_remove(e->obj, "opted_out_subscription_types", "data", st->id);
    e->touch();
    return shared_reply(st->json());
}

} // namespace

void register_contacts(router& r) {
    r.add("GET", "/contacts", list_contacts);
    r.add("POST", "/contacts", create_contact);
    r.add("POST", "/contacts/search", search_contacts);
    r.add("POST", "/contacts/merge", merge_contacts);
    r.add("GET", "/contacts/{id}", get_contact);
    r.add("PUT", "/contacts/{id}", update_contact);
    r.add("DELETE", "/contacts/{id}", delete_contact);
    r.add("POST", "/contacts/{id}/archive", archive_contact);
    r.add("POST", "/contacts/{id}/unarchive", archive_contact);
    r.add("GET", "/contacts/find_by_external_id/{external_id}", find_by_external_id);
    r.add("GET", "/contacts/{id}/companies", contact_companies);
    r.add("POST", "/contacts/{id}/companies", attach_company);
    r.add("DELETE", "/contacts/{id}/companies/{company_id}", detach_company);
    r.add("GET", "/contacts/{id}/notes", contact_notes);
    r.add("POST", "/contacts/{id}/notes", create_note);
    r.add("GET", "/contacts/{id}/segments", contact_segments);
    r.add("GET", "/contacts/{id}/subscriptions", contact_subscriptions);
    r.add("POST", "/contacts/{id}/subscriptions", attach_subscription);
    r.add("DELETE", "/contacts/{id}/subscriptions/{subscription_id}", detach_subscription);
    r.add("GET", "/contacts/{id}/tags", contact_tags);
    r.add("POST", "/contacts/{id}/tags", attach_tag);
    r.add("DELETE", "/contacts/{id}/tags/{tag_id}", detach_tag);
}

} // namespace intercom::testing::detail
