// The one Boost.Test main shared by every test executable.
#define BOOST_TEST_MODULE intercom_tests
#include <boost/test/unit_test.hpp>
