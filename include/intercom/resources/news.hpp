// `client.news()`: its operations and models (generated: resources/generated/news.hpp).
#pragma once

#include <intercom/resources/generated/news.hpp>
