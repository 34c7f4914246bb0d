// The compiled parts of Asio, Asio.SSL and Beast, built once for the whole library. Only with
// -DINTERCOM_SEPARATE_ASIO=ON, which also exports BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION to every user (see src/CMakeLists.txt). The fuzz build
// (fuzz/CMakeLists.txt) uses this file the same way.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
