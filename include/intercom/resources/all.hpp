// Every resource group (generated: resources/generated/all.hpp).
#pragma once

#include <intercom/resources/generated/all.hpp>
