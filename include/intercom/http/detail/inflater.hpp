// Incremental gzip/deflate decoding with a bound on the decoded size (zip-bomb safe).
#pragma once

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

namespace intercom::http::detail {

/// Which `Content-Encoding` a body has.
enum class content_coding { identity, gzip, deflate, unknown };

/// Parses a `Content-Encoding` value (case-insensitive; empty means identity).
content_coding parse_content_coding(std::string_view value) noexcept;

/// Decodes a body fed in arbitrary pieces. Output is delivered in chunks to a callback; the
/// total output is bounded by `limit` (`errc::body_too_large`). Corrupt or truncated input gives
/// `errc::decompression_failed`.
class inflater {
public:
    using output_fn = std::function<boost::system::error_code(std::string_view)>;

    /// `limit == 0` means unbounded (streaming to a sink).
    inflater(content_coding coding, std::size_t limit);
    ~inflater();
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;

    /// Decodes `in` and passes every produced piece to `out`; stops at the first error
    /// (including an error returned by `out`).
    boost::system::error_code feed(std::string_view in, const output_fn& out);

    /// Call after the last input: fails if the compressed stream ended early.
    boost::system::error_code finish();

    std::size_t produced() const noexcept { return produced_; }

private:
    struct state;
    std::unique_ptr<state> st_;
    content_coding coding_;
    std::size_t limit_;
    std::size_t produced_ = 0;
};

} // namespace intercom::http::detail
