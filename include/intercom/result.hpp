// Non-throwing results (`result<T>`) and the exception of the throwing style (`api_error`).
#pragma once

#include <intercom/diagnostics.hpp>
#include <intercom/error.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <string>

namespace intercom {

/// An error code plus its diagnostics: the error type of `result<T>`.
struct error_info {
    boost::system::error_code code;
    intercom::diagnostics diag;

    error_info() = default;
    error_info(boost::system::error_code c) : code(c) {}  // NOLINT: implicit on purpose
    error_info(errc c) : code(make_error_code(c)) {}       // NOLINT
    error_info(boost::system::error_code c, intercom::diagnostics d) : code(c), diag(std::move(d)) {}

    /// "<code message>: <diag.message> (HTTP 404, request_id=..., errors=[not_found: ...])".
    std::string what() const;
};

/// Thrown by the throwing style. Carries the same `diagnostics` as the non-throwing style.
class api_error : public boost::system::system_error {
public:
    explicit api_error(error_info info);

    const intercom::diagnostics& diagnostics() const noexcept { return info_.diag; }
    const error_info& info() const noexcept { return info_; }

private:
    error_info info_;
};

/// `boost::system::result<T>` whose error keeps the diagnostics. `value()` throws `api_error`.
template <class T>
using result = boost::system::result<T, error_info>;

/// Found by ADL from `result<T>::value()`.
[[noreturn]] void throw_exception_from_error(const error_info& e, const boost::source_location& loc);

} // namespace intercom
