// CORS: the preflight OPTIONS and the Access-Control-* headers on cross-origin responses (the
// rules: s3/cors.h; Get/Put/DeleteBucketCors are in api_bucket_documents.cc).
#include "s3/api.h"
#include "s3/cors.h"
#include "s3/errors.h"

namespace garage::s3 {

Task<absl::StatusOr<HttpResponse>> S3Api::preflight(S3Call& call) {
  const std::optional<std::string> origin = call.http.header("origin");
  const std::optional<std::string> method = call.http.header("access-control-request-method");
  if (!origin || !method) {
    co_return s3_error(S3Code::kInvalidRequest,
                       "Insufficient information. Origin and Access-Control-Request-Method headers are needed.");
  }
  const std::vector<std::string> request_headers =
      parse_request_headers(call.http.header("access-control-request-headers").value_or(""));
  // Global names only: a preflight carries no key, so no key's local names. An unknown bucket
  // is refused as a disallowed request is, telling a stranger nothing about which names exist.
  absl::StatusOr<std::optional<BucketInfo>> bucket = co_await model_.bucket_by_name(call.route.bucket);
  if (!bucket.ok()) co_return bucket.status();
  if (!bucket->has_value() || (*bucket)->cors.empty()) co_return s3_error(S3Code::kAccessForbidden);
  absl::StatusOr<CorsRules> rules = parse_cors_configuration((*bucket)->cors);
  if (!rules.ok()) co_return rules.status();
  const CorsRule* rule = match_cors_rule(*rules, *origin, *method, request_headers);
  if (rule == nullptr) co_return s3_error(S3Code::kAccessForbidden);
  HttpResponse r;
  add_cors_headers(r, *rule, *origin, request_headers, /*preflight=*/true);
  co_return r;
}

void S3Api::add_cors_headers_for(const S3Call& call, HttpResponse& response) {
  if (!call.bucket || call.bucket->cors.empty() || call.route.endpoint == Endpoint::kPreflight) return;
  const std::optional<std::string> origin = call.http.header("origin");
  if (!origin) return;
  absl::StatusOr<CorsRules> rules = parse_cors_configuration(call.bucket->cors);
  if (!rules.ok()) return;  // stored by put_bucket_cors, which parsed it: cannot happen
  if (const CorsRule* rule = match_cors_rule(*rules, *origin, call.http.method, {})) {
    add_cors_headers(response, *rule, *origin, {}, /*preflight=*/false);
  }
}

}  // namespace garage::s3
