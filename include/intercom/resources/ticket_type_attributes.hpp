// `client.ticket_type_attributes()`: its operations and models (generated: resources/generated/ticket_type_attributes.hpp).
#pragma once

#include <intercom/resources/generated/ticket_type_attributes.hpp>
