// `client.custom_object_instances()`: its operations and models (generated: resources/generated/custom_object_instances.hpp).
#pragma once

#include <intercom/resources/generated/custom_object_instances.hpp>
