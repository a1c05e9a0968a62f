#pragma once

// Private to the http client's translation units: the per-client connection state.
#include "exporter/http/connection_pool.h"
#include "exporter/http/http_client.h"
#include "exporter/http/url.h"

namespace fue::http {

struct Client::Pool {
  Pool(Url base_url, const HttpSettings& settings, std::optional<Url> proxy)
      : base(std::move(base_url)), connections(settings, std::move(proxy)) {}
  Url base;
  ConnectionPool connections;
};

}  // namespace fue::http
