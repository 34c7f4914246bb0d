// `client.tags()`: its operations and models (generated: resources/generated/tags.hpp).
#pragma once

#include <intercom/resources/generated/tags.hpp>
