// Umbrella header of intercom-cpp.
#pragma once

#include <intercom/client.hpp>
#include <intercom/client_options.hpp>
#include <intercom/diagnostics.hpp>
#include <intercom/error.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/http/origin.hpp>
#include <intercom/operation.hpp>
#include <intercom/rate_limit.hpp>
#include <intercom/request_options.hpp>
#include <intercom/result.hpp>
#include <intercom/async_run.hpp>
#include <intercom/json/flex_id.hpp>
#include <intercom/json/nullable.hpp>
#include <intercom/json/open_enum.hpp>
#include <intercom/models/models.hpp>
#include <intercom/resources/all.hpp>
