// CORS (cross-origin resource sharing) as S3 does it: a bucket's rules (PutBucketCors), the
// preflight OPTIONS a browser sends before a cross-origin request, and the Access-Control-*
// headers on the responses a rule allows. Pure: no I/O, no clock.
//
//   absl::StatusOr<CorsRules> rules = parse_cors_configuration(body);    // PutBucketCors
//   const CorsRule* rule = match_cors_rule(*rules, origin, "PUT", {"content-type"});
//   if (rule) add_cors_headers(response, *rule, origin, requested_headers, /*preflight=*/true);
//
// A rule matches when the origin matches one of its AllowedOrigin patterns, the method is one
// of its AllowedMethod, and (preflight) every requested header matches one of its AllowedHeader
// patterns; the first matching rule wins, as in AWS. Patterns hold at most one '*', which
// matches any run of characters; headers compare case-insensitively, origins exactly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "s3/http.h"

namespace garage::s3 {

struct CorsRule {
  std::string id;
  std::vector<std::string> allowed_origins;  // at least one
  std::vector<std::string> allowed_methods;  // at least one of GET, PUT, HEAD, POST, DELETE
  std::vector<std::string> allowed_headers;  // lowercased
  std::vector<std::string> expose_headers;
  std::optional<int64_t> max_age_seconds;
};
using CorsRules = std::vector<CorsRule>;

// AWS's limits on a CORS configuration.
inline constexpr size_t kMaxCorsRules = 100;
inline constexpr size_t kMaxCorsConfigurationBytes = 64 * 1024;

// A <CORSConfiguration> document. MalformedXML when it is not one (or holds no rule);
// InvalidRequest for what AWS refuses in a well-formed one: a rule without origin or method, an
// unsupported method, a pattern with two '*', more than kMaxCorsRules rules.
absl::StatusOr<CorsRules> parse_cors_configuration(absl::string_view xml);
// The document GetBucketCors answers; parse_cors_configuration reads it back to the same rules.
std::string cors_configuration_xml(const CorsRules& rules);

// Whether `text` matches `pattern` (at most one '*').
bool cors_pattern_matches(absl::string_view pattern, absl::string_view text, bool ignore_case);

// The first rule allowing `origin` to send `method` with `request_headers` (lowercase names).
const CorsRule* match_cors_rule(const CorsRules& rules, absl::string_view origin, absl::string_view method,
                                const std::vector<std::string>& request_headers);

// Access-Control-Request-Headers' names, lowercased.
std::vector<std::string> parse_request_headers(absl::string_view header_value);

// The Access-Control-* and Vary headers for a response `rule` allows. A preflight also gets the
// allowed request headers and max-age.
void add_cors_headers(HttpResponse& response, const CorsRule& rule, absl::string_view origin,
                      const std::vector<std::string>& request_headers, bool preflight);

}  // namespace garage::s3
