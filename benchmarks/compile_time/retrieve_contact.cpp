// Compile-time probe: a translation unit that retrieves one contact through the typed API.
#include <intercom/resources/contacts.hpp>

boost::asio::awaitable<std::string> contact_name(intercom::client client, std::string id) {
    intercom::models::contact c = co_await client.contacts().retrieve(std::move(id));
    co_return c.name.value_or("");
}
