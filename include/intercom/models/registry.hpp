// Run-time table of the model codecs (generated: models/generated/registry.hpp).
#pragma once

#include <intercom/models/generated/registry.hpp>
