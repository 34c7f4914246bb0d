#include "asio_adapter.hpp"

#include <hiredis/async.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>

namespace intercom::redis::detail {

namespace {

namespace asio = boost::asio;

// One per context. Interest flags say what hiredis wants; `*_armed` say whether a readiness wait
// is outstanding. A wait that completes after hiredis lost interest is simply not re-armed
// (cancelling would cancel both directions: the descriptor has no per-direction cancel).
class adapter : public std::enable_shared_from_this<adapter> {
public:
    adapter(redisAsyncContext* ac, strand_type strand) : ac_(ac), sd_(std::move(strand), ac->c.fd) {}

    static void add_read(void* p) { static_cast<adapter*>(p)->want(true, true); }
    static void del_read(void* p) { static_cast<adapter*>(p)->want(true, false); }
    static void add_write(void* p) { static_cast<adapter*>(p)->want(false, true); }
    static void del_write(void* p) { static_cast<adapter*>(p)->want(false, false); }

    // hiredis is about to close the fd and free the context.
    static void cleanup(void* p) {
        auto* a = static_cast<adapter*>(p);
        auto keep = std::move(a->self_); // may be the last reference: destroyed at scope end
        a->ac_ = nullptr;
        a->want_read_ = a->want_write_ = false;
        boost::system::error_code ec;
        a->sd_.cancel(ec);
        (void)a->sd_.release(); // hiredis owns (and closes) the fd
    }

    std::shared_ptr<adapter> self_; // owned by the context until cleanup

private:
    void want(bool read, bool on) {
        (read ? want_read_ : want_write_) = on;
        if (on) arm(read);
    }

    void arm(bool read) {
        bool& armed = read ? read_armed_ : write_armed_;
        if (armed || !ac_) return;
        armed = true;
        sd_.async_wait(
            read ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write,
            [self = shared_from_this(), read](boost::system::error_code ec) { self->ready(read, ec); });
    }

    void ready(bool read, boost::system::error_code ec) {
        (read ? read_armed_ : write_armed_) = false;
        if (ec || !ac_) return;
        bool wanted = read ? want_read_ : want_write_;
        if (!wanted) return;
        // May run reply callbacks, and may free the context (cleanup() then clears ac_).
        if (read)
            redisAsyncHandleRead(ac_);
        else
            redisAsyncHandleWrite(ac_);
        if (ac_ && (read ? want_read_ : want_write_)) arm(read);
    }

    redisAsyncContext* ac_;
    asio::posix::stream_descriptor sd_;
    bool want_read_ = false, want_write_ = false;
    bool read_armed_ = false, write_armed_ = false;
};

} // namespace

bool attach_asio(redisAsyncContext* ac, strand_type strand) {
    if (ac->ev.data != nullptr) return false;
    auto a = std::make_shared<adapter>(ac, std::move(strand));
    a->self_ = a;
    ac->ev.data = a.get();
    ac->ev.addRead = &adapter::add_read;
    ac->ev.delRead = &adapter::del_read;
    ac->ev.addWrite = &adapter::add_write;
    ac->ev.delWrite = &adapter::del_write;
    ac->ev.cleanup = &adapter::cleanup;
    return true;
}

} // namespace intercom::redis::detail
