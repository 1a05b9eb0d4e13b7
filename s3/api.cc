#include "s3/api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "node/chaos.h"
#include "s3/aws_chunked.h"
#include "s3/errors.h"
#include "s3/request_limits.h"
#include "s3/verified_body.h"

namespace garage::s3 {

std::string http_date(int64_t unix_ms) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

std::string iso8601(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

std::string quoted_etag(absl::string_view etag) { return "\"" + std::string(etag) + "\""; }

void add_checksum_headers(const ObjectMeta& meta, HttpResponse& response) {
  if (meta.checksum_algorithm.empty()) return;
  response.set("x-amz-checksum-" + absl::AsciiStrToLower(meta.checksum_algorithm), meta.checksum);
  response.set("x-amz-checksum-type", checksum_type_of(meta));
}

const char* checksum_type_of(const ObjectMeta& meta) {
  return meta.parts > 0 && absl::StrContains(meta.checksum, '-') ? "COMPOSITE" : "FULL_OBJECT";
}

Headers stored_headers(const HttpRequest& request) {
  static constexpr const char* kStandard[] = {"content-type",     "content-encoding", "content-disposition",
                                              "content-language", "cache-control",    "expires"};
  Headers out;
  for (const auto& [k, v] : request.headers) {
    bool keep = absl::StartsWith(k, "x-amz-meta-");
    for (const char* s : kStandard) keep = keep || k == s;
    // aws-chunked is how the body travelled, not how it is stored.
    if (k == "content-encoding") {
      std::string rest;
      for (absl::string_view enc : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
        enc = absl::StripAsciiWhitespace(enc);
        if (enc != "aws-chunked") absl::StrAppend(&rest, rest.empty() ? "" : ",", enc);
      }
      if (!rest.empty()) out.emplace_back(k, rest);
      continue;
    }
    if (keep) out.emplace_back(k, v);
  }
  if (std::none_of(out.begin(), out.end(), [](const auto& h) { return h.first == "content-type"; })) {
    out.emplace_back("content-type", "binary/octet-stream");
  }
  return out;
}

namespace {
bool needs_write(Endpoint e) {
  switch (e) {
    case Endpoint::kPutObject:
    case Endpoint::kCopyObject:
    case Endpoint::kDeleteObject:
    case Endpoint::kDeleteObjects:
    case Endpoint::kCreateMultipartUpload:
    case Endpoint::kUploadPart:
    case Endpoint::kUploadPartCopy:
    case Endpoint::kCompleteMultipartUpload:
    case Endpoint::kAbortMultipartUpload:
    case Endpoint::kPutObjectTagging:
    case Endpoint::kDeleteObjectTagging:
      return true;
    default:
      return false;
  }
}
// Endpoints whose handler reads the request body (to its end, before any effect).
bool takes_body(Endpoint e) {
  switch (e) {
    case Endpoint::kPutObject:
    case Endpoint::kUploadPart:
    case Endpoint::kDeleteObjects:
    case Endpoint::kCompleteMultipartUpload:
    case Endpoint::kCreateBucket:
    case Endpoint::kPutBucketCors:
    case Endpoint::kPutBucketWebsite:
    case Endpoint::kPutBucketTagging:
    case Endpoint::kPutObjectTagging:
    case Endpoint::kPutBucketAcl:
      return true;
    default:
      return false;
  }
}

// The bucket document endpoints (Get/Put/Delete of CORS, website, tags): which document, and
// which of the three.
enum class DocumentOp : uint8_t { kGet, kPut, kDelete };
struct DocumentEndpoint {
  Endpoint endpoint;
  BucketDocument document;
  DocumentOp op;
};
constexpr DocumentEndpoint kDocumentEndpoints[] = {
    {Endpoint::kGetBucketCors, BucketDocument::kCors, DocumentOp::kGet},
    {Endpoint::kPutBucketCors, BucketDocument::kCors, DocumentOp::kPut},
    {Endpoint::kDeleteBucketCors, BucketDocument::kCors, DocumentOp::kDelete},
    {Endpoint::kGetBucketWebsite, BucketDocument::kWebsite, DocumentOp::kGet},
    {Endpoint::kPutBucketWebsite, BucketDocument::kWebsite, DocumentOp::kPut},
    {Endpoint::kDeleteBucketWebsite, BucketDocument::kWebsite, DocumentOp::kDelete},
    {Endpoint::kGetBucketTagging, BucketDocument::kTagging, DocumentOp::kGet},
    {Endpoint::kPutBucketTagging, BucketDocument::kTagging, DocumentOp::kPut},
    {Endpoint::kDeleteBucketTagging, BucketDocument::kTagging, DocumentOp::kDelete},
};
const DocumentEndpoint* document_endpoint(Endpoint e) {
  for (const DocumentEndpoint& d : kDocumentEndpoints)
    if (d.endpoint == e) return &d;
  return nullptr;
}

// What reading endpoint `e` asks of its bucket (S3Api::Access).
S3Api::Access read_access(Endpoint e) {
  switch (e) {
    case Endpoint::kGetObject:
    case Endpoint::kHeadObject:
      return S3Api::Access::kReadObjects;
    case Endpoint::kListObjects:
    case Endpoint::kListObjectsV2:
    case Endpoint::kHeadBucket:
      return S3Api::Access::kList;
    default:
      return S3Api::Access::kRead;
  }
}

// What an endpoint that takes no body accepts and checks before refusing: S3 clients send none.
constexpr size_t kIgnoredBodyLimit = 64 * 1024;
}  // namespace

Task<HttpResponse> S3Api::handle(HttpRequest& request) {
  // Request ids are seen by clients: from Entropy, never from the Rng (node/env.h).
  const std::string request_id = to_hex(env_.entropy->bytes(8));
  const bool head = request.method == "HEAD";
  absl::StatusOr<Route> route = route_request(request, settings_.root_domain);
  if (!route.ok()) co_return error_response(route.status(), request.target, request_id, head);
  S3Call call{request, std::move(*route), {}, {}, std::nullopt, request_id, request.body};
  absl::StatusOr<HttpResponse> response = co_await dispatch(call);
  const bool authenticated = !call.key.id.empty();  // set once the signature checked
  if (!response.ok()) {
    env_.tracer->event(Severity::kDebug, "S3Error",
                       absl::StrCat(endpoint_name(call.route.endpoint), " ", redacted_target(request.target),
                                    " (request ", request_id, "): ", response.status().message()));
    HttpResponse error = error_response(response.status(), call.route.path, request_id, head);
    error.authenticated = authenticated;
    add_cors_headers_for(call, error);
    co_return error;
  }
  response->authenticated = authenticated;
  response->set("x-amz-request-id", request_id);
  response->set("server", "garage-cpp");
  add_cors_headers_for(call, *response);
  co_return std::move(*response);
}

Task<absl::StatusOr<HttpResponse>> S3Api::dispatch(S3Call& call) {
  // 0. What no endpoint accepts, signed or not (s3/request_limits.h).
  if (!call.route.key.empty()) {
    if (absl::Status s = check_object_key(call.route.key); !s.ok()) co_return s;
  }
  if (absl::Status s = check_user_metadata(call.http); !s.ok()) co_return s;
  // A CORS preflight is never signed: browsers send it without credentials.
  if (call.route.endpoint == Endpoint::kPreflight) co_return co_await preflight(call);
  // A browser upload is signed in its form, not its headers (s3/api_post.cc).
  if (call.route.endpoint == Endpoint::kPostObject) co_return co_await post_object(call);

  // 1. Who is asking. A request without a signature may only read what a bucket lets anyone
  // read (AnonymousAccess): nothing that takes a body, nothing on the service.
  absl::StatusOr<std::optional<ParsedAuth>> parsed = parse_auth(call.http);
  if (!parsed.ok()) co_return parsed.status();
  if (!parsed->has_value()) co_return co_await dispatch_anonymous(call);
  absl::StatusOr<std::optional<KeyInfo>> key = co_await model_.get_key((*parsed)->key_id);
  if (!key.ok()) co_return key.status();
  if (!key->has_value())
    co_return s3_error(S3Code::kInvalidAccessKeyId,
                       "The AWS Access Key Id you provided does not exist in our records.");
  AuthSettings auth_settings{settings_.region};
  absl::StatusOr<AuthContext> auth =
      verify_auth(**parsed, (*key)->secret, call.http, env_.clock->now_wall(), auth_settings);
  if (!auth.ok()) co_return auth.status();
  call.auth = std::move(*auth);
  call.key = std::move(**key);

  // 2. The payload as the handlers read it: decoded (aws-chunked), and verified against every
  // claim the request makes of it (s3/verified_body.h): the read that ends it fails otherwise.
  std::unique_ptr<AwsChunkedBody> chunked;
  if (call.auth.mode == PayloadMode::kStreamingSigned || call.auth.mode == PayloadMode::kStreamingSignedTrailer ||
      call.auth.mode == PayloadMode::kStreamingUnsignedTrailer) {
    chunked = std::make_unique<AwsChunkedBody>(*call.http.body, call.auth);
    call.body = chunked.get();
  }
  absl::StatusOr<std::unique_ptr<VerifiedBody>> verified = VerifiedBody::make(
      *call.body, call.http, call.auth, chunked.get(),
      call.route.endpoint == Endpoint::kCompleteMultipartUpload ? VerifiedBody::ChecksumHeader::kOfTheObject
                                                                : VerifiedBody::ChecksumHeader::kOfThisBody);
  if (!verified.ok()) co_return verified.status();
  call.body = verified->get();
  call.verified = verified->get();
  const Endpoint e = call.route.endpoint;
  if (!takes_body(e)) {
    // Endpoints that ignore their body still have it checked before they act: a request is
    // done as signed, or not at all.
    absl::StatusOr<std::string> ignored = co_await read_all(*call.body, kIgnoredBodyLimit);
    if (!ignored.ok()) co_return ignored.status();
  }

  // 3. The bucket, and the key's rights on it.
  if (e == Endpoint::kListBuckets) co_return co_await list_buckets(call);
  if (e == Endpoint::kCreateBucket) co_return co_await create_bucket(call);
  // Changing a bucket's configuration (documents, ACL) or deleting it is for its owners.
  const DocumentEndpoint* document = document_endpoint(e);
  const bool owner_only = e == Endpoint::kDeleteBucket || e == Endpoint::kPutBucketAcl ||
                          (document != nullptr && document->op != DocumentOp::kGet);
  const Access access = owner_only ? Access::kOwner : needs_write(e) ? Access::kWrite : read_access(e);
  absl::StatusOr<BucketInfo> bucket = co_await resolve_bucket(&call.key, call.route.bucket, access);
  if (!bucket.ok()) co_return bucket.status();
  call.bucket = std::move(*bucket);
  co_return co_await run_endpoint(call);
}

Task<absl::StatusOr<HttpResponse>> S3Api::dispatch_anonymous(S3Call& call) {
  const Endpoint e = call.route.endpoint;
  const bool readable = e == Endpoint::kGetObject || e == Endpoint::kHeadObject || e == Endpoint::kListObjects ||
                        e == Endpoint::kListObjectsV2 || e == Endpoint::kHeadBucket;
  if (!readable || call.route.bucket.empty())
    co_return s3_error(S3Code::kAccessDenied, "anonymous access is not allowed here; sign your request");
  // Nothing here takes a body: one sent is read and dropped, within a bound, as for signed ones.
  absl::StatusOr<std::string> ignored = co_await read_all(*call.body, kIgnoredBodyLimit);
  if (!ignored.ok()) co_return ignored.status();
  absl::StatusOr<BucketInfo> bucket = co_await resolve_bucket(nullptr, call.route.bucket, read_access(e));
  if (!bucket.ok()) co_return bucket.status();
  probe(env_, "s3.anonymous_request_served");
  call.bucket = std::move(*bucket);
  co_return co_await run_endpoint(call);
}

Task<absl::StatusOr<HttpResponse>> S3Api::run_endpoint(S3Call& call) {
  if (const DocumentEndpoint* d = document_endpoint(call.route.endpoint)) {
    switch (d->op) {
      case DocumentOp::kGet:
        co_return get_bucket_document(call, d->document);
      case DocumentOp::kPut:
        co_return co_await put_bucket_document(call, d->document);
      case DocumentOp::kDelete:
        co_return co_await delete_bucket_document(call, d->document);
    }
  }
  switch (call.route.endpoint) {
    case Endpoint::kHeadBucket:
      co_return HttpResponse{};
    case Endpoint::kDeleteBucket:
      co_return co_await delete_bucket(call);
    case Endpoint::kGetBucketLocation:
      co_return bucket_location(call);
    case Endpoint::kGetBucketVersioning:
      co_return bucket_versioning(call);
    case Endpoint::kGetBucketAcl:
    case Endpoint::kGetObjectAcl:
      co_return co_await get_acl(call);
    case Endpoint::kPutBucketAcl:
      co_return co_await put_bucket_acl(call);
    case Endpoint::kGetObjectTagging:
      co_return co_await get_object_tagging(call);
    case Endpoint::kGetObjectAttributes:
      co_return co_await get_object_attributes(call);
    case Endpoint::kPutObjectTagging:
      co_return co_await put_object_tagging(call, /*remove=*/false);
    case Endpoint::kDeleteObjectTagging:
      co_return co_await put_object_tagging(call, /*remove=*/true);
    case Endpoint::kListObjects:
      co_return co_await list_objects(call, false);
    case Endpoint::kListObjectsV2:
      co_return co_await list_objects(call, true);
    case Endpoint::kListMultipartUploads:
      co_return co_await list_multipart_uploads(call);
    case Endpoint::kDeleteObjects:
      co_return co_await delete_objects(call);
    case Endpoint::kPutObject:
      co_return co_await put_object(call);
    case Endpoint::kCopyObject:
      co_return co_await copy_object(call);
    case Endpoint::kGetObject:
      co_return co_await get_object(call, false);
    case Endpoint::kHeadObject:
      co_return co_await get_object(call, true);
    case Endpoint::kDeleteObject:
      co_return co_await delete_object(call);
    case Endpoint::kCreateMultipartUpload:
      co_return co_await create_multipart(call);
    case Endpoint::kUploadPart:
    case Endpoint::kUploadPartCopy:
      co_return co_await upload_part(call);
    case Endpoint::kCompleteMultipartUpload:
      co_return co_await complete_multipart(call);
    case Endpoint::kAbortMultipartUpload:
      co_return co_await abort_multipart(call);
    case Endpoint::kListParts:
      co_return co_await list_parts(call);
    default:
      break;
  }
  co_return s3_error(S3Code::kNotImplemented, "endpoint not implemented");
}

}  // namespace garage::s3
