// `client.segments()`: its operations and models (generated: resources/generated/segments.hpp).
#pragma once

#include <intercom/resources/generated/segments.hpp>
