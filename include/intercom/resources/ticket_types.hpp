// `client.ticket_types()`: its operations and models (generated: resources/generated/ticket_types.hpp).
#pragma once

#include <intercom/resources/generated/ticket_types.hpp>
