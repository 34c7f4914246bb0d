#include <intercom/pagination/page_source.hpp>

#include <boost/url/url.hpp>

namespace intercom::pagination {

client_page_source::client_page_source(client c) : client_(std::move(c)) {
    boost::urls::url u(client_.options().effective_base_url());
    base_path_ = std::string(u.encoded_path());
    while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
}

boost::asio::awaitable<result<boost::json::value>> client_page_source::fetch(api_request req) {
    // A server-given next URL carries the base path; the client prepends it again.
    if (!base_path_.empty() && req.path.rfind(base_path_ + "/", 0) == 0) req.path.erase(0, base_path_.size());
    auto r = co_await client_.execute(std::move(req));
    if (!r) co_return r.error();
    co_return r->json(r->arena());
}

} // namespace intercom::pagination
