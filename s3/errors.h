// S3 errors: an absl::Status carrying the S3 error code, and the XML error document for it.
//
//   co_return s3_error("NoSuchKey", "The specified key does not exist.");
// Statuses from lower layers (quorum failures, disk errors) map by their absl code:
// Unavailable -> 503 ServiceUnavailable, DeadlineExceeded -> 503 SlowDown... (see errors.cc).
#pragma once

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "s3/http.h"

namespace garage::s3 {

// `code` must be one of the S3 error codes errors.cc knows (its HTTP status comes from there).
absl::Status s3_error(absl::string_view code, absl::string_view message);
inline absl::Status s3_error(absl::string_view code, const std::string& message) {
  return s3_error(code, absl::string_view(message));
}
inline absl::Status s3_error(absl::string_view code, const char* message) { return s3_error(code, absl::string_view(message)); }

struct S3ErrorInfo {
  int http_status;
  std::string code;
  std::string message;
};
S3ErrorInfo error_info(const absl::Status& status);

// The <Error> document (or, for HEAD, just the status: a HEAD response has no body).
HttpResponse error_response(const absl::Status& status, absl::string_view resource, absl::string_view request_id,
                            bool head);

}  // namespace garage::s3
