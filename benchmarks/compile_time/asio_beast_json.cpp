// Compile-time probe, the baseline: only the headers any Asio + TLS + Beast + JSON client includes.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

boost::asio::awaitable<std::size_t> body_size(boost::asio::ip::tcp::socket& s) {
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> res;
    co_await boost::beast::http::async_read(s, buffer, res, boost::asio::use_awaitable);
    co_return boost::json::parse(res.body()).as_object().size();
}
