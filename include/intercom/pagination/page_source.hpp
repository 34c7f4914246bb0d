// The I/O seam of the pagers: fetch one page. Tests substitute it; the default calls the client.
#pragma once

#include <intercom/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

namespace intercom::pagination {

/// Fetches one page and returns its parsed body. Must honour terminal cancellation of the
/// awaiting coroutine (the pagers cancel an in-flight prefetch when they are destroyed).
class page_source {
public:
    virtual ~page_source() = default;
    virtual boost::asio::awaitable<result<boost::json::value>> fetch(api_request req) = 0;
};

/// The default source: `client::execute`, then `api_response::json()`.
class client_page_source final : public page_source {
public:
    explicit client_page_source(client c);
    boost::asio::awaitable<result<boost::json::value>> fetch(api_request req) override;

private:
    client client_;
    std::string base_path_;  // stripped from server-given URLs (the client adds it again)
};

} // namespace intercom::pagination
