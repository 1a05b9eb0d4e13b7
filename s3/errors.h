// S3 errors: an absl::Status carrying one of S3's error codes, and the XML error document for it.
//
//   co_return s3_error(S3Code::kNoSuchKey);                      // the table's message
//   co_return s3_error(S3Code::kInvalidArgument, "max-keys must be a number");
//
// Each code's name, HTTP status and default message live in one table (errors.cc); a code that
// is not in it cannot be written. Statuses from lower layers (quorum failures, disk errors) map
// by their absl code: Unavailable -> 503 ServiceUnavailable, NotFound -> 404 NoSuchKey... (see
// error_info). An S3 error's absl code follows its HTTP status (404: NotFound, 403:
// PermissionDenied, 5xx: Unavailable or Internal...), so generic checks see what it means;
// is_s3_error() tells it apart from a lower layer's status with the same absl code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "s3/http.h"

namespace garage::s3 {

enum class S3Code : uint8_t {
  kAccessDenied,
  kAccessForbidden,
  kAuthorizationHeaderMalformed,
  kAuthorizationQueryParametersError,
  kBadDigest,
  kBucketAlreadyExists,
  kBucketAlreadyOwnedByYou,
  kBucketNotEmpty,
  kEntityTooLarge,
  kEntityTooSmall,
  kIncompleteBody,
  kIncorrectNumberOfFilesInPostRequest,
  kInternalError,
  kInvalidAccessKeyId,
  kInvalidArgument,
  kInvalidBucketName,
  kInvalidDigest,
  kInvalidLocationConstraint,
  kInvalidPart,
  kInvalidPartNumber,
  kInvalidPartOrder,
  kInvalidPolicyDocument,
  kInvalidRange,
  kInvalidRequest,
  kInvalidTag,
  kKeyTooLongError,
  kMalformedXML,
  kMalformedPOSTRequest,
  kMetadataTooLarge,
  kMaxPostPreDataLengthExceededError,
  kMethodNotAllowed,
  kMissingContentLength,
  kNoSuchBucket,
  kNoSuchCORSConfiguration,
  kNoSuchKey,
  kNoSuchTagSet,
  kNoSuchUpload,
  kNoSuchWebsiteConfiguration,
  kNotImplemented,
  kNotModified,
  kPreconditionFailed,
  kRequestHeaderSectionTooLarge,
  kRequestTimeTooSkewed,
  kServiceUnavailable,
  kSignatureDoesNotMatch,
  kSlowDown,
  kXAmzContentSHA256Mismatch,
};
inline constexpr int kS3CodeCount = static_cast<int>(S3Code::kXAmzContentSHA256Mismatch) + 1;

struct S3CodeInfo {
  S3Code code;
  absl::string_view name;  // as S3 spells it in <Code>
  int http_status;
  absl::string_view message;  // S3's own words, when the call site has nothing more precise
};
const S3CodeInfo& code_info(S3Code code);

absl::Status s3_error(S3Code code);
absl::Status s3_error(S3Code code, absl::string_view message);
inline absl::Status s3_error(S3Code code, const std::string& message) {
  return s3_error(code, absl::string_view(message));
}
inline absl::Status s3_error(S3Code code, const char* message) { return s3_error(code, absl::string_view(message)); }
bool is_s3_error(const absl::Status& status);

// A request signed for another region than ours: AuthorizationHeaderMalformed (a header
// signature) or AuthorizationQueryParametersError (a presigned URL), whose error document
// carries <Region> and whose response carries x-amz-bucket-region, as AWS sends them. Clients
// retry with that region: s3cmd with its default "US", and boto3 for HEAD.
absl::Status wrong_region_error(absl::string_view signed_for, absl::string_view ours, bool presigned);

struct S3ErrorInfo {
  int http_status;
  std::string code;
  std::string message;
  std::string region;  // non-empty: the region the client must sign for (wrong_region_error)
};
S3ErrorInfo error_info(const absl::Status& status);

// The <Error> document (or, for HEAD, just the status: a HEAD response has no body).
HttpResponse error_response(const absl::Status& status, absl::string_view resource, absl::string_view request_id,
                            bool head);

}  // namespace garage::s3
