// Glue between the generated resource methods (`client.contacts().list_all(...)`) and the pagers:
// item decoding into models, and the binding of paging parameters given in a query struct or a
// search body to the pager (so that a caller's `per_page` or cursor is honoured, not sent twice).
#pragma once

#include <intercom/error.hpp>
#include <intercom/pagination/listing.hpp>
#include <intercom/pagination/pager.hpp>
#include <intercom/result.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace intercom::pagination {

namespace detail {

/// `errc::decode_error` for a list item that is not a JSON object of the model.
error_info item_decode_error(std::string_view model, const boost::json::value& item);

/// Moves `per_page` from `l.query` to `l.per_page`, and `page`, `starting_after` and `scroll_param`
/// to `o.start` unless the caller set a start there (the pager adds them per page itself).
void bind_query_paging(listing& l, pager_options& o);

/// Search style: takes `pagination.per_page` and `pagination.starting_after` out of the encoded body
/// (the pager sends them per page) and keeps the rest as `l.body`.
void bind_search_body(listing& l, pager_options& o, boost::json::object body);

} // namespace detail

/// Decodes one list item into the model `T` (ADL `decode(jv, T&)`); `boost::json::value` passes through.
/// Items are tolerant like every model: only a non-object item is an error.
template <class T>
result<T> decode_item(const boost::json::value& v) {
    if constexpr (std::is_same_v<T, boost::json::value>) {
        return v;
    } else {
        T out{};
        if (!decode(v, out)) return detail::item_decode_error(T::schema_name, v);
        return out;
    }
}

/// A pager of `T` items over `l`, sending through `c`; paging parameters found in `l.query` are
/// moved to the pager (see `detail::bind_query_paging`).
template <class T>
pager<T> make_typed_pager(const client& c, listing l, pager_options o) {
    detail::bind_query_paging(l, o);
    return make_pager<T>(c, std::move(l), &decode_item<T>, std::move(o));
}

/// A search pager of `T` items: `body` is the encoded search request (its `pagination` is taken over
/// by the pager: `per_page` is kept for every page, `starting_after` is where the walk starts).
template <class T>
pager<T> make_typed_search_pager(const client& c, listing l, boost::json::object body, pager_options o) {
    detail::bind_search_body(l, o, std::move(body));
    return make_pager<T>(c, std::move(l), &decode_item<T>, std::move(o));
}

/// A search pager of `T` items from the typed query builder; the query is validated first and an
/// invalid one fails with `errc::invalid_query` before any request.
template <class T>
result<pager<T>> make_typed_search_pager(const client& c, const operation_info* op, std::string list_field,
                                         search::object_kind obj, const search::search_request& req,
                                         pager_options o, request_options opts,
                                         const search::validation_options& v) {
    auto l = search_listing(obj, req, v);
    if (!l) return l.error();
    l->operation = op;
    l->list_field = std::move(list_field);
    l->options = std::move(opts);
    if (req.starting_after && !o.start.starting_after) o.start.starting_after = req.starting_after;
    return make_pager<T>(c, std::move(*l), &decode_item<T>, std::move(o));
}

} // namespace intercom::pagination
