// Compiled without the shared PCH (see CMakeLists.txt), so <intercom/operation.hpp> is the very first
// include of this translation unit: it must compile on its own (Boost 1.81's string_view needs <ostream>).
#include <intercom/operation.hpp>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_CASE(operation_header_is_self_contained) {
    constexpr intercom::operation_info op{"contacts.list", "ListContacts", boost::beast::http::verb::get, "/contacts",
                                          intercom::retry_class::safe, false};
    BOOST_TEST(op.name == "contacts.list");
    BOOST_TEST(intercom::is_replay_safe(op.retry));
}
