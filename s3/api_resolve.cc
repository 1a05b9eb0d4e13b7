// Which bucket a request means, and whether its key may do what it asks there: the one rights
// check of the S3 front end (dispatch and both copy sources go through resolve_bucket).
#include "s3/api.h"
#include "s3/conditions.h"
#include "s3/errors.h"

namespace garage::s3 {

bool S3Api::permits(const KeyInfo* key, const BucketInfo& bucket, Access access) {
  const AnonymousAccess& anyone = bucket.anonymous;
  if (access == Access::kReadObjects && anyone.read) return true;
  if (access == Access::kList && anyone.list) return true;
  if (key == nullptr) return false;
  auto grant = key->buckets.find(bucket.id);
  if (grant == key->buckets.end()) return false;
  const Perms& perms = grant->second;
  switch (access) {
    case Access::kReadObjects:
    case Access::kList:
    case Access::kRead:
      return perms.read;
    case Access::kWrite:
      return perms.write;
    case Access::kOwner:
      return perms.owner;
  }
  return false;
}

Task<absl::StatusOr<BucketInfo>> S3Api::resolve_bucket(const KeyInfo* key, std::string name, Access access) {
  // The key's own (local) aliases shadow global names.
  absl::StatusOr<std::optional<BucketInfo>> bucket;
  std::optional<std::string> local_id;
  if (key != nullptr) {
    if (auto it = key->local_aliases.find(name); it != key->local_aliases.end()) local_id = it->second;
  }
  if (local_id) {
    const std::string bucket_id = *local_id;
    bucket = co_await model_.get_bucket(bucket_id);
  } else {
    bucket = co_await model_.bucket_by_name(std::move(name));
  }
  if (!bucket.ok()) co_return bucket.status();
  if (!bucket->has_value()) co_return s3_error(S3Code::kNoSuchBucket);
  if (!permits(key, **bucket, access)) co_return s3_error(S3Code::kAccessDenied);
  co_return std::move(**bucket);
}

namespace {
// "/bucket/key" or "bucket/key" (URL-encoded), with an optional "?versionId=".
absl::StatusOr<std::pair<std::string, std::string>> parse_copy_source(absl::string_view raw) {
  absl::string_view s = raw;
  if (const size_t q = s.find('?'); q != absl::string_view::npos) s = s.substr(0, q);
  std::string decoded = uri_decode(s);
  if (!decoded.empty() && decoded[0] == '/') decoded.erase(0, 1);
  const size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size()) {
    return s3_error(S3Code::kInvalidArgument, "x-amz-copy-source must be bucket/key");
  }
  return std::pair{decoded.substr(0, slash), decoded.substr(slash + 1)};
}
}  // namespace

Task<absl::StatusOr<S3Api::CopySource>> S3Api::resolve_copy_source(S3Call& call) {
  absl::StatusOr<std::pair<std::string, std::string>> src =
      parse_copy_source(call.http.header("x-amz-copy-source").value_or(""));
  if (!src.ok()) co_return src.status();
  absl::StatusOr<BucketInfo> bucket = co_await resolve_bucket(&call.key, src->first, Access::kReadObjects);
  if (!bucket.ok()) co_return bucket.status();
  absl::StatusOr<std::optional<ObjectEntry>> entry = co_await model_.get_object(bucket->id, src->second);
  if (!entry.ok()) co_return entry.status();
  const ObjectVersion* current = entry->has_value() ? (*entry)->current() : nullptr;
  if (current == nullptr) co_return s3_error(S3Code::kNoSuchKey);
  // A copy has no 304: a source found not modified fails the copy, as S3 answers.
  switch (evaluate(conditions_of(call.http, kCopySourceConditions), current->meta.etag, current->timestamp_ms)) {
    case ConditionOutcome::kProceed:
      break;
    case ConditionOutcome::kPreconditionFailed:
      co_return s3_error(S3Code::kPreconditionFailed, "x-amz-copy-source-if-match or -if-unmodified-since failed");
    case ConditionOutcome::kNotModified:
      co_return s3_error(S3Code::kPreconditionFailed, "x-amz-copy-source-if-none-match or -if-modified-since failed");
  }
  co_return CopySource{std::move(*bucket), std::move(src->second), *current};
}

}  // namespace garage::s3
