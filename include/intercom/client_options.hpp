// Options of an intercom::client: where to connect, which token and version, timeouts, pipeline.
#pragma once

#include <intercom/http/pool_options.hpp>
#include <intercom/pipeline/pipeline.hpp>

#include <chrono>
#include <string>

namespace intercom {

/// Intercom's hosting regions.
enum class region {
    us,  ///< https://api.intercom.io
    eu,  ///< https://api.eu.intercom.io
    au,  ///< https://api.au.intercom.io
};

/// The base URL of a region.
constexpr const char* base_url_of(region r) noexcept {
    switch (r) {
    case region::eu: return "https://api.eu.intercom.io";
    case region::au: return "https://api.au.intercom.io";
    case region::us: break;
    }
    return "https://api.intercom.io";
}

/// Options of one client (one workspace token). Defaults are safe for production use.
struct client_options {
    std::string token;                 ///< access token; sent as `Authorization: Bearer ...`, never logged
    intercom::region region = region::us;
    std::string base_url;              ///< overrides `region` when set, e.g. "http://127.0.0.1:8080"
    std::string version = "2.11";      ///< Intercom-Version header
    std::string user_agent = "intercom-cpp/0.1";

    std::chrono::milliseconds attempt_timeout{std::chrono::seconds(30)}; ///< one try: write + read
    std::chrono::milliseconds timeout{std::chrono::seconds(120)};        ///< whole call, all tries

    /// Used only when the client creates its own transport (see the client constructors).
    http::transport_options transport;

    /// Retries, rate limiting, middleware, hooks, logging and the time seam (see
    /// `pipeline::pipeline_options` for each default). E.g. `pipeline.per_attempt.push_back(m)`,
    /// `pipeline.on_event = ...`, `pipeline.rate_limiter = shared_limiter`.
    pipeline::pipeline_options pipeline;

    /// The effective base URL: `base_url` if set, else the region's.
    std::string effective_base_url() const { return base_url.empty() ? base_url_of(region) : base_url; }
};

} // namespace intercom
