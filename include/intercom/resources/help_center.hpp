// `client.help_center()`: its operations and models (generated: resources/generated/help_center.hpp).
#pragma once

#include <intercom/resources/generated/help_center.hpp>
