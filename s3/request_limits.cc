#include "s3/request_limits.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "node/model/object.h"
#include "s3/errors.h"

namespace garage::s3 {
namespace {
// The code point at s[i] (advancing i), or -1 if the bytes there are not well-formed UTF-8
// (overlong forms, surrogates and values past U+10FFFF included).
int32_t next_code_point(absl::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t len = 0;
  int32_t cp = 0, min = 0;
  if ((c & 0xe0) == 0xc0)
    len = 2, cp = c & 0x1f, min = 0x80;
  else if ((c & 0xf0) == 0xe0)
    len = 3, cp = c & 0x0f, min = 0x800;
  else if ((c & 0xf8) == 0xf0)
    len = 4, cp = c & 0x07, min = 0x10000;
  else
    return -1;
  if (i + len > s.size()) return -1;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  i += len;
  return cp;
}

bool allowed_in_xml(int32_t cp) {
  return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
         cp >= 0x10000;
}
}  // namespace

absl::Status check_object_key(absl::string_view key) {
  for (size_t i = 0; i < key.size();) {
    const int32_t cp = next_code_point(key, i);
    if (cp < 0) return s3_error(S3Code::kInvalidArgument, "Object keys must be valid UTF-8.");
    if (!allowed_in_xml(cp))
      return s3_error(S3Code::kInvalidArgument,
                      "Object keys may not contain control characters (other than tab, CR, LF).");
  }
  return absl::OkStatus();
}

int64_t xml_text_length(absl::string_view text) {
  int64_t n = 0;
  for (size_t i = 0; i < text.size(); ++n) {
    const int32_t cp = next_code_point(text, i);
    if (cp < 0 || !allowed_in_xml(cp)) return -1;
  }
  return n;
}

// Every user metadata header has a name of at least one byte past its prefix, so 2 KB of them
// always fit the entry's bounds; other stored headers are checked one by one.
static_assert(kMaxUserMetadataBytes + 16 <= kMaxStoredHeaders);
static_assert(kMaxUserMetadataBytes + 11 <= kMaxStoredHeaderName);
static_assert(kMaxUserMetadataBytes <= kMaxStoredHeaderValue);

absl::Status check_user_metadata(const HttpRequest& request) {
  size_t total = 0;
  for (const auto& [name, value] : request.headers) {
    if (!absl::StartsWith(name, "x-amz-meta-")) {
      if (value.size() > kMaxStoredHeaderValue || name.size() > kMaxStoredHeaderName) {
        return s3_error(
            S3Code::kRequestHeaderSectionTooLarge,
            absl::StrCat("The ", name, " header is too large (at most ", kMaxStoredHeaderValue, " bytes)."));
      }
      continue;
    }
    total += name.size() - 11 + value.size();
  }
  if (total > kMaxUserMetadataBytes)
    return s3_error(S3Code::kMetadataTooLarge,
                    "Your metadata headers exceed the maximum allowed metadata size (2 KB).");
  return absl::OkStatus();
}

}  // namespace garage::s3
