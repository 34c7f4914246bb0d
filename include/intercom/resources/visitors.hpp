// `client.visitors()`: its operations and models (generated: resources/generated/visitors.hpp).
#pragma once

#include <intercom/resources/generated/visitors.hpp>
