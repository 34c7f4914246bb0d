// The static facts of every operation (generated: resources/generated/operations.hpp).
#pragma once

#include <intercom/resources/generated/operations.hpp>
