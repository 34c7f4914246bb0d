// `client.phone_call_redirects()`: its operations and models (generated: resources/generated/phone_call_redirects.hpp).
#pragma once

#include <intercom/resources/generated/phone_call_redirects.hpp>
