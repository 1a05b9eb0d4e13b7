// S3Api: the S3 front end. Takes an HttpRequest, authenticates it, routes it to an endpoint
// and returns the HttpResponse; no sockets (net/http_server.cc serves it, the simulator calls
// it directly). Endpoints are split by family over api_*.cc files.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "node/block/block_manager.h"
#include "node/model/model.h"
#include "node/model/write_journal.h"
#include "s3/auth.h"
#include "s3/http.h"
#include "s3/object_reader.h"
#include "s3/router.h"
#include "s3/tagging.h"
#include "s3/verified_body.h"

namespace garage::s3 {

// S3's part numbers: 1 to 10,000 (UploadPart, and GetObject/HeadObject's partNumber).
inline constexpr int kMaxPartNumber = 10000;

struct S3Settings {
  std::string region = "garage";
  std::string root_domain;           // ".s3.example.com": virtual-host-style addressing under it
  std::string web_root_domain;       // ".web.example.com": the website of bucket b is b.web.example.com
  uint32_t inline_threshold = 3072;  // objects up to this size live in their metadata entry
  uint64_t max_object_size = 5ull << 40;
  uint64_t min_part_size = 5u << 20;  // every part but the last (EntityTooSmall)
  // Object data held by GETs (and copies) being sent, node-wide: a block is read only once it
  // fits (see ObjectReader). [s3_api] read_buffer_max.
  uint64_t read_buffer_bytes = 64u << 20;
  // Blocks held by writes (PUT, UploadPart) being received and stored, node-wide: a write reads
  // its next block from the client only once it fits. Config block_ram_buffer_max.
  uint64_t write_buffer_bytes = 256u << 20;
  // Simulation only (no config key reaches it): CompleteMultipartUpload writes its block list
  // under the upload's own uuid and, if that write fails, tombstones it and its references at
  // once, as before 2026-12-04: a retry then merges into the tombstones (issue 25 point 1's bug,
  // for the checkers to find).
  bool planted_complete_reuses_upload_uuid = false;
  // Simulation only: CopyObject writes the copy's block list without block references, so the
  // shared blocks go with the source's last reference.
  bool planted_copy_without_references = false;
};

// One request in flight: what routing, authentication and bucket lookup found.
struct S3Call {
  HttpRequest& http;
  Route route;
  AuthContext auth;
  KeyInfo key;
  std::optional<BucketInfo> bucket;  // set when the route names an existing bucket
  std::string request_id;
  BodySource* body = nullptr;  // the payload, decoded (aws-chunked) when needed
  // The same payload's checker (body reads through it), once authenticated: what it verified.
  const VerifiedBody* verified = nullptr;
};

class S3Api {
 public:
  S3Api(Env env, Spawner& spawner, Model& model, BlockManager& blocks, WriteJournal& journal, S3Settings settings)
      : env_(env),
        spawner_(spawner),
        model_(model),
        blocks_(blocks),
        journal_(journal),
        settings_(std::move(settings)),
        read_budget_(settings_.read_buffer_bytes),
        write_budget_(settings_.write_buffer_bytes) {}

  Task<HttpResponse> handle(HttpRequest& request);
  // The website endpoint's requests (s3/api_website.cc): anonymous, read-only.
  Task<HttpResponse> handle_website(HttpRequest& request);
  // The node's read budget: the HTTP server lets a stalled client go when others wait on it.
  const ByteBudget& read_budget() const { return read_budget_; }

  // api_resolve.cc: the one rights check. What a request asks of a bucket: read its objects
  // (GET, HEAD, a copy's source), list them (and HEAD the bucket), read anything else of it
  // (configurations, tags, ACLs, uploads), write, or what only an owner may (its configuration).
  enum class Access : uint8_t { kReadObjects, kList, kRead, kWrite, kOwner };
  // May `key` (nullptr: a request without a signature) do `access` in `bucket`? A key's own
  // grants, else what the bucket lets anyone do (AnonymousAccess: reading objects, listing).
  static bool permits(const KeyInfo* key, const BucketInfo& bucket, Access access);
  // x-amz-acl and x-amz-grant-* of CreateBucket and PutBucketAcl: the anonymous access they ask
  // for, or NotImplemented. Without any: nullopt.
  static absl::StatusOr<std::optional<AnonymousAccess>> canned_acl_of(const HttpRequest& request);

 private:
  friend class ObjectReader;
  Task<absl::StatusOr<HttpResponse>> dispatch(S3Call& call);
  // A request without a signature: only GET/HEAD of objects and listing, where the bucket lets
  // anyone (BucketInfo::anonymous); AccessDenied otherwise.
  Task<absl::StatusOr<HttpResponse>> dispatch_anonymous(S3Call& call);
  // The endpoint's handler, once the bucket is resolved and the request allowed.
  Task<absl::StatusOr<HttpResponse>> run_endpoint(S3Call& call);

  // api_bucket.cc
  Task<absl::StatusOr<HttpResponse>> list_buckets(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> create_bucket(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> delete_bucket(S3Call& call);
  absl::StatusOr<HttpResponse> bucket_location(S3Call& call);
  absl::StatusOr<HttpResponse> bucket_versioning(S3Call& call);
  // GetBucketAcl, GetObjectAcl: rights are the keys' (garage bucket allow), not ACLs; the answer
  // is what S3 gives for a private bucket or object, seen by the asking key: its own rights
  // there (owner: FULL_CONTROL; else READ, WRITE), no grant to anyone else.
  Task<absl::StatusOr<HttpResponse>> get_acl(S3Call& call);
  // PutBucketAcl with a canned ACL (x-amz-acl): private (no anonymous access) or public-read
  // (anyone may read and list); anything else (grants, an ACL document, other canned ACLs)
  // answers NotImplemented, never a silent success.
  Task<absl::StatusOr<HttpResponse>> put_bucket_acl(S3Call& call);

  // api_bucket_documents.cc: a bucket's configurations kept as one XML document each (CORS,
  // website, tags: node/model/model.h's BucketDocument). Get answers it as stored (or the document's NoSuch... error);
  // Put checks the body (its parser, s3/cors.h or s3/website.h) and stores it as Get will answer it; Delete clears it.
  absl::StatusOr<HttpResponse> get_bucket_document(S3Call& call, BucketDocument which);
  Task<absl::StatusOr<HttpResponse>> put_bucket_document(S3Call& call, BucketDocument which);
  Task<absl::StatusOr<HttpResponse>> delete_bucket_document(S3Call& call, BucketDocument which);

  // api_tagging.cc: the current version's tags (node/model/object.h's VersionTags). Delete is a
  // Put of no tags. And the tags a write gives its new version (x-amz-tagging).
  Task<absl::StatusOr<HttpResponse>> get_object_tagging(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> put_object_tagging(S3Call& call, bool remove);
  // InvalidTag (nothing written) if the header is malformed; no tags without one.
  static absl::StatusOr<VersionTags> tags_of_request(const S3Call& call, int64_t stamp_ms);

  // api_cors.cc
  Task<absl::StatusOr<HttpResponse>> preflight(S3Call& call);

  // api_website.cc
  Task<absl::StatusOr<HttpResponse>> serve_website(S3Call& call, std::string host);
  // A cross-origin request (an Origin header) to a bucket whose CORS rules allow it: the
  // response (an error too) gets the Access-Control-* headers a browser needs to read it.
  static void add_cors_headers_for(const S3Call& call, HttpResponse& response);

  // api_put.cc
  Task<absl::StatusOr<HttpResponse>> put_object(S3Call& call);
  // What a new object is made of besides its bytes.
  struct NewObject {
    Headers headers;  // what it keeps (stored_headers)
    TagSet tags;      // stamped with the version
  };
  // Writes `body` as the current version of `key` in call.bucket (PutObject, POST Object), with
  // the checksum call.verified found in it, if any; its blocks are journaled until committed.
  Task<absl::StatusOr<ObjectVersion>> write_object(S3Call& call, const std::string& key, BodySource& body,
                                                   NewObject what);
  Task<absl::StatusOr<HttpResponse>> copy_object(S3Call& call);

  // api_post.cc: POST Object, a browser upload. It authenticates itself (the form's signed
  // policy, not a header), so dispatch hands it the request before step 1.
  Task<absl::StatusOr<HttpResponse>> post_object(S3Call& call);

  // api_get.cc
  Task<absl::StatusOr<HttpResponse>> get_object(S3Call& call, bool head);
  // One attempt of the above: Aborted if the version's block list went between reading the
  // key's entry and opening it (an overwrite or delete meanwhile); get_object then reads again.
  Task<absl::StatusOr<HttpResponse>> get_object_once(S3Call& call, bool head);
  // [start, end) of part `part_number` (the partNumber parameter) of version `v`: InvalidArgument
  // unless 1-10000, InvalidPartNumber past its parts (a single PUT has one); Aborted if its block
  // list went meanwhile (get_object reads again).
  Task<absl::StatusOr<std::pair<uint64_t, uint64_t>>> part_range(const ObjectVersion& v,
                                                                 const std::string& part_number);

  // api_attributes.cc: GetObjectAttributes (x-amz-object-attributes: ETag, Checksum,
  // ObjectParts, StorageClass, ObjectSize), of the current version.
  Task<absl::StatusOr<HttpResponse>> get_object_attributes(S3Call& call);

  // api_delete.cc
  Task<absl::StatusOr<HttpResponse>> delete_object(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> delete_objects(S3Call& call);
  Task<absl::Status> delete_key(const std::string& bucket_id, const std::string& key);

  // api_list.cc
  Task<absl::StatusOr<HttpResponse>> list_objects(S3Call& call, bool v2);
  Task<absl::StatusOr<HttpResponse>> list_multipart_uploads(S3Call& call);

  // api_multipart.cc
  Task<absl::StatusOr<HttpResponse>> create_multipart(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> upload_part(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> complete_multipart(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> abort_multipart(S3Call& call);
  Task<absl::StatusOr<HttpResponse>> list_parts(S3Call& call);
  // The upload named by the uploadId parameter: its record and the entry holding it. NoSuchUpload
  // unless it is in progress (or, with `completed_too`, completed: a repeated Complete).
  struct FoundUpload {
    std::string uuid;
    ObjectEntry entry;
    ObjectVersion record;
  };
  Task<absl::StatusOr<FoundUpload>> find_upload(S3Call& call, bool completed_too = false);

  // api_resolve.cc (Access and permits are public, above)
  // The bucket `name` as `key` sees it (its local aliases shadow global names; anonymous
  // requests see global names only), if `access` is permitted there; NoSuchBucket or
  // AccessDenied if not.
  Task<absl::StatusOr<BucketInfo>> resolve_bucket(const KeyInfo* key, std::string name, Access access);
  // x-amz-copy-source (CopyObject, UploadPartCopy): its bucket, resolved for reading, its key
  // and current version, with the x-amz-copy-source-if-(none-)match preconditions applied.
  struct CopySource {
    BucketInfo bucket;
    std::string key;
    ObjectVersion version;
  };
  Task<absl::StatusOr<CopySource>> resolve_copy_source(S3Call& call);

  // Shared by the above (api_put.cc): reads a body into blocks (or inline bytes).
  struct Ingested {
    uint64_t size = 0;
    std::string md5;  // raw digest
    std::optional<std::string> inline_data;
    VersionEntry version;  // the blocks, under part `part`
    std::string first_block;
  };
  // Each block's reference (under the write's uuid) is written before the block itself
  // (node/block/block_manager.h says why), and journaled before that: if the write is cut
  // short, the journal takes the references back (node/model/write_journal.h).
  Task<absl::StatusOr<Ingested>> ingest(S3Call& call, BodySource& body, uint32_t part, bool allow_inline,
                                        JournaledWrite& write);

  Env env_;
  Spawner& spawner_;
  Model& model_;
  BlockManager& blocks_;
  WriteJournal& journal_;
  S3Settings settings_;
  ByteBudget read_budget_;
  ByteBudget write_budget_;
  ReaderServices reader_services() { return ReaderServices{env_, spawner_, model_, blocks_, read_budget_}; }
};

// Object metadata shared by GET, HEAD, COPY and multipart: content-type, x-amz-meta-* and the
// standard headers a client may set.
Headers stored_headers(const HttpRequest& request);
std::string http_date(int64_t unix_ms);
std::string iso8601(int64_t unix_ms);
std::string quoted_etag(absl::string_view etag);
// x-amz-checksum-<algorithm> and x-amz-checksum-type of an object stored with a checksum
// (PutObject's answer; GetObject and HeadObject with x-amz-checksum-mode: ENABLED).
void add_checksum_headers(const ObjectMeta& meta, HttpResponse& response);
// "COMPOSITE" (a multipart object's checksum of its parts' checksums, "<base64>-<parts>") or
// "FULL_OBJECT" (of its bytes: a single PUT's, or its parts' CRCs combined).
const char* checksum_type_of(const ObjectMeta& meta);

}  // namespace garage::s3
