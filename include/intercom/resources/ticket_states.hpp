// `client.ticket_states()`: its operations and models (generated: resources/generated/ticket_states.hpp).
#pragma once

#include <intercom/resources/generated/ticket_states.hpp>
