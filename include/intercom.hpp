// Umbrella header of intercom-cpp.
#pragma once

#include <intercom/client.hpp>
#include <intercom/client_options.hpp>
#include <intercom/diagnostics.hpp>
#include <intercom/error.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/http/origin.hpp>
#include <intercom/operation.hpp>
#include <intercom/pipeline/clock.hpp>
#include <intercom/pipeline/events.hpp>
#include <intercom/pipeline/middleware.hpp>
#include <intercom/pipeline/pipeline.hpp>
#include <intercom/pipeline/policies.hpp>
#include <intercom/pipeline/rate_limiter.hpp>
#include <intercom/rate_limit.hpp>
#include <intercom/request_options.hpp>
#include <intercom/result.hpp>
#include <intercom/search/fields.hpp>
#include <intercom/search/query.hpp>
#include <intercom/pagination/fsm.hpp>
#include <intercom/pagination/listing.hpp>
#include <intercom/pagination/page_source.hpp>
#include <intercom/pagination/pager.hpp>
#include <intercom/pagination/pages.hpp>
#include <intercom/pagination/partitioned_export.hpp>
