// Multipart uploads. The upload is an uploading version of the object (its uuid is the
// UploadId); each UploadPart stores its blocks under a fresh part uuid and records
// part number -> (uuid, etag, size) in the mpu table; CompleteMultipartUpload gathers the
// chosen parts' blocks into a block list under the upload's uuid and writes the object's new
// version with the upload's record, ended (node/model/object.h). Uploads are independent of
// the object's current version: a PUT meanwhile neither ends them nor is undone by them.
//
// Every record lives in the key's one object entry, which each write to the key decodes, merges
// and encodes whole: 4,000 uploads of one key cost each CreateMultipartUpload ~87 ms of the
// node's thread. So a key has at most kMaxUploadsInProgressPerKey uploads in progress; past it
// CreateMultipartUpload answers 400 InvalidRequest (not retried by SDKs) until one is completed
// or aborted (ListMultipartUploads shows them). S3 has no such limit; no client we know keeps
// more than a few uploads of one key open.
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "node/chaos.h"
#include "node/planted.h"
#include "s3/api.h"
#include "s3/byte_range.h"
#include "s3/checksum.h"
#include "s3/errors.h"
#include "s3/object_reader.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
constexpr int kMaxUploadsInProgressPerKey = 100;

HttpResponse xml_response(const XmlOut& x) {
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = x.str();
  return r;
}

// A BodySource over a byte range of a stored object (UploadPartCopy).
// A body whose checksum is taken as it is read: an UploadPartCopy into an upload created with
// a checksum algorithm gives its part that checksum of the copied bytes, as S3 does.
class ChecksummedSource final : public BodySource {
 public:
  ChecksummedSource(BodySource& inner, ChecksumAlgo algo) : inner_(inner), sum_(algo) {}
  Task<absl::StatusOr<std::string>> read(size_t max) override {
    absl::StatusOr<std::string> piece = co_await inner_.read(max);
    if (piece.ok()) sum_.update(*piece);
    co_return piece;
  }
  std::string digest_base64() { return sum_.digest_base64(); }

 private:
  BodySource& inner_;
  Checksummer sum_;
};

class ObjectRangeSource final : public BodySource {
 public:
  explicit ObjectRangeSource(std::unique_ptr<BodyStream> stream) : stream_(std::move(stream)) {}
  Task<absl::StatusOr<std::string>> read(size_t max) override {
    while (pos_ >= piece_.size()) {
      absl::StatusOr<std::optional<std::string>> next = co_await stream_->next();
      if (!next.ok()) co_return next.status();
      if (!next->has_value()) co_return std::string();
      piece_ = std::move(**next);
      pos_ = 0;
    }
    if (pos_ == 0 && max >= piece_.size()) {  // the whole piece (a whole block, usually): no copy
      pos_ = piece_.size();
      co_return std::move(piece_);
    }
    std::string out = piece_.substr(pos_, max);
    pos_ += out.size();
    co_return out;
  }

 private:
  std::unique_ptr<BodyStream> stream_;
  std::string piece_;
  size_t pos_ = 0;
};
// The checksum type of a multipart upload created with x-amz-checksum-algorithm, as S3 allows
// them: CRC64NVME only FULL_OBJECT (its default), SHA-1 and SHA-256 only COMPOSITE, CRC32 and
// CRC32C either (COMPOSITE by default).
absl::StatusOr<std::string> multipart_checksum_type(const std::string& algorithm,
                                                    const std::optional<std::string>& asked) {
  std::optional<ChecksumAlgo> algo = checksum_algo_from_name(algorithm);
  if (!algo || *algo == ChecksumAlgo::kMd5)
    return s3_error(S3Code::kInvalidRequest, "Checksum algorithm provided is unsupported.");
  const bool crc64 = *algo == ChecksumAlgo::kCrc64Nvme;
  const bool digest = *algo == ChecksumAlgo::kSha1 || *algo == ChecksumAlgo::kSha256;
  const std::string type = absl::AsciiStrToUpper(asked.value_or(crc64 ? "FULL_OBJECT" : "COMPOSITE"));
  if (type != "COMPOSITE" && type != "FULL_OBJECT")
    return s3_error(S3Code::kInvalidRequest, "Value for x-amz-checksum-type header is invalid.");
  if ((type == "COMPOSITE" && crc64) || (type == "FULL_OBJECT" && digest))
    return s3_error(S3Code::kInvalidRequest,
                    absl::StrCat("The ", checksum_s3_name(*algo), " checksum algorithm does not support the ", type,
                                 " checksum type."));
  return type;
}
}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::create_multipart(S3Call& call) {
  absl::StatusOr<std::optional<ObjectEntry>> existing = co_await model_.get_object(call.bucket->id, call.route.key);
  if (!existing.ok()) co_return existing.status();
  if (existing->has_value()) {
    int in_progress = 0;
    for (const ObjectVersion& old : (*existing)->versions) in_progress += old.state == VersionState::kUploading;
    if (in_progress >= kMaxUploadsInProgressPerKey) {
      co_return s3_error(S3Code::kInvalidRequest,
                         absl::StrCat("This key already has ", in_progress, " multipart uploads in progress (at most ",
                                      kMaxUploadsInProgressPerKey, "): complete or abort some first."));
    }
  }
  ObjectVersion v;
  v.uuid = model_.new_uuid();
  v.timestamp_ms = model_.next_timestamp(existing->has_value() ? (*existing)->newest_timestamp() + 1 : 0);
  v.upload_started_ms = v.timestamp_ms;
  v.state = VersionState::kUploading;
  v.meta.headers = stored_headers(call.http);
  // x-amz-checksum-algorithm: the parts come with checksums of it, and the completed object gets
  // one made of theirs (x-amz-checksum-type): COMPOSITE (the checksum of their checksums) or
  // FULL_OBJECT (their CRCs combined: the CRC of the whole object).
  std::string checksum_type;
  if (std::optional<std::string> algorithm = call.http.header("x-amz-checksum-algorithm")) {
    absl::StatusOr<std::string> type = multipart_checksum_type(*algorithm, call.http.header("x-amz-checksum-type"));
    if (!type.ok()) co_return type.status();
    checksum_type = *type;
    v.meta.checksum_algorithm = checksum_s3_name(*checksum_algo_from_name(*algorithm));
    if (checksum_type == "FULL_OBJECT") v.meta.checksum = kFullObjectChecksumPending;
  }
  // Given at creation, they go to the version CompleteMultipartUpload makes.
  absl::StatusOr<VersionTags> tags = tags_of_request(call, v.timestamp_ms);
  if (!tags.ok()) co_return tags.status();
  v.tags = std::move(*tags);
  ObjectEntry entry{{v}};
  absl::Status s = co_await model_.put_object(call.bucket->id, call.route.key, std::move(entry));
  if (!s.ok()) co_return s;
  XmlOut x("InitiateMultipartUploadResult");
  XmlOut::add(x.root(), "Bucket", call.bucket->name);
  XmlOut::add(x.root(), "Key", call.route.key);
  XmlOut::add(x.root(), "UploadId", to_hex(v.uuid));
  HttpResponse created = xml_response(x);
  if (!checksum_type.empty()) {
    created.set("x-amz-checksum-algorithm", v.meta.checksum_algorithm);
    created.set("x-amz-checksum-type", checksum_type);
  }
  co_return created;
}

Task<absl::StatusOr<S3Api::FoundUpload>> S3Api::find_upload(S3Call& call, bool completed_too) {
  FoundUpload found;
  found.uuid = from_hex(call.route.param("uploadId").value_or(""));
  if (found.uuid.size() != 16) co_return s3_error(S3Code::kNoSuchUpload);
  absl::StatusOr<std::optional<ObjectEntry>> entry = co_await model_.get_object(call.bucket->id, call.route.key);
  if (!entry.ok()) co_return entry.status();
  if (!entry->has_value()) co_return s3_error(S3Code::kNoSuchUpload);
  found.entry = std::move(**entry);
  const ObjectVersion* v = found.entry.upload(found.uuid);
  const bool usable = v != nullptr && (v->state == VersionState::kUploading ||
                                       (completed_too && v->state == VersionState::kUploadCompleted));
  if (!usable) {
    co_return s3_error(S3Code::kNoSuchUpload, "The specified upload does not exist or was completed or aborted.");
  }
  found.record = *v;
  co_return found;
}

Task<absl::StatusOr<HttpResponse>> S3Api::upload_part(S3Call& call) {
  int part_number = 0;
  if (!absl::SimpleAtoi(call.route.param("partNumber").value_or(""), &part_number) || part_number < 1 ||
      part_number > kMaxPartNumber) {
    co_return s3_error(S3Code::kInvalidArgument, "partNumber must be an integer between 1 and 10000");
  }
  absl::StatusOr<FoundUpload> found = co_await find_upload(call);
  if (!found.ok()) co_return found.status();
  const std::string& upload = found->uuid;

  // The bytes: the request body, or a range of another object (UploadPartCopy).
  std::unique_ptr<BodySource> copy_source;
  BodySource* body = call.body;
  std::optional<ObjectVersion> copied;
  if (call.route.endpoint == Endpoint::kUploadPartCopy) {
    absl::StatusOr<CopySource> src = co_await resolve_copy_source(call);
    if (!src.ok()) co_return src.status();
    copied = src->version;
    const ObjectVersion* sv = &*copied;
    uint64_t start = 0, end = sv->meta.size;
    if (std::optional<std::string> range = call.http.header("x-amz-copy-source-range")) {
      absl::StatusOr<ByteRange> r = parse_copy_range(*range, sv->meta.size);
      if (!r.ok()) co_return r.status();
      std::tie(start, end) = *r;
    }
    if (sv->meta.inline_data) {
      copy_source = std::make_unique<StringBody>(sv->meta.inline_data->substr(start, end - start));
    } else {
      auto reader = std::make_unique<ObjectReader>(reader_services(), sv->uuid, sv->meta.first_block, start, end);
      reader->count_pieces_only_while_fetched();  // its pieces go into blocks under the write budget
      copy_source = std::make_unique<ObjectRangeSource>(std::move(reader));
    }
    body = copy_source.get();
  }
  std::optional<ChecksummedSource> copy_checksum;
  const std::string& upload_algorithm = found->record.meta.checksum_algorithm;
  if (copied && !upload_algorithm.empty()) {
    copy_checksum.emplace(*body, *checksum_algo_from_name(upload_algorithm));
    body = &*copy_checksum;
  }

  const std::string part_uuid = model_.new_uuid();
  WriteIntent intent{WriteIntent::Owner::kPart, part_uuid};
  intent.upload_uuid = upload;
  intent.part_number = static_cast<uint32_t>(part_number);
  JournaledWrite write = journal_.begin(std::move(intent));
  absl::StatusOr<Ingested> in =
      co_await ingest(call, *body, static_cast<uint32_t>(part_number), /*allow_inline=*/false, write);
  if (!in.ok()) co_return in.status();
  absl::Status s = co_await model_.put_version(part_uuid, std::move(in->version));
  if (!s.ok()) co_return s;
  const std::string etag = to_hex(in->md5);
  UploadPart record{part_uuid, etag, in->size, 0};
  // The part's checksum: as the client sent it and it matched, or (UploadPartCopy) of the copied
  // bytes in the upload's algorithm.
  const bool checksummed =
      copy_checksum.has_value() || (!copied && call.verified != nullptr && call.verified->verified_checksum());
  if (copy_checksum) {
    record.checksum_algorithm = upload_algorithm;
    record.checksum = copy_checksum->digest_base64();
  } else if (checksummed) {
    record.checksum_algorithm = checksum_s3_name(call.verified->verified_checksum()->algo);
    record.checksum = call.verified->verified_checksum()->base64;
  }
  const std::string answered_algorithm = record.checksum_algorithm, answered_checksum = record.checksum;
  // A part uploaded again replaces the earlier one, whose blocks then go (UploadEntry's
  // follow-ups, as every part's once the upload ends).
  s = co_await model_.put_part(upload, part_number, std::move(record));
  if (!s.ok()) co_return s;
  write.committed();
  if (copied) {
    XmlOut x("CopyPartResult");
    XmlOut::add(x.root(), "LastModified", iso8601(model_.next_timestamp()));
    XmlOut::add(x.root(), "ETag", quoted_etag(etag));
    if (checksummed) XmlOut::add(x.root(), ("Checksum" + answered_algorithm).c_str(), answered_checksum);
    co_return xml_response(x);
  }
  HttpResponse r;
  r.set("etag", quoted_etag(etag));
  if (checksummed) {
    r.set("x-amz-checksum-" + absl::AsciiStrToLower(answered_algorithm), answered_checksum);
  }
  co_return r;
}

namespace {
// The ETag S3 gives a multipart object: the MD5 of its parts' MD5s, then "-" and their number.
// It depends on the request alone, so a repeated Complete can be recognised by it.
std::string multipart_etag(const std::vector<CompletedPart>& wanted) {
  std::string md5s;
  for (const CompletedPart& w : wanted) md5s += from_hex(w.etag);
  Checksummer md5(ChecksumAlgo::kMd5);
  md5.update(md5s);
  return absl::StrCat(to_hex(md5.digest()), "-", wanted.size());
}

struct CombinedParts {
  VersionEntry list;  // every chosen part's blocks, in order
  uint64_t size = 0;
  std::string first_block;
};

// Checks the client's part list against the uploaded parts and gathers their blocks.
Task<absl::StatusOr<CombinedParts>> combine_parts(Model& model, const std::vector<CompletedPart>& wanted,
                                                  const std::map<uint32_t, UploadPart>& parts, uint64_t min_part_size) {
  CombinedParts out;
  int previous = 0;
  for (size_t i = 0; i < wanted.size(); ++i) {
    const CompletedPart& w = wanted[i];
    if (w.number <= previous)
      co_return s3_error(S3Code::kInvalidPartOrder, "The list of parts was not in ascending order.");
    previous = w.number;
    auto it = parts.find(static_cast<uint32_t>(w.number));
    if (it == parts.end() || it->second.etag != w.etag) {
      co_return s3_error(S3Code::kInvalidPart,
                         absl::StrCat("part ", w.number, " was not uploaded or its ETag differs"));
    }
    const UploadPart& p = it->second;
    // A checksum the client lists must be the one the part was uploaded with.
    if (!w.checksum_algorithm.empty() && (p.checksum_algorithm != w.checksum_algorithm || p.checksum != w.checksum)) {
      co_return s3_error(S3Code::kInvalidPart, absl::StrCat("part ", w.number, "'s Checksum", w.checksum_algorithm,
                                                            " is not the one it was uploaded with"));
    }
    if (i + 1 < wanted.size() && p.size < min_part_size) {
      co_return s3_error(S3Code::kEntityTooSmall);
    }
    absl::StatusOr<std::optional<VersionEntry>> pv = co_await model.get_version(p.uuid);
    if (!pv.ok()) co_return pv.status();
    if (!pv->has_value() || (*pv)->deleted)
      co_return s3_error(S3Code::kInvalidPart, absl::StrCat("part ", w.number, " has no data"));
    for (const auto& [slot, b] : (*pv)->blocks) {
      if (out.first_block.empty()) out.first_block = b.hash;
      out.list.blocks[{static_cast<uint32_t>(w.number), slot.second}] = b;
    }
    out.size += p.size;
  }
  co_return out;
}

// `meta`: the completed version, whose composite checksum (if any) the answer carries.
HttpResponse completed_response(const S3Call& call, const std::string& etag, const ObjectMeta* meta = nullptr) {
  XmlOut x("CompleteMultipartUploadResult");
  XmlOut::add(x.root(), "Location", absl::StrCat("/", call.bucket->name, "/", call.route.key));
  XmlOut::add(x.root(), "Bucket", call.bucket->name);
  XmlOut::add(x.root(), "Key", call.route.key);
  XmlOut::add(x.root(), "ETag", quoted_etag(etag));
  if (meta != nullptr && !meta->checksum.empty()) {
    XmlOut::add(x.root(), ("Checksum" + meta->checksum_algorithm).c_str(), meta->checksum);
    XmlOut::add(x.root(), "ChecksumType", checksum_type_of(*meta));
  }
  return xml_response(x);
}

// A multipart object's checksum, made of its parts' at completion: COMPOSITE, the checksum of
// their checksums (raw bytes, in order) then "-" and their number; or FULL_OBJECT, their CRCs
// combined into the CRC of the whole. Empty if some part has none of `algorithm` (sent without
// one): the object then gets no checksum.
std::string multipart_checksum(const std::string& algorithm, bool full_object, const std::vector<CompletedPart>& wanted,
                               const std::map<uint32_t, UploadPart>& parts) {
  std::optional<ChecksumAlgo> algo = checksum_algo_from_name(algorithm);
  if (!algo) return "";
  Checksummer of_checksums(*algo);   // COMPOSITE
  std::optional<std::string> whole;  // FULL_OBJECT
  for (const CompletedPart& w : wanted) {
    auto it = parts.find(static_cast<uint32_t>(w.number));
    if (it == parts.end() || it->second.checksum_algorithm != algorithm) return "";
    std::string raw;
    if (!absl::Base64Unescape(it->second.checksum, &raw)) return "";
    if (!full_object) {
      of_checksums.update(raw);
      continue;
    }
    whole = whole ? combine_crc(*algo, *whole, raw, it->second.size) : std::optional<std::string>(raw);
    if (!whole) return "";
  }
  if (!full_object) return absl::StrCat(of_checksums.digest_base64(), "-", wanted.size());
  return whole ? absl::Base64Escape(*whole) : "";
}

// CompleteMultipartUpload's x-amz-checksum-<algorithm> (the whole object's, computed by the
// client) and x-amz-checksum-type against what the parts make: BadDigest / InvalidRequest.
absl::Status check_claimed_object_checksum(const HttpRequest& http, const ObjectMeta& made) {
  if (std::optional<std::string> type = http.header("x-amz-checksum-type");
      type && !made.checksum_algorithm.empty() && !absl::EqualsIgnoreCase(*type, checksum_type_of(made)))
    return s3_error(S3Code::kInvalidRequest, "The upload was created with another checksum type.");
  for (const auto& [name, value] : http.headers) {
    std::optional<ChecksumAlgo> algo = checksum_algo_from_name(name);
    if (!absl::StartsWith(name, "x-amz-checksum-") || !algo) continue;
    // A COMPOSITE one may be sent with or without its "-<parts>".
    const absl::string_view made_value = made.checksum;
    if (checksum_s3_name(*algo) != made.checksum_algorithm ||
        (value != made_value && value != made_value.substr(0, made_value.rfind('-'))))
      return s3_error(S3Code::kBadDigest,
                      absl::StrCat("The ", name, " you specified did not match the checksum of the parts."));
  }
  return absl::OkStatus();
}
}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::complete_multipart(S3Call& call) {
  absl::StatusOr<std::string> body = co_await read_all(*call.body, 4 << 20);
  if (!body.ok()) co_return body.status();
  absl::StatusOr<std::vector<CompletedPart>> wanted = parse_complete_multipart(*body);
  if (!wanted.ok()) co_return wanted.status();
  absl::StatusOr<FoundUpload> found = co_await find_upload(call, /*completed_too=*/true);
  if (!found.ok()) co_return found.status();
  const std::string etag = multipart_etag(*wanted);
  if (found->record.state == VersionState::kUploadCompleted) {
    // Completed already: the same part list gets the same answer, as S3 gives it.
    if (found->record.meta.etag == etag) co_return completed_response(call, etag);
    co_return s3_error(S3Code::kNoSuchUpload, "The specified upload was completed with other parts.");
  }
  absl::StatusOr<std::map<uint32_t, UploadPart>> parts = co_await model_.get_parts(found->uuid);
  if (!parts.ok()) co_return parts.status();
  absl::StatusOr<CombinedParts> combined = co_await combine_parts(model_, *wanted, *parts, settings_.min_part_size);
  if (!combined.ok()) co_return combined.status();

  // The block list goes under a uuid of this attempt's own, journaled as a PUT's: a Complete
  // cut short is rolled back whole, and a retry never merges into what an earlier attempt
  // wrote (block lists merge by union; an earlier list of other parts would corrupt the object).
  ObjectVersion done = found->record;
  done.uuid = planted(settings_.planted_complete_reuses_upload_uuid) ? found->uuid : model_.new_uuid();
  JournaledWrite write =
      journal_.begin(WriteIntent{WriteIntent::Owner::kObject, done.uuid, call.bucket->id, call.route.key});
  std::vector<std::string> hashes;
  for (const auto& [slot, b] : combined->list.blocks) hashes.push_back(b.hash);
  if (absl::Status s = write.will_reference(hashes); !s.ok()) co_return s;
  absl::Status s = co_await model_.put_version_and_refs(done.uuid, std::move(combined->list));
  if (!s.ok()) {
    if (planted(settings_.planted_complete_reuses_upload_uuid)) {
      // The old best-effort undo: tombstones at once, under the uuid a retry will reuse.
      probe(env_, "s3.planted_complete_undone_under_upload_uuid");
      VersionEntry gone;
      gone.deleted = true;
      absl::Status undone = co_await model_.put_version(done.uuid, std::move(gone));
      absl::Status refs_undone = co_await model_.put_block_refs(hashes, done.uuid, /*deleted=*/true);
      (void)undone, (void)refs_undone;
    }
    co_return s;
  }
  // One write: the object's new version, stamped above every version of the key (the upload
  // may be older than a PUT made meanwhile), and the upload's record, ended.
  done.timestamp_ms = model_.next_timestamp(found->entry.newest_timestamp() + 1);
  done.state = VersionState::kComplete;
  done.meta.size = combined->size;
  done.meta.etag = etag;
  done.meta.first_block = combined->first_block;
  done.meta.parts = static_cast<int>(wanted->size());
  if (!done.meta.checksum_algorithm.empty()) {  // asked for at creation
    const bool full_object = done.meta.checksum == kFullObjectChecksumPending;
    done.meta.checksum = multipart_checksum(done.meta.checksum_algorithm, full_object, *wanted, *parts);
    if (done.meta.checksum.empty()) done.meta.checksum_algorithm.clear();
  }
  // The object's checksum as the client computed it (x-amz-checksum-<algorithm> on Complete):
  // it must be the one the parts make.
  if (absl::Status s = check_claimed_object_checksum(call.http, done.meta); !s.ok()) co_return s;
  const ObjectMeta answered = done.meta;
  ObjectVersion record = found->record;
  record.state = VersionState::kUploadCompleted;
  record.meta = ObjectMeta{};
  record.meta.etag = etag;
  record.meta.size = combined->size;
  record.meta.parts = done.meta.parts;
  ObjectEntry entry{{std::move(record), std::move(done)}};
  s = co_await model_.put_object(call.bucket->id, call.route.key, std::move(entry));
  if (!s.ok()) co_return s;
  write.committed();
  // The new version holds the blocks. The parts' own block lists go, and the version this one
  // replaces, through the object table's follow-ups.
  co_return completed_response(call, etag, &answered);
}

Task<absl::StatusOr<HttpResponse>> S3Api::abort_multipart(S3Call& call) {
  absl::StatusOr<FoundUpload> found = co_await find_upload(call);
  if (!found.ok()) co_return found.status();
  ObjectVersion aborted = found->record;
  aborted.state = VersionState::kAborted;
  aborted.meta.headers.clear();  // the record only says "ended" now
  ObjectEntry entry{{std::move(aborted)}};
  absl::Status s = co_await model_.put_object(call.bucket->id, call.route.key, std::move(entry));
  if (!s.ok()) co_return s;
  // The parts' block lists go through the object table's follow-ups (the upload ended).
  HttpResponse r;
  r.status = 204;
  co_return r;
}

Task<absl::StatusOr<HttpResponse>> S3Api::list_parts(S3Call& call) {
  absl::StatusOr<FoundUpload> found = co_await find_upload(call);
  if (!found.ok()) co_return found.status();
  const std::string& upload = found->uuid;
  absl::StatusOr<std::map<uint32_t, UploadPart>> parts = co_await model_.get_parts(upload);
  if (!parts.ok()) co_return parts.status();
  int marker = 0, max_parts = 1000;
  if (std::optional<std::string> m = call.route.param("part-number-marker")) (void)absl::SimpleAtoi(*m, &marker);
  if (std::optional<std::string> m = call.route.param("max-parts")) (void)absl::SimpleAtoi(*m, &max_parts);
  max_parts = std::clamp(max_parts, 1, 1000);
  XmlOut x("ListPartsResult");
  pugi::xml_node root = x.root();
  XmlOut::add(root, "Bucket", call.bucket->name);
  XmlOut::add(root, "Key", call.route.key);
  XmlOut::add(root, "UploadId", to_hex(upload));
  XmlOut::add(root, "PartNumberMarker", absl::StrCat(marker));
  XmlOut::add(root, "StorageClass", "STANDARD");
  int count = 0;
  int last = marker;
  bool truncated = false;
  for (const auto& [n, p] : *parts) {
    if (static_cast<int>(n) <= marker) continue;
    if (count == max_parts) {
      truncated = true;
      break;
    }
    ++count;
    last = static_cast<int>(n);
    pugi::xml_node e = root.append_child("Part");
    XmlOut::add(e, "PartNumber", absl::StrCat(n));
    XmlOut::add(e, "LastModified", iso8601(p.stamp_ms));
    XmlOut::add(e, "ETag", quoted_etag(p.etag));
    XmlOut::add(e, "Size", absl::StrCat(p.size));
    if (!p.checksum_algorithm.empty()) XmlOut::add(e, ("Checksum" + p.checksum_algorithm).c_str(), p.checksum);
  }
  XmlOut::add(root, "NextPartNumberMarker", absl::StrCat(last));
  XmlOut::add(root, "MaxParts", absl::StrCat(max_parts));
  XmlOut::add(root, "IsTruncated", truncated ? "true" : "false");
  co_return xml_response(x);
}

}  // namespace garage::s3
