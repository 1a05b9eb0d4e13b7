// Bucket configurations kept as one XML document each: Get/Put/DeleteBucketCors (s3/cors.h) and
// Get/Put/DeleteBucketWebsite (s3/website.h).
#include "s3/api.h"
#include "s3/cors.h"
#include "s3/errors.h"
#include "s3/website.h"

namespace garage::s3 {

namespace {
struct DocumentKind {
  S3Code missing;    // GET of none
  size_t max_bytes;  // the largest document Put accepts
  // The document as stored and answered, once checked (an S3 error if S3 would refuse it).
  absl::StatusOr<std::string> (*canonical)(absl::string_view body);
};

absl::StatusOr<std::string> canonical_cors(absl::string_view body) {
  absl::StatusOr<CorsRules> rules = parse_cors_configuration(body);
  if (!rules.ok()) return rules.status();
  return cors_configuration_xml(*rules);
}

absl::StatusOr<std::string> canonical_website(absl::string_view body) {
  absl::StatusOr<WebsiteConfig> config = parse_website_configuration(body);
  if (!config.ok()) return config.status();
  return website_configuration_xml(*config);
}

DocumentKind kind_of(BucketDocument which) {
  if (which == BucketDocument::kCors)
    return {S3Code::kNoSuchCORSConfiguration, kMaxCorsConfigurationBytes, &canonical_cors};
  return {S3Code::kNoSuchWebsiteConfiguration, kMaxWebsiteConfigurationBytes, &canonical_website};
}

const std::string& stored(const BucketInfo& bucket, BucketDocument which) {
  return which == BucketDocument::kCors ? bucket.cors : bucket.website;
}
}  // namespace

// (GCC 12: no co_await in a ternary, no temporary inside a co_await: node/runtime/task.h.)
Task<absl::Status> S3Api::store(S3Call& call, BucketDocument which, std::string document) {
  std::string bucket_id = call.bucket->id;
  if (which == BucketDocument::kCors)
    co_return co_await model_.set_bucket_cors(std::move(bucket_id), std::move(document));
  co_return co_await model_.set_bucket_website(std::move(bucket_id), std::move(document));
}

absl::StatusOr<HttpResponse> S3Api::get_bucket_document(S3Call& call, BucketDocument which) {
  const std::string& document = stored(*call.bucket, which);
  if (document.empty()) return s3_error(kind_of(which).missing);
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = document;
  return r;
}

Task<absl::StatusOr<HttpResponse>> S3Api::put_bucket_document(S3Call& call, BucketDocument which) {
  const DocumentKind kind = kind_of(which);
  // One byte more than allowed, so that a larger document is told apart from a cut one.
  absl::StatusOr<std::string> body = co_await read_all(*call.body, kind.max_bytes + 1);
  if (!body.ok()) co_return body.status();
  absl::StatusOr<std::string> document = kind.canonical(*body);
  if (!document.ok()) co_return document.status();
  absl::Status s = co_await store(call, which, std::move(*document));
  if (!s.ok()) co_return s;
  co_return HttpResponse{};
}

Task<absl::StatusOr<HttpResponse>> S3Api::delete_bucket_document(S3Call& call, BucketDocument which) {
  std::string none;
  absl::Status s = co_await store(call, which, std::move(none));
  if (!s.ok()) co_return s;
  HttpResponse r;
  r.status = 204;
  co_return r;
}

}  // namespace garage::s3
