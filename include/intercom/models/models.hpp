// Every model of the API (generated, split per resource group: models/generated/). A resource
// header includes only its group's models and the shared ones (models/generated/common.hpp).
#pragma once

#include <intercom/models/generated/all.hpp>
