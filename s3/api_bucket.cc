// Bucket endpoints: ListBuckets, CreateBucket, DeleteBucket, GetBucketLocation,
// GetBucketVersioning, GetBucketAcl, GetObjectAcl and PutBucketAcl (HeadBucket is answered by the dispatcher
// once the bucket is found).
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

// CreateBucket's configuration and PutBucketAcl's body (which must be empty): S3's own are a few
// hundred bytes.
constexpr size_t kMaxBucketRequestBodyBytes = 64 * 1024;

namespace {
HttpResponse xml_response(const XmlOut& x) {
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = x.str();
  return r;
}
}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::list_buckets(S3Call& call) {
  absl::StatusOr<std::vector<BucketInfo>> all = co_await model_.list_buckets();
  if (!all.ok()) co_return all.status();
  XmlOut x("ListAllMyBucketsResult");
  pugi::xml_node owner = x.root().append_child("Owner");
  XmlOut::add(owner, "ID", call.key.id);
  XmlOut::add(owner, "DisplayName", call.key.name);
  pugi::xml_node buckets = x.root().append_child("Buckets");
  std::map<std::string, int64_t> names;  // what this key calls its buckets -> creation time
  for (const BucketInfo& b : *all) {
    auto it = call.key.buckets.find(b.id);
    if (it == call.key.buckets.end() || !it->second.any()) continue;
    if (!b.name.empty()) names[b.name] = b.created_ms;
    for (const auto& [alias, id] : call.key.local_aliases)
      if (id == b.id) names[alias] = b.created_ms;
  }
  for (const auto& [name, created] : names) {
    pugi::xml_node n = buckets.append_child("Bucket");
    XmlOut::add(n, "Name", name);
    XmlOut::add(n, "CreationDate", iso8601(created));
  }
  co_return xml_response(x);
}

absl::StatusOr<std::optional<AnonymousAccess>> S3Api::canned_acl_of(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (absl::StartsWith(name, "x-amz-grant-"))
      return s3_error(S3Code::kNotImplemented, "ACL grants are not supported: use x-amz-acl private or public-read");
  }
  std::optional<std::string> acl = request.header("x-amz-acl");
  if (!acl) return std::nullopt;
  if (*acl == "private") return AnonymousAccess{};
  if (*acl == "public-read") return AnonymousAccess{true, true};
  return s3_error(S3Code::kNotImplemented,
                  absl::StrCat("the canned ACL ", *acl, " is not supported: use private or public-read"));
}

Task<absl::StatusOr<HttpResponse>> S3Api::put_bucket_acl(S3Call& call) {
  absl::StatusOr<std::string> body = co_await read_all(*call.body, kMaxBucketRequestBodyBytes);
  if (!body.ok()) co_return body.status();
  if (!body->empty())
    co_return s3_error(S3Code::kNotImplemented,
                       "ACL documents are not supported: use x-amz-acl private or public-read");
  absl::StatusOr<std::optional<AnonymousAccess>> acl = canned_acl_of(call.http);
  if (!acl.ok()) co_return acl.status();
  if (!acl->has_value()) co_return s3_error(S3Code::kInvalidRequest, "PutBucketAcl needs x-amz-acl");
  std::string bucket_id = call.bucket->id;
  absl::Status s = co_await model_.set_bucket_anonymous(std::move(bucket_id), **acl);
  if (!s.ok()) co_return s;
  co_return HttpResponse{};
}

Task<absl::StatusOr<HttpResponse>> S3Api::create_bucket(S3Call& call) {
  absl::StatusOr<std::string> body = co_await read_all(*call.body, kMaxBucketRequestBodyBytes);
  if (!body.ok()) co_return body.status();
  // Refused before anything is created: a bucket is never made with less than was asked.
  absl::StatusOr<std::optional<AnonymousAccess>> acl = canned_acl_of(call.http);
  if (!acl.ok()) co_return acl.status();
  absl::StatusOr<std::string> location = parse_create_bucket(*body);
  if (!location.ok()) co_return location.status();
  if (!location->empty() && *location != settings_.region) {
    co_return s3_error(S3Code::kInvalidLocationConstraint,
                       "the location constraint must be empty or this cluster's region, " + settings_.region);
  }
  absl::StatusOr<std::optional<BucketInfo>> existing = co_await model_.bucket_by_name(call.route.bucket);
  if (!existing.ok()) co_return existing.status();
  if (existing->has_value()) {
    auto it = call.key.buckets.find((*existing)->id);
    if (it != call.key.buckets.end() && it->second.owner) {
      co_return s3_error(S3Code::kBucketAlreadyOwnedByYou,
                         "Your previous request to create the named bucket succeeded and you already own it.");
    }
    co_return s3_error(S3Code::kBucketAlreadyExists, "The requested bucket name is not available.");
  }
  // As in Garage: a key creates buckets only once allowed (`garage key allow --create-bucket`).
  if (!call.key.allow_create_bucket) {
    co_return s3_error(S3Code::kAccessDenied,
                       "This key is not allowed to create buckets (garage key allow --create-bucket).");
  }
  absl::StatusOr<BucketInfo> created = co_await model_.create_bucket(call.route.bucket);
  if (absl::IsInvalidArgument(created.status()) && !is_s3_error(created.status()))
    co_return s3_error(S3Code::kInvalidBucketName, created.status().message());
  if (!created.ok()) co_return created.status();
  const Perms all{true, true, true};
  absl::Status s = co_await model_.set_permissions(created->id, call.key.id, all, true);
  if (!s.ok()) co_return s;
  if (acl->has_value() && (*acl)->any()) {
    s = co_await model_.set_bucket_anonymous(created->id, **acl);
    if (!s.ok()) co_return s;
  }
  HttpResponse r;
  r.set("location", "/" + call.route.bucket);
  co_return r;
}

Task<absl::StatusOr<HttpResponse>> S3Api::delete_bucket(S3Call& call) {
  absl::Status s = co_await model_.delete_bucket(call.bucket->id);
  // The model's own refusal (an S3 error from below would carry its code: is_s3_error).
  if (absl::IsFailedPrecondition(s) && !is_s3_error(s)) co_return s3_error(S3Code::kBucketNotEmpty);
  if (!s.ok()) co_return s;
  HttpResponse r;
  r.status = 204;
  co_return r;
}

absl::StatusOr<HttpResponse> S3Api::bucket_location(S3Call& call) {
  XmlOut x("LocationConstraint");
  x.root().append_child(pugi::node_pcdata).set_value(settings_.region.c_str());
  return xml_response(x);
}

Task<absl::StatusOr<HttpResponse>> S3Api::get_acl(S3Call& call) {
  if (call.route.endpoint == Endpoint::kGetObjectAcl) {  // the object must exist
    absl::StatusOr<std::optional<ObjectEntry>> entry = co_await model_.get_object(call.bucket->id, call.route.key);
    if (!entry.ok()) co_return entry.status();
    if (!entry->has_value() || (*entry)->current() == nullptr) co_return s3_error(S3Code::kNoSuchKey);
  }
  XmlOut x("AccessControlPolicy");
  pugi::xml_node owner = x.root().append_child("Owner");
  XmlOut::add(owner, "ID", call.key.id);
  XmlOut::add(owner, "DisplayName", call.key.name);
  // What the asking key may do there, in ACL words: owner is FULL_CONTROL, else READ and WRITE.
  const auto rights = call.key.buckets.find(call.bucket->id);
  const Perms perms = rights == call.key.buckets.end() ? Perms{} : rights->second;
  std::vector<const char*> permissions;
  if (perms.owner) {
    permissions.push_back("FULL_CONTROL");
  } else {
    if (perms.read) permissions.push_back("READ");
    if (perms.write) permissions.push_back("WRITE");
  }
  pugi::xml_node list = x.root().append_child("AccessControlList");
  for (const char* permission : permissions) {
    pugi::xml_node grant = list.append_child("Grant");
    pugi::xml_node grantee = grant.append_child("Grantee");
    grantee.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
    grantee.append_attribute("xsi:type") = "CanonicalUser";
    XmlOut::add(grantee, "ID", call.key.id);
    XmlOut::add(grantee, "DisplayName", call.key.name);
    XmlOut::add(grant, "Permission", permission);
  }
  // What anyone may do there: READ on the bucket is listing it, on an object reading it.
  const AnonymousAccess& anyone = call.bucket->anonymous;
  const bool public_read = call.route.endpoint == Endpoint::kGetObjectAcl ? anyone.read : anyone.list;
  if (public_read) {
    pugi::xml_node grant = list.append_child("Grant");
    pugi::xml_node grantee = grant.append_child("Grantee");
    grantee.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
    grantee.append_attribute("xsi:type") = "Group";
    XmlOut::add(grantee, "URI", "http://acs.amazonaws.com/groups/global/AllUsers");
    XmlOut::add(grant, "Permission", "READ");
  }
  co_return xml_response(x);
}

absl::StatusOr<HttpResponse> S3Api::bucket_versioning(S3Call& call) {
  XmlOut x("VersioningConfiguration");  // never enabled: an empty configuration
  return xml_response(x);
}

}  // namespace garage::s3
