#include "s3/errors.h"

#include <cassert>
#include <iterator>
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
constexpr char kPayloadUrl[] = "garage.s3/code";
constexpr char kRegionPayloadUrl[] = "garage.s3/region";  // wrong_region_error's region

// In S3Code's order (checked below). Messages are AWS's where it documents one.
constexpr S3CodeInfo kCodes[] = {
    {S3Code::kAccessDenied, "AccessDenied", 403, "Access Denied"},
    {S3Code::kAccessForbidden, "AccessForbidden", 403,
     "CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, request "
     "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's "
     "CORS spec."},
    {S3Code::kAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", 400,
     "The authorization header that you provided is not valid."},
    {S3Code::kAuthorizationQueryParametersError, "AuthorizationQueryParametersError", 400,
     "The authorization query parameters are not valid."},
    {S3Code::kBadDigest, "BadDigest", 400, "The Content-MD5 you specified did not match what we received."},
    {S3Code::kBucketAlreadyExists, "BucketAlreadyExists", 409,
     "The requested bucket name is not available. Please select a different name and try again."},
    {S3Code::kBucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409,
     "The bucket that you tried to create already exists, and you own it."},
    {S3Code::kBucketNotEmpty, "BucketNotEmpty", 409, "The bucket that you tried to delete is not empty."},
    {S3Code::kEntityTooLarge, "EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."},
    {S3Code::kEntityTooSmall, "EntityTooSmall", 400,
     "Your proposed upload is smaller than the minimum allowed object size."},
    {S3Code::kIncompleteBody, "IncompleteBody", 400,
     "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    {S3Code::kIncorrectNumberOfFilesInPostRequest, "IncorrectNumberOfFilesInPostRequest", 400,
     "POST requires exactly one file upload per request."},
    {S3Code::kInternalError, "InternalError", 500, "We encountered an internal error. Please try again."},
    {S3Code::kInvalidAccessKeyId, "InvalidAccessKeyId", 403,
     "The AWS access key ID that you provided does not exist in our records."},
    {S3Code::kInvalidArgument, "InvalidArgument", 400, "Invalid Argument"},
    {S3Code::kInvalidBucketName, "InvalidBucketName", 400, "The specified bucket is not valid."},
    {S3Code::kInvalidDigest, "InvalidDigest", 400, "The Content-MD5 you specified is not valid."},
    {S3Code::kInvalidLocationConstraint, "InvalidLocationConstraint", 400,
     "The specified location constraint is not valid."},
    {S3Code::kInvalidPart, "InvalidPart", 400,
     "One or more of the specified parts could not be found, or its entity tag did not match."},
    {S3Code::kInvalidPartNumber, "InvalidPartNumber", 416, "The requested partnumber is not satisfiable"},
    {S3Code::kInvalidPartOrder, "InvalidPartOrder", 400,
     "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
    {S3Code::kInvalidPolicyDocument, "InvalidPolicyDocument", 400,
     "The content of the form does not meet the conditions specified in the policy document."},
    {S3Code::kInvalidRange, "InvalidRange", 416, "The requested range is not satisfiable"},
    {S3Code::kInvalidRequest, "InvalidRequest", 400, "Invalid Request"},
    {S3Code::kInvalidTag, "InvalidTag", 400, "The tag provided was not a valid tag."},
    {S3Code::kKeyTooLongError, "KeyTooLongError", 400, "Your key is too long."},
    {S3Code::kMalformedXML, "MalformedXML", 400,
     "The XML that you provided was not well formed or did not validate against our published schema."},
    {S3Code::kMalformedPOSTRequest, "MalformedPOSTRequest", 400,
     "The body of your POST request is not well-formed multipart/form-data."},
    {S3Code::kMetadataTooLarge, "MetadataTooLarge", 400,
     "Your metadata headers exceed the maximum allowed metadata size."},
    {S3Code::kMaxPostPreDataLengthExceededError, "MaxPostPreDataLengthExceededError", 400,
     "Your POST request fields preceding the upload file were too large."},
    {S3Code::kMethodNotAllowed, "MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
    {S3Code::kMissingContentLength, "MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
    {S3Code::kNoSuchBucket, "NoSuchBucket", 404, "The specified bucket does not exist"},
    {S3Code::kNoSuchCORSConfiguration, "NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"},
    {S3Code::kNoSuchKey, "NoSuchKey", 404, "The specified key does not exist."},
    {S3Code::kNoSuchTagSet, "NoSuchTagSet", 404, "The TagSet does not exist"},
    {S3Code::kNoSuchUpload, "NoSuchUpload", 404, "The specified upload does not exist."},
    {S3Code::kNoSuchWebsiteConfiguration, "NoSuchWebsiteConfiguration", 404,
     "The specified bucket does not have a website configuration"},
    {S3Code::kNotImplemented, "NotImplemented", 501,
     "A header or request you provided implies functionality that is not implemented."},
    {S3Code::kNotModified, "NotModified", 304, "Not Modified"},
    {S3Code::kPreconditionFailed, "PreconditionFailed", 412,
     "At least one of the pre-conditions you specified did not hold"},
    {S3Code::kRequestHeaderSectionTooLarge, "RequestHeaderSectionTooLarge", 400,
     "Your request header section exceeds the maximum allowed size."},
    {S3Code::kRequestTimeTooSkewed, "RequestTimeTooSkewed", 403,
     "The difference between the request time and the server's time is too large."},
    {S3Code::kServiceUnavailable, "ServiceUnavailable", 503, "The service is unavailable right now; please retry."},
    {S3Code::kSignatureDoesNotMatch, "SignatureDoesNotMatch", 403,
     "The request signature that we calculated does not match the signature that you provided."},
    {S3Code::kSlowDown, "SlowDown", 503, "Please reduce your request rate."},
    {S3Code::kXAmzContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400,
     "The provided 'x-amz-content-sha256' header does not match what was computed."},
};
static_assert(std::size(kCodes) == kS3CodeCount, "every S3Code has one row");
constexpr bool rows_in_enum_order() {
  for (int i = 0; i < kS3CodeCount; ++i)
    if (static_cast<int>(kCodes[i].code) != i) return false;
  return true;
}
static_assert(rows_in_enum_order(), "kCodes is in S3Code's order");

// What generic checks (absl::IsNotFound...) should see of an S3 error.
absl::StatusCode absl_code_for(int http_status) {
  switch (http_status) {
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 416:
      return absl::StatusCode::kOutOfRange;
    case 304:
    case 412:
      return absl::StatusCode::kFailedPrecondition;
    case 500:
      return absl::StatusCode::kInternal;
    case 501:
      return absl::StatusCode::kUnimplemented;
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kInvalidArgument;  // the other 4xx: the request itself is wrong
  }
}
}  // namespace

const S3CodeInfo& code_info(S3Code code) {
  const int i = static_cast<int>(code);
  assert(i >= 0 && i < kS3CodeCount);
  return kCodes[i];
}

absl::Status s3_error(S3Code code) { return s3_error(code, code_info(code).message); }

absl::Status s3_error(S3Code code, absl::string_view message) {
  const S3CodeInfo& info = code_info(code);
  absl::Status s(absl_code_for(info.http_status), message);
  s.SetPayload(kPayloadUrl, absl::Cord(std::string(1, static_cast<char>(code))));
  return s;
}

namespace {
// The S3 code a status carries, if s3_error made it.
std::optional<S3Code> carried_code(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl);
  if (!payload || payload->size() != 1) return std::nullopt;
  const int i = static_cast<unsigned char>(std::string(*payload)[0]);
  if (i >= kS3CodeCount) return std::nullopt;
  return static_cast<S3Code>(i);
}

// A status from below the S3 layer (quorums, disks, peers) carries text for the log: paths,
// node ids, peer errors. Clients get S3's own words; the log has the rest (with the request id).
S3Code code_for_lower_layer(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return S3Code::kServiceUnavailable;
    case absl::StatusCode::kInvalidArgument:
      return S3Code::kInvalidRequest;
    case absl::StatusCode::kNotFound:
      return S3Code::kNoSuchKey;
    case absl::StatusCode::kPermissionDenied:
      return S3Code::kAccessDenied;
    case absl::StatusCode::kResourceExhausted:
      return S3Code::kEntityTooLarge;
    case absl::StatusCode::kUnimplemented:
      return S3Code::kNotImplemented;
    default:
      return S3Code::kInternalError;
  }
}
}  // namespace

bool is_s3_error(const absl::Status& status) { return carried_code(status).has_value(); }

absl::Status wrong_region_error(absl::string_view signed_for, absl::string_view ours, bool presigned) {
  absl::Status s =
      s3_error(presigned ? S3Code::kAuthorizationQueryParametersError : S3Code::kAuthorizationHeaderMalformed,
               absl::StrCat(presigned ? "Error parsing the X-Amz-Credential parameter; "
                                      : "The authorization header is malformed; ",
                            "the region '", signed_for, "' is wrong; expecting '", ours, "'"));
  s.SetPayload(kRegionPayloadUrl, absl::Cord(ours));
  return s;
}

S3ErrorInfo error_info(const absl::Status& status) {
  if (std::optional<S3Code> code = carried_code(status)) {
    const S3CodeInfo& info = code_info(*code);
    absl::optional<absl::Cord> region = status.GetPayload(kRegionPayloadUrl);
    return {info.http_status, std::string(info.name), std::string(status.message()),
            region ? std::string(*region) : std::string()};
  }
  const S3CodeInfo& info = code_info(code_for_lower_layer(status.code()));
  // A request that failed validation below the S3 layer: its text is about the request.
  const bool own_words = status.code() == absl::StatusCode::kInvalidArgument;
  return {info.http_status, std::string(info.name), std::string(own_words ? status.message() : info.message), ""};
}

HttpResponse error_response(const absl::Status& status, absl::string_view resource, absl::string_view request_id,
                            bool head) {
  const S3ErrorInfo info = error_info(status);
  HttpResponse r;
  r.status = info.http_status;
  r.head = head;
  r.set("x-amz-request-id", std::string(request_id));
  if (!info.region.empty()) r.set("x-amz-bucket-region", info.region);  // also for HEAD: no body
  if (info.http_status == 304 || head) return r;
  r.set("content-type", "application/xml");
  r.body = error_document(info.code, info.message, resource, request_id, info.region);
  return r;
}

}  // namespace garage::s3
