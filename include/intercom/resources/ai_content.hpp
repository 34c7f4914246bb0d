// `client.ai_content()`: its operations and models (generated: resources/generated/ai_content.hpp).
#pragma once

#include <intercom/resources/generated/ai_content.hpp>
