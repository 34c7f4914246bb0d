// Drives a hiredis async context from Asio (hiredis' event-library hooks mapped onto readiness
// waits of a posix::stream_descriptor). Internal.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>

struct redisAsyncContext;

namespace intercom::redis::detail {

using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

/// Installs the hooks on `ac` (call before setting the connect callback, which hiredis uses to
/// ask for the first write readiness). Every hiredis call the adapter makes runs on `strand`, so
/// the owner must make all its own hiredis calls on `strand` too. The adapter lives until hiredis
/// calls its cleanup hook (when the context is freed, by hiredis or by `redisAsyncFree`).
/// Returns false if `ac` already has an event library attached.
bool attach_asio(redisAsyncContext* ac, strand_type strand);

} // namespace intercom::redis::detail
