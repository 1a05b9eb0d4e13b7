// What S3 refuses of a request before looking at any object: object keys that are not UTF-8 or
// hold characters no XML document may carry (a listing of them would not parse), and user
// metadata (x-amz-meta-*) over S3's 2 KB. One check for every endpoint (S3Api::dispatch).
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "s3/http.h"

namespace garage::s3 {

inline constexpr size_t kMaxUserMetadataBytes = 2048;  // names (without x-amz-meta-) and values

// InvalidArgument unless `key` is valid UTF-8 made of characters XML 1.0 allows.
absl::Status check_object_key(absl::string_view key);
// The number of characters (code points) in `text`, or -1 unless it is valid UTF-8 made of
// characters XML 1.0 allows (tag keys and values are counted in characters, not bytes).
int64_t xml_text_length(absl::string_view text);
// MetadataTooLarge past kMaxUserMetadataBytes; RequestHeaderSectionTooLarge for a header the
// object would keep (content-type, cache-control, ...) past what its entry can store
// (node/model/object.h). Checked before any effect: a request that can never be stored gets 400,
// not a 503 after its blocks were written.
absl::Status check_user_metadata(const HttpRequest& request);

}  // namespace garage::s3
