#include <intercom/http/detail/inflater.hpp>

#include <intercom/error.hpp>

#include <zlib.h>

#include <cctype>
#include <string>

namespace intercom::http::detail {

content_coding parse_content_coding(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    auto eq = [v](std::string_view w) {
        if (v.size() != w.size()) return false;
        for (std::size_t i = 0; i < v.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(v[i])) != w[i]) return false;
        return true;
    };
    if (v.empty() || eq("identity")) return content_coding::identity;
    if (eq("gzip") || eq("x-gzip")) return content_coding::gzip;
    if (eq("deflate")) return content_coding::deflate;
    return content_coding::unknown;
}

struct inflater::state {
    z_stream z{};
    bool initialized = false;
    bool ended = false;      // saw Z_STREAM_END for the current member
    bool any_input = false;  // for deflate: raw vs zlib-wrapped detection
    bool raw = false;
};

namespace {
int window_bits(content_coding c, bool raw) {
    if (c == content_coding::gzip) return 15 + 16;  // gzip only
    return raw ? -15 : 15;                          // "deflate" is zlib-wrapped, some servers send raw
}
} // namespace

inflater::inflater(content_coding coding, std::size_t limit)
    : st_(std::make_unique<state>()), coding_(coding), limit_(limit) {
    if (coding_ == content_coding::gzip || coding_ == content_coding::deflate) {
        st_->initialized = inflateInit2(&st_->z, window_bits(coding_, false)) == Z_OK;
    }
}

inflater::~inflater() {
    if (st_ && st_->initialized) inflateEnd(&st_->z);
}

boost::system::error_code inflater::feed(std::string_view in, const output_fn& out) {
    if (in.empty()) return {};
    if (coding_ == content_coding::identity || coding_ == content_coding::unknown) {
        produced_ += in.size();
        if (limit_ != 0 && produced_ > limit_) return errc::body_too_large;
        return out(in);
    }
    if (!st_->initialized) return errc::decompression_failed;
    auto& z = st_->z;
    unsigned char chunk[16 * 1024];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    for (;;) {
        if (st_->ended) {
            if (z.avail_in == 0) break;
            // gzip allows several members back to back; anything else after the end is garbage.
            if (coding_ != content_coding::gzip || inflateReset(&z) != Z_OK) return errc::decompression_failed;
            st_->ended = false;
        }
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        int rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_DATA_ERROR && coding_ == content_coding::deflate && !st_->any_input && !st_->raw) {
            // Retry the same bytes as raw deflate.
            inflateEnd(&z);
            st_->z = z_stream{};
            st_->raw = true;
            st_->initialized = inflateInit2(&st_->z, window_bits(coding_, true)) == Z_OK;
            if (!st_->initialized) return errc::decompression_failed;
            return feed(in, out);
        }
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return errc::decompression_failed;
        st_->any_input = true;
        std::size_t n = sizeof chunk - z.avail_out;
        if (n > 0) {
            produced_ += n;
            if (limit_ != 0 && produced_ > limit_) return errc::body_too_large;
            if (auto ec = out(std::string_view(reinterpret_cast<const char*>(chunk), n))) return ec;
        }
        if (rc == Z_STREAM_END) {
            st_->ended = true;
            continue;
        }
        if (z.avail_out != 0 || rc == Z_BUF_ERROR) {
            if (z.avail_in == 0 || rc == Z_BUF_ERROR) break;  // all consumed, or needs more input
        }
    }
    return {};
}

boost::system::error_code inflater::finish() {
    if (coding_ == content_coding::identity || coding_ == content_coding::unknown) return {};
    if (!st_->initialized || !st_->ended) return errc::decompression_failed;
    return {};
}

} // namespace intercom::http::detail
