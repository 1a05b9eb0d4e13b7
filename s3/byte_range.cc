#include "s3/byte_range.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "s3/errors.h"

namespace garage::s3 {
namespace {
absl::Status unsatisfiable() { return s3_error(S3Code::kInvalidRange); }

// Digits only (SimpleAtoi also takes signs and spaces).
bool parse_u64(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  return absl::SimpleAtoi(s, out);
}
}  // namespace

absl::StatusOr<std::optional<ByteRange>> parse_get_range(absl::string_view header, uint64_t size) {
  using Result = std::optional<ByteRange>;
  absl::string_view spec = absl::StripAsciiWhitespace(header);
  if (!absl::ConsumePrefix(&spec, "bytes=") || absl::StrContains(spec, ",")) return Result();
  const size_t dash = spec.find('-');
  if (dash == absl::string_view::npos) return Result();
  const absl::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix: the last n bytes
    if (!parse_u64(b, &last)) return Result();
    if (last == 0 || size == 0) return unsatisfiable();
    return Result(ByteRange{size > last ? size - last : 0, size});
  }
  if (!parse_u64(a, &first)) return Result();
  if (!b.empty() && (!parse_u64(b, &last) || last < first)) return Result();
  if (first >= size) return unsatisfiable();
  if (b.empty() || last >= size - 1) return Result(ByteRange{first, size});  // clamped, no overflow
  return Result(ByteRange{first, last + 1});
}

absl::StatusOr<ByteRange> parse_copy_range(absl::string_view header, uint64_t size) {
  absl::string_view spec = header;
  const size_t dash = spec.find('-');
  uint64_t first = 0, last = 0;
  if (!absl::ConsumePrefix(&spec, "bytes=") || dash == absl::string_view::npos ||
      !parse_u64(spec.substr(0, spec.find('-')), &first) || !parse_u64(spec.substr(spec.find('-') + 1), &last) ||
      last < first) {
    return s3_error(S3Code::kInvalidArgument,
                    "The x-amz-copy-source-range value must be of the form bytes=first-last "
                    "where first and last are the zero-based offsets of the first and last bytes to copy");
  }
  if (last >= size) return unsatisfiable();
  return ByteRange{first, last + 1};
}

}  // namespace garage::s3
