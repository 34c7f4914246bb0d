// `client.admins()`: its operations and models (generated: resources/generated/admins.hpp).
#pragma once

#include <intercom/resources/generated/admins.hpp>
