// Private: the shared state of a pager and its background prefetch driver.
#pragma once

#include <intercom/pagination/pager.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/experimental/channel.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace intercom::pagination::detail {

/// Process-wide registry of open scrolls (one per key).
class scroll_lock {
public:
    static std::optional<scroll_lock> try_acquire(const std::string& key);
    scroll_lock(scroll_lock&& o) noexcept : key_(std::move(o.key_)) { o.key_.clear(); }
    scroll_lock& operator=(scroll_lock&& o) noexcept {
        std::swap(key_, o.key_);
        return *this;
    }
    ~scroll_lock();

private:
    explicit scroll_lock(std::string key) : key_(std::move(key)) {}
    std::string key_;
};

/// One message of a driver: a page, the end (nullopt) or an error, from pager `source`.
struct pager_msg {
    std::size_t source = 0;
    result<std::optional<raw_page>> r;
};

using pager_channel =
    boost::asio::experimental::channel<void(boost::system::error_code, std::shared_ptr<pager_msg>)>;

struct pager_state {
    pager_state(std::shared_ptr<page_source> s, listing l, pager_options o)
        : src(std::move(s)), list(std::move(l)), opts(std::move(o)),
          fsm(list.kind, opts.start, opts.limits, opts.skip_items) {}

    std::shared_ptr<page_source> src;
    listing list;
    pager_options opts;
    pager_fsm fsm;

    std::size_t pages_out = 0;       // pages produced
    std::size_t fetches = 0;         // requests started
    unsigned restarts = 0;
    bool restarted = false;          // the next page follows a scroll restart
    bool closed = false;             // the owner is gone: stop at the next resumption
    bool finished = false;           // the end or an error was handed out
    std::optional<scroll_lock> lock;

    std::shared_ptr<pager_channel> out;  // where the driver delivers (null: fetch on demand)
    bool owns_channel = false;
    std::size_t source_id = 0;
    /// Set when the driver starts; its expiry is moved to the past by `close()`, which ends the
    /// race against the fetch in flight (and so cancels it). A timer rather than the co_spawn
    /// cancellation slot: Asio 1.81 leaves co_spawn's slot handler installed after the coroutine
    /// finished, so emitting later touches freed memory.
    std::optional<boost::asio::steady_timer> closer;
};

/// Fetches and digests the next page (no prefetch).
boost::asio::awaitable<result<std::optional<raw_page>>> step(std::shared_ptr<pager_state> st);

/// Starts the prefetch driver of `st` delivering into `st->out`, on `ex`.
void start_driver(std::shared_ptr<pager_state> st, boost::asio::any_io_executor ex);

/// Stops the driver: no new request is started and the one in flight is cancelled.
void close(pager_state& st);

} // namespace intercom::pagination::detail
