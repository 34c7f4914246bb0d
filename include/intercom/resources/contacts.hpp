// `client.contacts()`: its operations and models (generated: resources/generated/contacts.hpp).
#pragma once

#include <intercom/resources/generated/contacts.hpp>
