// GetObjectAttributes: what S3 tells of an object without its bytes, attribute by attribute as
// x-amz-object-attributes asks (ETag, Checksum, ObjectParts, StorageClass, ObjectSize).
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
constexpr const char* kAttributes[] = {"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"};
}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::get_object_attributes(S3Call& call) {
  // The attributes asked for: a comma-separated list (several headers are joined the same way).
  std::set<std::string> wanted;
  for (const auto& [name, value] : call.http.headers) {
    if (name != "x-amz-object-attributes") continue;
    for (absl::string_view a : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
      const std::string attribute(absl::StripAsciiWhitespace(a));
      if (std::none_of(std::begin(kAttributes), std::end(kAttributes), [&](const char* k) { return attribute == k; }))
        co_return s3_error(S3Code::kInvalidArgument, "Invalid attribute name specified.");
      wanted.insert(attribute);
    }
  }
  if (wanted.empty()) {
    co_return s3_error(S3Code::kInvalidArgument,
                       "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing "
                       "or empty");
  }
  absl::StatusOr<std::optional<ObjectEntry>> entry = co_await model_.get_object(call.bucket->id, call.route.key);
  if (!entry.ok()) co_return entry.status();
  const ObjectVersion* current = entry->has_value() ? (*entry)->current() : nullptr;
  if (current == nullptr) co_return s3_error(S3Code::kNoSuchKey);
  const ObjectMeta& meta = current->meta;

  XmlOut x("GetObjectAttributesResponse");
  if (wanted.contains("ETag")) XmlOut::add(x.root(), "ETag", meta.etag);  // unquoted, as S3 answers here
  if (wanted.contains("Checksum") && !meta.checksum_algorithm.empty()) {
    pugi::xml_node checksum = x.root().append_child("Checksum");
    XmlOut::add(checksum, absl::StrCat("Checksum", meta.checksum_algorithm).c_str(), meta.checksum);
    XmlOut::add(checksum, "ChecksumType", checksum_type_of(meta));
  }
  if (wanted.contains("ObjectParts") && meta.parts > 0) {
    pugi::xml_node parts = x.root().append_child("ObjectParts");
    XmlOut::add(parts, "PartsCount", absl::StrCat(meta.parts));  // TotalPartsCount in the SDKs
  }
  if (wanted.contains("StorageClass")) XmlOut::add(x.root(), "StorageClass", "STANDARD");
  if (wanted.contains("ObjectSize")) XmlOut::add(x.root(), "ObjectSize", absl::StrCat(meta.size));
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.set("last-modified", http_date(current->timestamp_ms));
  r.body = x.str();
  co_return r;
}

}  // namespace garage::s3
