// What a paginated operation is (path, style, list field) and how one page's request is built.
#pragma once

#include <intercom/client.hpp>
#include <intercom/pagination/fsm.hpp>
#include <intercom/search/query.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace intercom::pagination {

/// One paginated operation with its fixed arguments. Binders of typed operations fill this in.
struct listing {
    style kind = style::cursor;
    const operation_info* operation = nullptr;           ///< for the retry class; may be null
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string path;                                    ///< percent-encoded, e.g. "/contacts"
    query_params query;                                  ///< fixed filters, sent on every page
    std::optional<boost::json::object> body;             ///< search style: the body without paging
    std::string list_field = "data";                     ///< dotted path of the items, e.g. "data.articles";
                                                         ///< `a|b`: the first of several keys present
    std::optional<unsigned> per_page;                    ///< unset: the server default
    request_options options;                             ///< applied to every page
    /// A response without the list but that is itself an object is one item (`GET /companies` with a
    /// `company_id` or `name` filter answers with the company instead of a list).
    bool single_object_is_item = false;
    /// Set when a fixed argument cannot be sent as the API declares it (an `int_id` path, query or body
    /// value that is not an integer): the first page fails with this error and nothing is sent.
    std::optional<error_info> invalid;
};

/// The request for the page at `at`. Cursor/page/scroll parameters are added to the query, search
/// cursors to `body.pagination` (with `per_page`, which the API requires there: 50 if unset), and a
/// URL position replaces path and query by the URL's (the host is ignored: requests only ever go to
/// the client's own base URL, so the token is never sent elsewhere).
api_request build_request(const listing& l, const position& at);

/// The listing of a validated search (`POST /{contacts,conversations,tickets}/search`); `per_page`
/// defaults to the documented server default (50 contacts, 20 conversations/tickets), sent explicitly.
/// Fails with `errc::invalid_query` before anything is sent.
result<listing> search_listing(search::object_kind obj, const search::search_request& req,
                               const search::validation_options& opts = {});

} // namespace intercom::pagination
