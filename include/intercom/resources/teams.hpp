// `client.teams()`: its operations and models (generated: resources/generated/teams.hpp).
#pragma once

#include <intercom/resources/generated/teams.hpp>
