// Routing: which bucket, which key, which endpoint, from the method, Host and target.
//
// Path style: /bucket/key. Virtual-host style: Host "bucket.<root_domain>", /key. Endpoints
// are chosen by method and the presence of sub-resource query parameters (?uploads,
// ?uploadId=, ?delete, ?location, ?versioning, ?cors, ?website, ?tagging, ?acl,
// ?list-type=2), as S3 does. OPTIONS on a
// bucket or an object is a CORS preflight.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "s3/http.h"

namespace garage::s3 {

enum class Endpoint {
  kListBuckets,
  kCreateBucket,
  kHeadBucket,
  kDeleteBucket,
  kGetBucketLocation,
  kGetBucketVersioning,
  kGetBucketCors,
  kPutBucketCors,
  kDeleteBucketCors,
  kGetBucketWebsite,
  kPutBucketWebsite,
  kDeleteBucketWebsite,
  kGetBucketTagging,
  kPutBucketTagging,
  kDeleteBucketTagging,
  kGetBucketAcl,
  kPutBucketAcl,  // canned ACLs only (x-amz-acl: private, public-read)
  kGetObjectAcl,
  kPreflight,  // OPTIONS: a browser asks whether a cross-origin request is allowed (s3/cors.h)
  kListObjects,
  kListObjectsV2,
  kListMultipartUploads,
  kDeleteObjects,
  kPostObject,  // a browser upload: an HTML form signed by a policy (s3/post_policy.h)
  kPutObject,
  kCopyObject,
  kGetObject,
  kHeadObject,
  kDeleteObject,
  kCreateMultipartUpload,
  kUploadPart,
  kUploadPartCopy,
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kListParts,
  kGetObjectTagging,
  kPutObjectTagging,
  kDeleteObjectTagging,
  kGetObjectAttributes,
};

const char* endpoint_name(Endpoint e);

struct Route {
  Endpoint endpoint = Endpoint::kListBuckets;
  std::string bucket;                        // empty for ListBuckets
  std::string key;                           // decoded; empty for bucket endpoints
  std::map<std::string, std::string> query;  // decoded parameters
  std::string path;                          // the raw (encoded) path
  std::string raw_query;

  std::optional<std::string> param(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
};

// NotImplemented (an s3_error) for requests we do not serve; MethodNotAllowed for bad methods.
absl::StatusOr<Route> route_request(const HttpRequest& request, absl::string_view root_domain);

}  // namespace garage::s3
