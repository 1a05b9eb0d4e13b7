// Bucket configurations kept as one XML document each: Get/Put/DeleteBucketCors (s3/cors.h),
// Get/Put/DeleteBucketWebsite (s3/website.h) and Get/Put/DeleteBucketTagging (s3/tagging.h).
// (GCC 12: no temporary inside a co_await expression, node/runtime/task.h: ids are named first.)
#include <cassert>

#include "s3/api.h"
#include "s3/cors.h"
#include "s3/errors.h"
#include "s3/tagging.h"
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

absl::StatusOr<std::string> canonical_tagging(absl::string_view body) {
  absl::StatusOr<TagSet> tags = parse_tagging_xml(body, TagTarget::kBucket);
  if (!tags.ok()) return tags.status();
  if (tags->empty()) return std::string();  // as DeleteBucketTagging: GetBucketTagging says NoSuchTagSet
  return tagging_xml(*tags);
}

DocumentKind kind_of(BucketDocument which) {
  switch (which) {
    case BucketDocument::kCors:
      return {S3Code::kNoSuchCORSConfiguration, kMaxCorsConfigurationBytes, &canonical_cors};
    case BucketDocument::kWebsite:
      return {S3Code::kNoSuchWebsiteConfiguration, kMaxWebsiteConfigurationBytes, &canonical_website};
    case BucketDocument::kTagging:
      return {S3Code::kNoSuchTagSet, kMaxTaggingDocumentBytes, &canonical_tagging};
  }
  assert(false && "every BucketDocument is above");
  return {S3Code::kInternalError, 0, nullptr};
}
}  // namespace

absl::StatusOr<HttpResponse> S3Api::get_bucket_document(S3Call& call, BucketDocument which) {
  const std::string& document = call.bucket->document(which);
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
  std::string bucket_id = call.bucket->id;
  absl::Status s = co_await model_.set_bucket_document(std::move(bucket_id), which, std::move(*document));
  if (!s.ok()) co_return s;
  co_return HttpResponse{};
}

Task<absl::StatusOr<HttpResponse>> S3Api::delete_bucket_document(S3Call& call, BucketDocument which) {
  std::string bucket_id = call.bucket->id, none;
  absl::Status s = co_await model_.set_bucket_document(std::move(bucket_id), which, std::move(none));
  if (!s.ok()) co_return s;
  HttpResponse r;
  r.status = 204;
  co_return r;
}

}  // namespace garage::s3
