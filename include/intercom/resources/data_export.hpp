// `client.data_export()`: its operations and models (generated: resources/generated/data_export.hpp).
#pragma once

#include <intercom/resources/generated/data_export.hpp>
