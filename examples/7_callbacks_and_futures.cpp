// 7_callbacks_and_futures: use the library from code that is not a coroutine.
//
// Read-only: GET /me and GET /contacts (first page).
//
// The operations are coroutines (`asio::awaitable<T>`). `intercom::async_run` starts one on an
// executor and reports its outcome through any Asio completion token:
//   - `asio::use_future`: a std::future<T>; get() returns T or rethrows intercom::api_error;
//   - a callback `void(std::exception_ptr, T)`: runs on the io_context's thread when the call ends.
// Here the io_context runs on a background thread and main() is plain blocking code.
//
// Target: INTERCOM_TOKEN (required), INTERCOM_BASE_URL (optional, default US region),
// INTERCOM_CA_FILE (optional extra CA bundle). See example_env.hpp.
#include "example_env.hpp" // example::options_from_env(): the target from the environment

#include <intercom.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <exception>
#include <future>
#include <string>
#include <thread>

namespace asio = boost::asio;

int main() {
    auto opts = example::options_from_env();
    if (!opts) return 2;

    // The I/O runs on its own thread; the work guard keeps run() from returning while idle.
    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);
    std::thread io_thread([&ioc] { ioc.run(); });
    intercom::client client(ioc.get_executor(), *opts);
    int rc = 0;

    // 1. A future, throwing form: get() blocks this thread until the call ends.
    try {
        std::future<intercom::models::admin_with_app> me =
            intercom::async_run(ioc.get_executor(), client.admins().identify(), asio::use_future);
        intercom::models::admin_with_app admin = me.get(); // rethrows intercom::api_error
        std::printf("future: authenticated as %s\n", admin.name.value_or("?").c_str());
    } catch (const intercom::api_error& e) {
        std::fprintf(stderr, "future: GET /me failed: %s\n", e.what());
        rc = 1;
    }

    // 2. A future, non-throwing form: the `try_` operation's result<T> is the future's value.
    intercom::models::contacts_list_query q;
    q.per_page = 5;
    auto listed = intercom::async_run(ioc.get_executor(), client.contacts().try_list(q), asio::use_future);
    intercom::result<intercom::models::contact_list> first_page = listed.get();
    std::size_t via_future = 0;
    if (!first_page) {
        std::fprintf(stderr, "future: GET /contacts failed: %s\n", first_page.error().what().c_str());
        rc = 1;
    } else if (first_page->data) {
        via_future = first_page->data->size();
    }

    // 3. A callback. It runs on the I/O thread: hand results to other threads as you would from any
    // callback (here a std::promise; a queue or your framework's event loop work the same way).
    std::promise<std::size_t> from_callback;
    intercom::async_run(
        ioc.get_executor(), client.contacts().try_list(q),
        [&from_callback](std::exception_ptr ep, intercom::result<intercom::models::contact_list> r) {
            // `ep` is set only if the coroutine threw (the `try_` forms do not, except
            // std::bad_alloc); errors of the call itself are in `r`.
            if (ep) {
                from_callback.set_exception(ep);
            } else if (!r) {
                std::fprintf(stderr, "callback: GET /contacts failed: %s\n", r.error().what().c_str());
                from_callback.set_value(0);
            } else {
                from_callback.set_value(r->data ? r->data->size() : 0);
            }
        });
    std::size_t via_callback = from_callback.get_future().get();

    std::printf("callbacks and futures: %zu contacts via a future, %zu via a callback\n", via_future,
                via_callback);
    if (via_future != via_callback) rc = 1;

    // Let the I/O thread finish: release the guard, then wait for run() to return.
    work.reset();
    io_thread.join();
    return rc;
}
