// Tests of routing: the route of a path-style request (no root domain) with this method and target.
#pragma once

#include <string>
#include <utility>

#include "s3/router.h"

namespace garage::s3 {

inline absl::StatusOr<Route> route_for(std::string method, std::string target) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = {{"host", "127.0.0.1"}};
  return route_request(r, "");
}

}  // namespace garage::s3
