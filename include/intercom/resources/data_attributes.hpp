// `client.data_attributes()`: its operations and models (generated: resources/generated/data_attributes.hpp).
#pragma once

#include <intercom/resources/generated/data_attributes.hpp>
