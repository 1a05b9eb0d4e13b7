// Conditional requests (RFC 7232, as S3 applies them): If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since on GetObject and HeadObject, and their
// x-amz-copy-source-if-* forms on CopyObject and UploadPartCopy. One evaluation for both.
//
//   const Conditions c = conditions_of(call.http, kGetConditions);
//   switch (evaluate(c, version.meta.etag, version.timestamp_ms)) { ... }
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "s3/http.h"

namespace garage::s3 {

struct Conditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
  std::optional<std::string> if_unmodified_since;
};
// The prefix of the four header names: "if-" for GET and HEAD, "x-amz-copy-source-if-" for a
// copy's source.
inline constexpr absl::string_view kGetConditions = "if-";
inline constexpr absl::string_view kCopySourceConditions = "x-amz-copy-source-if-";
Conditions conditions_of(const HttpRequest& request, absl::string_view prefix);

enum class ConditionOutcome {
  kProceed,
  kNotModified,         // GET/HEAD: 304; a copy source: 412, as S3 answers
  kPreconditionFailed,  // 412
};
// In RFC 7232 section 6's order: If-Match (else If-Unmodified-Since) may fail the request; then
// If-None-Match (else If-Modified-Since) may find it not modified. Dates compare in whole
// seconds (HTTP dates have no more); a date that does not parse is ignored, as RFC 7232 says.
ConditionOutcome evaluate(const Conditions& conditions, absl::string_view etag, int64_t modified_ms);

// An If-Match / If-None-Match value: "*", or a comma list of entity tags, quoted or not, weak
// (W/) or not, compared with the object's etag (unquoted).
bool etag_matches(absl::string_view header, absl::string_view etag);
// The three date forms RFC 7231 section 7.1.1.1 accepts (IMF-fixdate, RFC 850, asctime).
std::optional<absl::Time> parse_http_date(absl::string_view text);

}  // namespace garage::s3
