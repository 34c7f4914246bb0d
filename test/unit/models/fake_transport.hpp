// A scripted http::transport: records each request and answers with canned responses.
#pragma once

#include <intercom/client.hpp>
#include <intercom/http/transport.hpp>

#include <boost/asio/io_context.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace intercom::test {

class fake_transport : public http::transport {
public:
    explicit fake_transport(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

    /// Queues the next answer. With a sink set by the caller, a 2xx body is streamed in
    /// `chunk`-sized pieces instead of being returned.
    void reply(unsigned status, std::string body, std::size_t chunk = 7) {
        http::response r;
        r.status = status;
        r.body = std::move(body);
        r.headers.set("X-Request-Id", "req-" + std::to_string(replies_.size() + seen.size()));
        replies_.push_back({std::move(r), chunk});
    }

    boost::asio::awaitable<result<http::response>> send(http::origin to, http::request req,
                                                        http::send_options opts) override {
        seen.push_back(req);
        origins.push_back(to);
        if (replies_.empty()) co_return error_info{errc::connect_failed};
        auto [res, chunk] = std::move(replies_.front());
        replies_.pop_front();
        if (opts.sink && res.status / 100 == 2) {
            std::string_view b = res.body;
            for (std::size_t i = 0; i < b.size(); i += chunk)
                if (auto ec = opts.sink(b.substr(i, chunk))) co_return error_info{ec};
            res.body.clear();
        }
        co_return std::move(res);
    }

    boost::asio::any_io_executor get_executor() override { return ex_; }

    std::vector<http::request> seen;
    std::vector<http::origin> origins;

private:
    struct canned {
        http::response res;
        std::size_t chunk;
    };
    boost::asio::any_io_executor ex_;
    std::deque<canned> replies_;
};

/// A client on a fake transport, talking to the real API host name (nothing is sent anywhere).
struct fake_client {
    boost::asio::io_context ioc;
    std::shared_ptr<fake_transport> transport = std::make_shared<fake_transport>(ioc.get_executor());
    intercom::client cl{transport, [] {
                            client_options o;
                            o.token = "tok";
                            return o;
                        }()};

    const http::request& last() const { return transport->seen.back(); }
    std::string header(std::string_view name) const {
        auto it = last().headers.find(name);
        return it == last().headers.end() ? std::string() : std::string(it->value());
    }
};

} // namespace intercom::test
