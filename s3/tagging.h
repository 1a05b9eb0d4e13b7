// Tags (S3's object and bucket tagging): the tag set of PutObjectTagging / PutBucketTagging
// (an XML <Tagging> document) and of x-amz-tagging on PutObject, CreateMultipartUpload and
// CopyObject (URL-query form, "k1=v1&k2=v2"), checked against AWS's limits. Pure: parsing,
// checking, writing back.
//
//   absl::StatusOr<TagSet> tags = parse_tagging_header(*request.header("x-amz-tagging"));
//   std::string body = tagging_xml(*tags);                          // GetObjectTagging
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace garage::s3 {

// (key, value) pairs, in the order given; keys are unique.
using TagSet = std::vector<std::pair<std::string, std::string>>;

// AWS's limits: 10 tags on an object, 50 on a bucket; a key of 1 to 128 Unicode characters, a
// value of up to 256; no key starting with "aws:" (reserved for AWS's own tags).
inline constexpr size_t kMaxObjectTags = 10;
inline constexpr size_t kMaxBucketTags = 50;
inline constexpr size_t kMaxTagKeyChars = 128;
inline constexpr size_t kMaxTagValueChars = 256;
inline constexpr size_t kMaxTaggingDocumentBytes = 64 * 1024;

enum class TagTarget : uint8_t { kObject, kBucket };

// A <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging> document. MalformedXML when
// it is not one; InvalidTag for a set S3 refuses (too many tags, a key or value too long or not
// UTF-8, an empty or reserved key, a key given twice).
absl::StatusOr<TagSet> parse_tagging_xml(absl::string_view xml, TagTarget target);
// The document GetObjectTagging / GetBucketTagging answer; parse_tagging_xml reads it back.
std::string tagging_xml(const TagSet& tags);

// x-amz-tagging: "k1=v1&k2=v2", each part percent-encoded ('+' is a space, as in a form);
// "k" alone is a key with an empty value. The same checks as parse_tagging_xml (for an object).
absl::StatusOr<TagSet> parse_tagging_header(absl::string_view value);

}  // namespace garage::s3
