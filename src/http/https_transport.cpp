// PLACEHOLDER replaced by the transport work (issue 2): fails every send so other parts link.
#include <intercom/http/https_transport.hpp>

namespace intercom::http {

struct https_transport::impl {
    boost::asio::any_io_executor ex;
    transport_options opts;
};

https_transport::https_transport(boost::asio::any_io_executor ex, transport_options opts)
    : impl_(std::make_shared<impl>(impl{std::move(ex), std::move(opts)})) {}
https_transport::~https_transport() = default;

boost::asio::awaitable<result<response>> https_transport::send(origin, request, send_options) {
    error_info e{errc::connect_failed};
    e.diag.message = "placeholder transport";
    co_return e;
}
boost::asio::any_io_executor https_transport::get_executor() { return impl_->ex; }
pool_stats https_transport::stats(const origin&) const { return {}; }
void https_transport::close() {}
const transport_options& https_transport::options() const noexcept { return impl_->opts; }

} // namespace intercom::http
