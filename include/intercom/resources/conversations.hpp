// `client.conversations()`: its operations and models (generated: resources/generated/conversations.hpp).
#pragma once

#include <intercom/resources/generated/conversations.hpp>
