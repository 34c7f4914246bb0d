// Links against the installed intercom package and exercises a compiled part of it (the
// transport refuses plain http to a remote host without touching the network).
#include <intercom.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

int main() {
    auto o = intercom::http::origin::parse("http://example.com");
    if (!o) {
        std::cerr << "origin::parse failed\n";
        return 1;
    }
    boost::asio::io_context ioc;
    intercom::http::https_transport t(ioc.get_executor());
    auto fut = boost::asio::co_spawn(ioc, t.send(*o, intercom::http::request{}, intercom::http::send_options{}),
                                     boost::asio::use_future);
    ioc.run();
    auto r = fut.get();
    if (r || r.error().code != intercom::errc::insecure_url_refused) {
        std::cerr << "expected insecure_url_refused\n";
        return 1;
    }
    std::cout << "consumer ok: " << r.error().what() << "\n";
    return 0;
}
