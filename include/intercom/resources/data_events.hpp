// `client.data_events()`: its operations and models (generated: resources/generated/data_events.hpp).
#pragma once

#include <intercom/resources/generated/data_events.hpp>
