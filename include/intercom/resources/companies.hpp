// `client.companies()`: its operations and models (generated: resources/generated/companies.hpp).
#pragma once

#include <intercom/resources/generated/companies.hpp>
