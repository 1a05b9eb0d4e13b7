#include "s3/errors.h"

#include <map>

#include "absl/strings/cord.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
constexpr char kPayloadUrl[] = "garage.s3/code";

int status_of(absl::string_view code) {
  static const std::map<absl::string_view, int> kStatus = {
      {"AccessDenied", 403},
      {"AuthorizationHeaderMalformed", 400},
      {"AuthorizationQueryParametersError", 400},
      {"BadDigest", 400},
      {"BucketAlreadyExists", 409},
      {"BucketAlreadyOwnedByYou", 409},
      {"BucketNotEmpty", 409},
      {"EntityTooLarge", 400},
      {"EntityTooSmall", 400},
      {"IncompleteBody", 400},
      {"InternalError", 500},
      {"InvalidAccessKeyId", 403},
      {"InvalidArgument", 400},
      {"InvalidBucketName", 400},
      {"InvalidDigest", 400},
      {"InvalidPart", 400},
      {"InvalidPartOrder", 400},
      {"InvalidRange", 416},
      {"InvalidRequest", 400},
      {"KeyTooLongError", 400},
      {"MalformedXML", 400},
      {"MethodNotAllowed", 405},
      {"MissingContentLength", 411},
      {"NoSuchBucket", 404},
      {"NoSuchKey", 404},
      {"MetadataTooLarge", 400},
      {"NoSuchUpload", 404},
      {"NotImplemented", 501},
      {"NotModified", 304},
      {"PreconditionFailed", 412},
      {"RequestHeaderSectionTooLarge", 400},
      {"RequestTimeTooSkewed", 403},
      {"ServiceUnavailable", 503},
      {"SignatureDoesNotMatch", 403},
      {"SlowDown", 503},
      {"XAmzContentSHA256Mismatch", 400},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 400 : it->second;
}
}  // namespace

absl::Status s3_error(absl::string_view code, absl::string_view message) {
  absl::Status s(absl::StatusCode::kFailedPrecondition, message);
  s.SetPayload(kPayloadUrl, absl::Cord(code));
  return s;
}

S3ErrorInfo error_info(const absl::Status& status) {
  const std::string message(status.message());
  if (absl::optional<absl::Cord> code = status.GetPayload(kPayloadUrl)) {
    const std::string c(*code);
    return {status_of(c), c, message};
  }
  // A status from below the S3 layer (quorums, disks, peers) carries text for the log: paths,
  // node ids, peer errors. Clients get S3's own words; the log has the rest (with the request id).
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return {503, "ServiceUnavailable", "The service is unavailable right now; please retry."};
    case absl::StatusCode::kInvalidArgument:
      return {400, "InvalidRequest", message};  // validation of the request: its text is about it
    case absl::StatusCode::kNotFound:
      return {404, "NoSuchKey", "The specified key does not exist."};
    case absl::StatusCode::kPermissionDenied:
      return {403, "AccessDenied", "Access Denied"};
    case absl::StatusCode::kResourceExhausted:
      return {400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size."};
    case absl::StatusCode::kUnimplemented:
      return {501, "NotImplemented", "A header or request you provided implies functionality that is not implemented."};
    default:
      return {500, "InternalError", "We encountered an internal error. Please try again."};
  }
}

HttpResponse error_response(const absl::Status& status, absl::string_view resource, absl::string_view request_id,
                            bool head) {
  const S3ErrorInfo info = error_info(status);
  HttpResponse r;
  r.status = info.http_status;
  r.head = head;
  r.set("x-amz-request-id", std::string(request_id));
  if (info.http_status == 304 || head) return r;
  r.set("content-type", "application/xml");
  r.body = error_document(info.code, info.message, resource, request_id);
  return r;
}

}  // namespace garage::s3
