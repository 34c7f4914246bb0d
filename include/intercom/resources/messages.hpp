// `client.messages()`: its operations and models (generated: resources/generated/messages.hpp).
#pragma once

#include <intercom/resources/generated/messages.hpp>
