// Byte ranges of GetObject (Range) and UploadPartCopy (x-amz-copy-source-range), as [start, end).
//
// GetObject follows RFC 9110 as S3 does: "bytes=a-b", "bytes=a-", "bytes=-n"; an end past the
// object is clamped; a start past it, or a suffix of an empty object, is InvalidRange (416);
// anything S3 would ignore (several ranges, other units, garbage) serves the whole object.
// UploadPartCopy is stricter: exactly "bytes=first-last" with first <= last (else 400
// InvalidArgument), within the source (else InvalidRange).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace garage::s3 {

using ByteRange = std::pair<uint64_t, uint64_t>;  // [start, end)

// nullopt: serve the whole object.
absl::StatusOr<std::optional<ByteRange>> parse_get_range(absl::string_view header, uint64_t size);
absl::StatusOr<ByteRange> parse_copy_range(absl::string_view header, uint64_t size);

}  // namespace garage::s3
