// Writing objects: PutObject, CopyObject, write_object() (POST Object too), and ingest() (body -> blocks), which
// UploadPart uses.
#include "node/chaos.h"
#include "node/hash.h"
#include "node/planted.h"
#include "s3/api.h"
#include "s3/checksum.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

Task<absl::StatusOr<S3Api::Ingested>> S3Api::ingest(S3Call& call, BodySource& body, uint32_t part, bool allow_inline,
                                                    JournaledWrite& write) {
  const uint32_t block_size = blocks_.options().block_size;
  Ingested out;
  // The body was verified against the request's claims as it streamed (s3/verified_body.h,
  // its last read fails on a mismatch): nothing is committed before that last read.
  Checksummer md5(ChecksumAlgo::kMd5);  // the ETag

  std::string block;
  ByteBudget::Grant held;  // the block being filled and stored counts in the node's write budget
  bool ended = false;
  while (!ended) {
    if (!held) {
      // Before the block's first byte is read: a write that waits holds nothing, and its
      // client is held back by TCP meanwhile.
      if (write_budget_.would_wait(block_size)) {
        probe(env_, "s3.write_waited_for_budget");
      }
      held = co_await write_budget_.acquire(block_size);
    }
    absl::StatusOr<std::string> piece = co_await body.read(block_size - block.size());
    if (!piece.ok()) co_return piece.status();
    ended = piece->empty();
    if (!ended) {
      md5.update(*piece);
      out.size += piece->size();
      if (out.size > settings_.max_object_size)
        co_return s3_error(S3Code::kEntityTooLarge, "object larger than allowed");
      if (block.empty()) {
        block = std::move(*piece);  // a whole block in one piece, the usual case: no copy
      } else {
        block += *piece;
      }
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
    // content deleted a while ago races its collection). Journaled before it is sent.
    std::vector<std::string> ref{*hash};
    absl::Status s = write.will_reference(ref);
    if (!s.ok()) co_return s;
    s = co_await model_.put_block_refs(std::move(ref), write.uuid(), /*deleted_ref=*/false);
    if (!s.ok()) co_return s;
    s = co_await blocks_.put(*hash, std::move(*shared));
    if (!s.ok()) co_return s;
    if (out.first_block.empty()) out.first_block = info.hash;
    out.version.blocks[{part, offset}] = std::move(info);
    block.clear();
    held.release();
  }

  out.md5 = md5.digest();
  co_return out;
}

Task<absl::StatusOr<HttpResponse>> S3Api::put_object(S3Call& call) {
  // Checked before the body is read: bad tags store nothing. Stamped with the version.
  absl::StatusOr<VersionTags> tags = tags_of_request(call, 0);
  if (!tags.ok()) co_return tags.status();
  NewObject what{stored_headers(call.http), std::move(tags->tags)};
  absl::StatusOr<ObjectVersion> v = co_await write_object(call, call.route.key, *call.body, std::move(what));
  if (!v.ok()) co_return v.status();
  HttpResponse r;
  r.set("etag", quoted_etag(v->meta.etag));
  add_checksum_headers(v->meta, r);
  co_return r;
}

Task<absl::StatusOr<ObjectVersion>> S3Api::write_object(S3Call& call, const std::string& key, BodySource& body,
                                                        NewObject what) {
  const std::string uuid = model_.new_uuid();
  const std::string bucket_id = call.bucket->id;
  JournaledWrite write = journal_.begin(WriteIntent{WriteIntent::Owner::kObject, uuid, bucket_id, key});
  absl::StatusOr<Ingested> in = co_await ingest(call, body, 0, /*allow_inline=*/true, write);
  if (!in.ok()) co_return in.status();
  absl::StatusOr<std::optional<ObjectEntry>> existing = co_await model_.get_object(bucket_id, key);
  if (!existing.ok()) co_return existing.status();

  ObjectVersion v;
  v.timestamp_ms = model_.next_timestamp(existing->has_value() ? (*existing)->newest_timestamp() + 1 : 0);
  v.uuid = uuid;
  v.state = VersionState::kComplete;
  v.meta.size = in->size;
  v.meta.etag = to_hex(in->md5);
  v.meta.headers = std::move(what.headers);
  v.meta.inline_data = in->inline_data;
  v.meta.first_block = in->first_block;
  if (!what.tags.empty()) v.tags = VersionTags{v.timestamp_ms, std::move(what.tags)};
  // The checksum the body came with, verified by now (the ingest read it to its end).
  if (call.verified != nullptr && call.verified->verified_checksum()) {
    v.meta.checksum_algorithm = checksum_s3_name(call.verified->verified_checksum()->algo);
    v.meta.checksum = call.verified->verified_checksum()->base64;
  }
  if (!in->inline_data) {
    absl::Status s = co_await model_.put_version(uuid, std::move(in->version));
    if (!s.ok()) co_return s;
  }
  // The version this one replaces loses its blocks through the object table's follow-ups
  // (ObjectEntry::follow_ups), on every replica, even if this node crashes now.
  ObjectEntry entry{{v}};
  absl::Status s = co_await model_.put_object(bucket_id, key, std::move(entry));
  if (!s.ok()) co_return s;
  write.committed();
  co_return v;
}

Task<absl::StatusOr<HttpResponse>> S3Api::copy_object(S3Call& call) {
  absl::StatusOr<CopySource> src = co_await resolve_copy_source(call);
  if (!src.ok()) co_return src.status();
  const bool replace = call.http.header("x-amz-metadata-directive") == "REPLACE";
  if (!replace && src->bucket.id == call.bucket->id && src->key == call.route.key) {
    co_return s3_error(S3Code::kInvalidRequest,
                       "This copy request is illegal because it is trying to copy an object to itself without changing "
                       "the object's metadata.");
  }
  const ObjectVersion& src_copy = src->version;
  // The copy's tags: the source's (COPY, the default) or the request's (REPLACE).
  const std::optional<std::string> tagging_directive = call.http.header("x-amz-tagging-directive");
  if (tagging_directive && *tagging_directive != "COPY" && *tagging_directive != "REPLACE")
    co_return s3_error(S3Code::kInvalidArgument, "Unknown tagging directive.");
  absl::StatusOr<VersionTags> tags = tagging_directive == "REPLACE" ? tags_of_request(call, 0) : src_copy.tags;
  if (!tags.ok()) co_return tags.status();

  absl::StatusOr<std::optional<ObjectEntry>> existing = co_await model_.get_object(call.bucket->id, call.route.key);
  if (!existing.ok()) co_return existing.status();
  ObjectVersion v;
  v.uuid = model_.new_uuid();
  v.timestamp_ms = model_.next_timestamp(existing->has_value() ? (*existing)->newest_timestamp() + 1 : 0);
  v.state = VersionState::kComplete;
  v.meta = src_copy.meta;
  if (replace) v.meta.headers = stored_headers(call.http);
  if (!tags->tags.empty()) v.tags = VersionTags{v.timestamp_ms, std::move(tags->tags)};
  JournaledWrite write =
      journal_.begin(WriteIntent{WriteIntent::Owner::kObject, v.uuid, call.bucket->id, call.route.key});
  if (!src_copy.meta.inline_data && src_copy.meta.size > 0) {
    // Blocks are content-addressed: the copy refers to the same blocks, no data moves.
    absl::StatusOr<std::optional<VersionEntry>> blocks = co_await model_.get_version(src_copy.uuid);
    if (!blocks.ok()) co_return blocks.status();
    if (!blocks->has_value() || (*blocks)->deleted)
      co_return s3_error(S3Code::kNoSuchKey, "the source object was just deleted");
    std::vector<std::string> hashes;
    for (const auto& [slot, b] : (*blocks)->blocks) hashes.push_back(b.hash);
    if (absl::Status s = write.will_reference(hashes); !s.ok()) co_return s;
    absl::Status s;
    if (planted(settings_.planted_copy_without_references))
      s = co_await model_.put_version(v.uuid, std::move(**blocks));
    else
      s = co_await model_.put_version_and_refs(v.uuid, std::move(**blocks));
    if (!s.ok()) co_return s;
  }
  ObjectEntry entry{{v}};
  absl::Status s = co_await model_.put_object(call.bucket->id, call.route.key, std::move(entry));
  if (!s.ok()) co_return s;
  write.committed();
  XmlOut x("CopyObjectResult");
  XmlOut::add(x.root(), "LastModified", iso8601(v.timestamp_ms));
  XmlOut::add(x.root(), "ETag", quoted_etag(v.meta.etag));
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = x.str();
  co_return r;
}

}  // namespace garage::s3
