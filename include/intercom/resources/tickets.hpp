// `client.tickets()`: its operations and models (generated: resources/generated/tickets.hpp).
#pragma once

#include <intercom/resources/generated/tickets.hpp>
