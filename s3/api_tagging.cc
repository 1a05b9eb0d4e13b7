// Object tags: GetObjectTagging, PutObjectTagging, DeleteObjectTagging, and x-amz-tagging on
// the writes that make a version (PutObject, CreateMultipartUpload, CopyObject with REPLACE).
// A version's tags merge apart from its content (node/model/object.h's VersionTags): tagging
// writes the current version again with later tags, and rewrites none of its data.
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/tagging.h"

namespace garage::s3 {

absl::StatusOr<VersionTags> S3Api::tags_of_request(const S3Call& call, int64_t stamp_ms) {
  std::optional<std::string> header = call.http.header("x-amz-tagging");
  if (!header) return VersionTags{};
  absl::StatusOr<TagSet> tags = parse_tagging_header(*header);
  if (!tags.ok()) return tags.status();
  if (tags->empty()) return VersionTags{};
  return VersionTags{stamp_ms, std::move(*tags)};
}

Task<absl::StatusOr<HttpResponse>> S3Api::get_object_tagging(S3Call& call) {
  absl::StatusOr<std::optional<ObjectEntry>> entry = co_await model_.get_object(call.bucket->id, call.route.key);
  if (!entry.ok()) co_return entry.status();
  const ObjectVersion* current = entry->has_value() ? (*entry)->current() : nullptr;
  if (current == nullptr) co_return s3_error(S3Code::kNoSuchKey);
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = tagging_xml(current->tags.tags);
  co_return r;
}

Task<absl::StatusOr<HttpResponse>> S3Api::put_object_tagging(S3Call& call, bool remove) {
  TagSet tags;
  if (!remove) {
    // One byte more than allowed, so that a larger document is told apart from a cut one.
    absl::StatusOr<std::string> body = co_await read_all(*call.body, kMaxTaggingDocumentBytes + 1);
    if (!body.ok()) co_return body.status();
    absl::StatusOr<TagSet> parsed = parse_tagging_xml(*body, TagTarget::kObject);
    if (!parsed.ok()) co_return parsed.status();
    tags = std::move(*parsed);
  }
  const std::string bucket_id = call.bucket->id;
  const std::string key = call.route.key;
  absl::StatusOr<std::optional<ObjectEntry>> entry = co_await model_.get_object(bucket_id, key);
  if (!entry.ok()) co_return entry.status();
  const ObjectVersion* current = entry->has_value() ? (*entry)->current() : nullptr;
  if (current == nullptr) co_return s3_error(S3Code::kNoSuchKey);
  // The same version, later tags. If a newer version replaced it meanwhile, this write is
  // pruned on arrival, as the tags of a replaced object are gone with it.
  ObjectVersion tagged = *current;
  tagged.tags = VersionTags{model_.next_timestamp(current->tags.set_ms + 1), std::move(tags)};
  ObjectEntry write{{std::move(tagged)}};
  absl::Status s = co_await model_.put_object(bucket_id, key, std::move(write));
  if (!s.ok()) co_return s;
  HttpResponse r;
  if (remove) r.status = 204;
  co_return r;
}

}  // namespace garage::s3
