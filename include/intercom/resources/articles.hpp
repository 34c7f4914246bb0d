// `client.articles()`: its operations and models (generated: resources/generated/articles.hpp).
#pragma once

#include <intercom/resources/generated/articles.hpp>
