// `client.subscription_types()`: its operations and models (generated: resources/generated/subscription_types.hpp).
#pragma once

#include <intercom/resources/generated/subscription_types.hpp>
