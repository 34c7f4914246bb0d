// `client.notes()`: its operations and models (generated: resources/generated/notes.hpp).
#pragma once

#include <intercom/resources/generated/notes.hpp>
