// Writing objects: PutObject, CopyObject, and ingest() (body -> blocks), which UploadPart uses.
#include "node/hash.h"
#include "s3/api.h"
#include "s3/checksum.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

Task<absl::StatusOr<S3Api::Ingested>> S3Api::ingest(S3Call& call, BodySource& body, uint32_t part, bool allow_inline,
                                                    std::string version_uuid) {
  std::vector<std::string> referenced;
  absl::StatusOr<Ingested> in = co_await ingest_blocks(call, body, part, allow_inline, version_uuid, referenced);
  if (!in.ok() && !referenced.empty()) {
    absl::Status undone = co_await model_.put_block_refs(std::move(referenced), version_uuid, /*deleted_ref=*/true);
    (void)undone;  // if this fails too, the blocks are kept (never lost); the caller reports `in`
  }
  co_return in;
}

Task<absl::Status> S3Api::commit_version(std::string uuid, VersionEntry version) {
  std::vector<std::string> hashes;
  for (const auto& [slot, b] : version.blocks) hashes.push_back(b.hash);
  absl::Status s = co_await model_.put_version(uuid, std::move(version));
  if (s.ok()) co_return s;
  VersionEntry gone;
  gone.deleted = true;
  absl::Status undone = co_await model_.put_version(uuid, std::move(gone));
  absl::Status refs_undone = co_await model_.put_block_refs(std::move(hashes), uuid, /*deleted_ref=*/true);
  (void)undone, (void)refs_undone;
  co_return s;
}

Task<absl::StatusOr<S3Api::Ingested>> S3Api::ingest_blocks(S3Call& call, BodySource& body, uint32_t part,
                                                           bool allow_inline, const std::string& version_uuid,
                                                           std::vector<std::string>& referenced) {
  const uint32_t block_size = blocks_.options().block_size;
  Ingested out;
  // The body was verified against the request's claims as it streamed (s3/verified_body.h,
  // its last read fails on a mismatch): nothing is committed before that last read.
  Checksummer md5(ChecksumAlgo::kMd5);  // the ETag

  std::string block;
  bool ended = false;
  while (!ended) {
    absl::StatusOr<std::string> piece = co_await body.read(block_size - block.size());
    if (!piece.ok()) co_return piece.status();
    ended = piece->empty();
    if (!ended) {
      md5.update(*piece);
      out.size += piece->size();
      if (out.size > settings_.max_object_size) co_return s3_error("EntityTooLarge", "object larger than allowed");
      block += *piece;
    }
    const bool full = block.size() == block_size;
    if (!full && !(ended && !block.empty())) continue;
    if (ended && allow_inline && out.version.blocks.empty() && block.size() <= settings_.inline_threshold) {
      out.inline_data = std::move(block);
      break;
    }
    // Hash off the node's thread, then write to the block's replicas (quorum, durable).
    auto shared = std::make_shared<std::string>(std::move(block));
    auto hash = std::make_shared<std::string>();
    std::function<void()> work = [shared, hash] { *hash = hash_bytes(garage::sha256(*shared)); };
    co_await env_.offload->run(std::move(work));
    const uint64_t offset = out.size - shared->size();
    BlockInfo info{*hash, static_cast<uint32_t>(shared->size())};
    // The reference first: from then on no holder deletes this block (a re-upload of
    // content deleted a while ago races its collection).
    std::vector<std::string> ref{*hash};
    absl::Status s = co_await model_.put_block_refs(std::move(ref), version_uuid, /*deleted_ref=*/false);
    referenced.push_back(*hash);  // even on failure: the reference may have reached some replicas
    if (!s.ok()) co_return s;
    s = co_await blocks_.put(*hash, std::move(*shared));
    if (!s.ok()) co_return s;
    if (out.first_block.empty()) out.first_block = info.hash;
    out.version.blocks[{part, offset}] = std::move(info);
    block.clear();
  }

  out.md5 = md5.digest();
  co_return out;
}

Task<absl::StatusOr<HttpResponse>> S3Api::put_object(S3Call& call) {
  const std::string uuid = model_.new_uuid();
  absl::StatusOr<Ingested> in = co_await ingest(call, *call.body, 0, /*allow_inline=*/true, uuid);
  if (!in.ok()) co_return in.status();
  const std::string bucket_id = call.bucket->id;
  const std::string key = call.route.key;
  absl::StatusOr<std::optional<ObjectEntry>> existing = co_await model_.get_object(bucket_id, key);
  if (!existing.ok()) co_return existing.status();

  ObjectVersion v;
  v.timestamp_ms = model_.next_timestamp(existing->has_value() ? (*existing)->newest_timestamp() + 1 : 0);
  v.uuid = uuid;
  v.state = VersionState::kComplete;
  v.meta.size = in->size;
  v.meta.etag = to_hex(in->md5);
  v.meta.headers = stored_headers(call.http);
  v.meta.inline_data = in->inline_data;
  v.meta.first_block = in->first_block;
  if (!in->inline_data) {
    absl::Status s = co_await commit_version(uuid, std::move(in->version));
    if (!s.ok()) co_return s;
  }
  // The version this one replaces loses its blocks through the object table's follow-ups
  // (ObjectEntry::follow_ups), on every replica, even if this node crashes now.
  ObjectEntry entry{{v}};
  absl::Status s = co_await model_.put_object(bucket_id, key, std::move(entry));
  if (!s.ok()) co_return s;
  HttpResponse r;
  r.set("etag", quoted_etag(v.meta.etag));
  co_return r;
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
    return s3_error("InvalidArgument", "x-amz-copy-source must be bucket/key");
  }
  return std::pair{decoded.substr(0, slash), decoded.substr(slash + 1)};
}
}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::copy_object(S3Call& call) {
  absl::StatusOr<std::pair<std::string, std::string>> src = parse_copy_source(*call.http.header("x-amz-copy-source"));
  if (!src.ok()) co_return src.status();
  absl::StatusOr<std::optional<BucketInfo>> src_bucket = co_await model_.bucket_by_name(src->first);
  if (!src_bucket.ok()) co_return src_bucket.status();
  if (!src_bucket->has_value()) co_return s3_error("NoSuchBucket", "The source bucket does not exist");
  auto perm = call.key.buckets.find((*src_bucket)->id);
  if (perm == call.key.buckets.end() || !perm->second.read)
    co_return s3_error("AccessDenied", "no read access to the source bucket");
  absl::StatusOr<std::optional<ObjectEntry>> src_entry = co_await model_.get_object((*src_bucket)->id, src->second);
  if (!src_entry.ok()) co_return src_entry.status();
  const ObjectVersion* source = src_entry->has_value() ? (*src_entry)->current() : nullptr;
  if (source == nullptr) co_return s3_error("NoSuchKey", "The specified key does not exist.");
  if (std::optional<std::string> m = call.http.header("x-amz-copy-source-if-match");
      m && quoted_etag(source->meta.etag) != *m && source->meta.etag != *m) {
    co_return s3_error("PreconditionFailed", "x-amz-copy-source-if-match does not match");
  }
  if (std::optional<std::string> m = call.http.header("x-amz-copy-source-if-none-match");
      m && (quoted_etag(source->meta.etag) == *m || source->meta.etag == *m)) {
    co_return s3_error("PreconditionFailed", "x-amz-copy-source-if-none-match matches");
  }
  const bool replace = call.http.header("x-amz-metadata-directive") == "REPLACE";
  if (!replace && (*src_bucket)->id == call.bucket->id && src->second == call.route.key) {
    co_return s3_error("InvalidRequest",
                       "This copy request is illegal because it is trying to copy an object to itself without changing "
                       "the object's metadata.");
  }
  const ObjectVersion src_copy = *source;

  absl::StatusOr<std::optional<ObjectEntry>> existing = co_await model_.get_object(call.bucket->id, call.route.key);
  if (!existing.ok()) co_return existing.status();
  ObjectVersion v;
  v.uuid = model_.new_uuid();
  v.timestamp_ms = model_.next_timestamp(existing->has_value() ? (*existing)->newest_timestamp() + 1 : 0);
  v.state = VersionState::kComplete;
  v.meta = src_copy.meta;
  if (replace) v.meta.headers = stored_headers(call.http);
  if (!src_copy.meta.inline_data && src_copy.meta.size > 0) {
    // Blocks are content-addressed: the copy refers to the same blocks, no data moves.
    absl::StatusOr<std::optional<VersionEntry>> blocks = co_await model_.get_version(src_copy.uuid);
    if (!blocks.ok()) co_return blocks.status();
    if (!blocks->has_value() || (*blocks)->deleted)
      co_return s3_error("NoSuchKey", "the source object was just deleted");
    absl::Status s = co_await model_.put_version_and_refs(v.uuid, std::move(**blocks));
    if (!s.ok()) co_return s;
  }
  ObjectEntry entry{{v}};
  absl::Status s = co_await model_.put_object(call.bucket->id, call.route.key, std::move(entry));
  if (!s.ok()) co_return s;
  XmlOut x("CopyObjectResult");
  XmlOut::add(x.root(), "LastModified", iso8601(v.timestamp_ms));
  XmlOut::add(x.root(), "ETag", quoted_etag(v.meta.etag));
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = x.str();
  co_return r;
}

}  // namespace garage::s3
