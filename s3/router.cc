#include "s3/router.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "s3/errors.h"
#include "s3/sigv4.h"

namespace garage::s3 {

const char* endpoint_name(Endpoint e) {
  switch (e) {
    case Endpoint::kListBuckets:
      return "ListBuckets";
    case Endpoint::kCreateBucket:
      return "CreateBucket";
    case Endpoint::kHeadBucket:
      return "HeadBucket";
    case Endpoint::kDeleteBucket:
      return "DeleteBucket";
    case Endpoint::kGetBucketLocation:
      return "GetBucketLocation";
    case Endpoint::kGetBucketVersioning:
      return "GetBucketVersioning";
    case Endpoint::kGetBucketCors:
      return "GetBucketCors";
    case Endpoint::kPutBucketCors:
      return "PutBucketCors";
    case Endpoint::kDeleteBucketCors:
      return "DeleteBucketCors";
    case Endpoint::kPreflight:
      return "Preflight";
    case Endpoint::kGetBucketWebsite:
      return "GetBucketWebsite";
    case Endpoint::kPutBucketWebsite:
      return "PutBucketWebsite";
    case Endpoint::kDeleteBucketWebsite:
      return "DeleteBucketWebsite";
    case Endpoint::kGetBucketTagging:
      return "GetBucketTagging";
    case Endpoint::kPutBucketTagging:
      return "PutBucketTagging";
    case Endpoint::kDeleteBucketTagging:
      return "DeleteBucketTagging";
    case Endpoint::kGetBucketAcl:
      return "GetBucketAcl";
    case Endpoint::kPutBucketAcl:
      return "PutBucketAcl";
    case Endpoint::kGetObjectAcl:
      return "GetObjectAcl";
    case Endpoint::kListObjects:
      return "ListObjects";
    case Endpoint::kListObjectsV2:
      return "ListObjectsV2";
    case Endpoint::kListMultipartUploads:
      return "ListMultipartUploads";
    case Endpoint::kDeleteObjects:
      return "DeleteObjects";
    case Endpoint::kPostObject:
      return "PostObject";
    case Endpoint::kPutObject:
      return "PutObject";
    case Endpoint::kCopyObject:
      return "CopyObject";
    case Endpoint::kGetObject:
      return "GetObject";
    case Endpoint::kHeadObject:
      return "HeadObject";
    case Endpoint::kDeleteObject:
      return "DeleteObject";
    case Endpoint::kCreateMultipartUpload:
      return "CreateMultipartUpload";
    case Endpoint::kUploadPart:
      return "UploadPart";
    case Endpoint::kUploadPartCopy:
      return "UploadPartCopy";
    case Endpoint::kCompleteMultipartUpload:
      return "CompleteMultipartUpload";
    case Endpoint::kAbortMultipartUpload:
      return "AbortMultipartUpload";
    case Endpoint::kListParts:
      return "ListParts";
    case Endpoint::kGetObjectTagging:
      return "GetObjectTagging";
    case Endpoint::kPutObjectTagging:
      return "PutObjectTagging";
    case Endpoint::kDeleteObjectTagging:
      return "DeleteObjectTagging";
    case Endpoint::kGetObjectAttributes:
      return "GetObjectAttributes";
  }
  return "?";
}

namespace {
absl::Status not_implemented(absl::string_view what) {
  return s3_error(S3Code::kNotImplemented, std::string("this S3 operation is not implemented: ") + std::string(what));
}

// The bucket named by a virtual-host-style Host header, if any.
std::optional<std::string> host_bucket(const HttpRequest& request, absl::string_view root_domain) {
  if (root_domain.empty()) return std::nullopt;
  std::optional<std::string> host = request.header("host");
  if (!host) return std::nullopt;
  std::string h = absl::AsciiStrToLower(*host);
  if (const size_t colon = h.rfind(':'); colon != std::string::npos && h.find(']') == std::string::npos)
    h.resize(colon);
  std::string suffix(root_domain);
  if (suffix.front() != '.') suffix = "." + suffix;
  if (!absl::EndsWith(h, suffix) || h.size() == suffix.size()) return std::nullopt;
  return h.substr(0, h.size() - suffix.size());
}

}  // namespace

absl::StatusOr<Route> route_request(const HttpRequest& request, absl::string_view root_domain) {
  Route r;
  const size_t q = request.target.find('?');
  r.path = request.target.substr(0, q);
  r.raw_query = q == std::string::npos ? "" : request.target.substr(q + 1);
  if (r.path.empty() || r.path[0] != '/')
    return s3_error(S3Code::kInvalidRequest, "the request target must begin with '/'");
  for (absl::string_view part : absl::StrSplit(r.raw_query, '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos)
      r.query[uri_decode(part)] = "";
    else
      r.query[uri_decode(part.substr(0, eq))] = uri_decode(part.substr(eq + 1));
  }
  const std::string path = uri_decode(r.path.substr(1));
  if (std::optional<std::string> b = host_bucket(request, root_domain)) {
    r.bucket = *b;
    r.key = path;
  } else {
    const size_t slash = path.find('/');
    r.bucket = path.substr(0, slash);
    r.key = slash == std::string::npos ? "" : path.substr(slash + 1);
    // "//bucket/key": an empty bucket name, not the service (only "/" lists the buckets).
    if (r.bucket.empty() && !path.empty()) return s3_error(S3Code::kInvalidBucketName);
  }
  if (r.key.size() > 1024) return s3_error(S3Code::kKeyTooLongError, "Your key is too long");
  const std::string& m = request.method;
  auto has = [&](const char* p) { return r.query.count(p) > 0; };
  if (m == "OPTIONS" && !r.bucket.empty()) {
    r.endpoint = Endpoint::kPreflight;
    return r;
  }
  if (r.bucket.empty()) {
    if (m == "GET") {
      r.endpoint = Endpoint::kListBuckets;
      return r;
    }
    return s3_error(S3Code::kMethodNotAllowed, "only GET is allowed on the service");
  }
  if (r.key.empty()) {
    if (m == "GET") {
      if (has("location"))
        r.endpoint = Endpoint::kGetBucketLocation;
      else if (has("versioning"))
        r.endpoint = Endpoint::kGetBucketVersioning;
      else if (has("cors"))
        r.endpoint = Endpoint::kGetBucketCors;
      else if (has("website"))
        r.endpoint = Endpoint::kGetBucketWebsite;
      else if (has("tagging"))
        r.endpoint = Endpoint::kGetBucketTagging;
      else if (has("acl"))
        r.endpoint = Endpoint::kGetBucketAcl;
      else if (has("uploads"))
        r.endpoint = Endpoint::kListMultipartUploads;
      else if (r.param("list-type") == "2")
        r.endpoint = Endpoint::kListObjectsV2;
      else if (has("policy") || has("lifecycle") || has("versions") || has("encryption") || has("object-lock") ||
               has("notification") || has("logging") || has("replication") || has("ownershipControls") ||
               has("publicAccessBlock") || has("accelerate") || has("requestPayment") || has("analytics") ||
               has("metrics") || has("inventory") || has("intelligent-tiering"))
        return not_implemented("bucket sub-resource");
      else
        r.endpoint = Endpoint::kListObjects;
    } else if (m == "HEAD") {
      r.endpoint = Endpoint::kHeadBucket;
    } else if (m == "PUT") {
      if (has("cors"))
        r.endpoint = Endpoint::kPutBucketCors;
      else if (has("website"))
        r.endpoint = Endpoint::kPutBucketWebsite;
      else if (has("tagging"))
        r.endpoint = Endpoint::kPutBucketTagging;
      else if (has("acl"))
        r.endpoint = Endpoint::kPutBucketAcl;
      else if (!r.query.empty())
        return not_implemented("bucket configuration");
      else
        r.endpoint = Endpoint::kCreateBucket;
    } else if (m == "DELETE") {
      if (has("cors"))
        r.endpoint = Endpoint::kDeleteBucketCors;
      else if (has("website"))
        r.endpoint = Endpoint::kDeleteBucketWebsite;
      else if (has("tagging"))
        r.endpoint = Endpoint::kDeleteBucketTagging;
      else if (!r.query.empty())
        return not_implemented("bucket configuration");
      else
        r.endpoint = Endpoint::kDeleteBucket;
    } else if (m == "POST") {
      if (has("delete"))
        r.endpoint = Endpoint::kDeleteObjects;
      else if (r.query.empty())
        r.endpoint = Endpoint::kPostObject;
      else
        return not_implemented("POST on a bucket with this query");
    } else {
      return s3_error(S3Code::kMethodNotAllowed, "method not allowed on a bucket");
    }
    return r;
  }
  if (m == "GET" && has("acl")) {
    r.endpoint = Endpoint::kGetObjectAcl;
    return r;
  }
  if (has("tagging")) {
    if (m == "GET")
      r.endpoint = Endpoint::kGetObjectTagging;
    else if (m == "PUT")
      r.endpoint = Endpoint::kPutObjectTagging;
    else if (m == "DELETE")
      r.endpoint = Endpoint::kDeleteObjectTagging;
    else
      return s3_error(S3Code::kMethodNotAllowed, "method not allowed on an object's tags");
    return r;
  }
  if (m == "GET" && has("attributes")) {
    r.endpoint = Endpoint::kGetObjectAttributes;
    return r;
  }
  if (has("acl") || has("retention") || has("legal-hold") || has("torrent") || has("restore") || has("attributes") ||
      has("select")) {
    return not_implemented("object sub-resource");
  }
  if (m == "GET")
    r.endpoint = has("uploadId") ? Endpoint::kListParts : Endpoint::kGetObject;
  else if (m == "HEAD")
    r.endpoint = Endpoint::kHeadObject;
  else if (m == "PUT") {
    const bool copy = request.header("x-amz-copy-source").has_value();
    if (has("partNumber") && has("uploadId"))
      r.endpoint = copy ? Endpoint::kUploadPartCopy : Endpoint::kUploadPart;
    else
      r.endpoint = copy ? Endpoint::kCopyObject : Endpoint::kPutObject;
  } else if (m == "DELETE")
    r.endpoint = has("uploadId") ? Endpoint::kAbortMultipartUpload : Endpoint::kDeleteObject;
  else if (m == "POST") {
    if (has("uploads"))
      r.endpoint = Endpoint::kCreateMultipartUpload;
    else if (has("uploadId"))
      r.endpoint = Endpoint::kCompleteMultipartUpload;
    else
      return not_implemented("POST on an object");
  } else {
    return s3_error(S3Code::kMethodNotAllowed, "method not allowed on an object");
  }
  return r;
}

}  // namespace garage::s3
