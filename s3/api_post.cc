// POST Object: a browser uploads a file with an HTML form (multipart/form-data) that a key's
// owner signed ahead of time. The signature covers the form's policy (s3/post_policy.h), and
// the policy's conditions bound every other field and the file's size; the file streams into
// blocks as a PutObject body does, its size checked as it comes.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "node/chaos.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/form_data.h"
#include "s3/post_policy.h"
#include "s3/request_limits.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {

// The form's fields before the file, names and values together (S3: 20 KB).
constexpr size_t kMaxPostFieldsBytes = 20 * 1024;

// The file as the policy allows it: EntityTooLarge as soon as it passes content-length-range's
// maximum, EntityTooSmall at its end if it is short of the minimum.
class LengthBoundedBody final : public BodySource {
 public:
  LengthBoundedBody(BodySource& inner, uint64_t min, uint64_t max) : inner_(inner), min_(min), max_(max) {}
  Task<absl::StatusOr<std::string>> read(size_t max) override {
    absl::StatusOr<std::string> piece = co_await inner_.read(max);
    if (!piece.ok()) co_return piece;
    size_ += piece->size();
    if (size_ > max_)
      co_return s3_error(S3Code::kEntityTooLarge, "Your proposed upload exceeds the maximum allowed size");
    if (piece->empty() && size_ < min_)
      co_return s3_error(S3Code::kEntityTooSmall, "Your proposed upload is smaller than the minimum allowed size");
    co_return piece;
  }

 private:
  BodySource& inner_;
  const uint64_t min_;
  const uint64_t max_;
  uint64_t size_ = 0;
};

std::optional<std::string> field(const FormFields& fields, const std::string& name) {
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  return it->second;
}

// success_action_redirect (or its old name, redirect) if it is an http(s) URL.
std::optional<std::string> redirect_of(const FormFields& fields) {
  std::optional<std::string> url = field(fields, "success_action_redirect");
  if (!url) url = field(fields, "redirect");
  if (!url || !(absl::StartsWith(*url, "http://") || absl::StartsWith(*url, "https://"))) return std::nullopt;
  return url;
}

// What S3 refuses of a form before reading its file: fields for what we do not do.
absl::Status check_supported(const FormFields& fields) {
  for (const auto& [name, value] : fields) {
    if (absl::StartsWith(name, "x-amz-server-side-encryption") || absl::StartsWith(name, "x-amz-checksum-"))
      return s3_error(S3Code::kNotImplemented, absl::StrCat("the form field ", name, " is not supported"));
  }
  if (std::optional<std::string> acl = field(fields, "acl"); acl && *acl != "private")
    return s3_error(S3Code::kNotImplemented,
                    absl::StrCat("the ACL ", *acl, " is not supported on objects (a bucket may be public-read)"));
  return absl::OkStatus();
}

// Some of a form's fields become headers (those the object keeps, and the redirect's
// Location): unlike a request's headers, which the HTTP parser checked, a field's value may hold
// any byte. A line break or another control character would be a header no client can receive.
// (Other fields may: a tagging document spans lines.)
absl::Status check_header_values(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    for (unsigned char c : value) {
      if (c < 0x20 && c != '\t')
        return s3_error(S3Code::kInvalidArgument, absl::StrCat("the form field ", name, " holds a control character"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::post_object(S3Call& call) {
  // 1. The fields, up to the file: small, bounded, read whole.
  const std::string content_type = call.http.header("content-type").value_or("");
  absl::StatusOr<std::string> boundary = FormDataReader::boundary_of(content_type);
  if (!boundary.ok()) co_return boundary.status();
  FormDataReader form(*call.http.body, std::move(*boundary));
  FormFields fields;
  std::optional<FormPart> file;
  size_t fields_bytes = 0;
  for (;;) {
    absl::StatusOr<std::optional<FormPart>> part = co_await form.next_part();
    if (!part.ok()) co_return part.status();
    if (!part->has_value()) break;
    std::string name = absl::AsciiStrToLower((*part)->name);
    if (name == "file") {
      file = std::move(**part);
      break;
    }
    fields_bytes += name.size();
    if (fields_bytes > kMaxPostFieldsBytes) co_return s3_error(S3Code::kMaxPostPreDataLengthExceededError);
    absl::StatusOr<std::string> value = co_await form.read_value(kMaxPostFieldsBytes - fields_bytes);
    if (!value.ok()) co_return value.status();
    fields_bytes += value->size();
    if (!fields.emplace(name, std::move(*value)).second)
      co_return s3_error(S3Code::kInvalidArgument, absl::StrCat("the form has the field ", name, " twice"));
  }
  if (!file) co_return s3_error(S3Code::kIncorrectNumberOfFilesInPostRequest);

  // 2. Who signed the policy, and may they write here.
  PostAuthFields auth_fields{field(fields, "x-amz-algorithm"), field(fields, "x-amz-credential"),
                             field(fields, "x-amz-date"), field(fields, "x-amz-signature"),
                             fields.contains("awsaccesskeyid")};
  absl::StatusOr<ParsedAuth> parsed = parse_post_auth(auth_fields);
  if (!parsed.ok()) co_return parsed.status();
  const std::optional<std::string> policy_text = field(fields, "policy");
  if (!policy_text) co_return s3_error(S3Code::kInvalidArgument, "Bucket POST must contain a field named 'policy'.");
  absl::StatusOr<std::optional<KeyInfo>> key = co_await model_.get_key(parsed->key_id);
  if (!key.ok()) co_return key.status();
  if (!key->has_value())
    co_return s3_error(S3Code::kInvalidAccessKeyId,
                       "The AWS Access Key Id you provided does not exist in our records.");
  absl::StatusOr<AuthContext> auth =
      verify_post_auth(*parsed, (*key)->secret, *policy_text, AuthSettings{settings_.region});
  if (!auth.ok()) co_return auth.status();
  call.auth = std::move(*auth);
  call.key = std::move(**key);
  absl::StatusOr<BucketInfo> bucket = co_await resolve_bucket(&call.key, call.route.bucket, Access::kWrite);
  if (!bucket.ok()) co_return bucket.status();
  call.bucket = std::move(*bucket);

  // 3. The form against its policy. ${filename} in the key is the file's name, when it has one.
  std::optional<std::string> object_key = field(fields, "key");
  if (!object_key) co_return s3_error(S3Code::kInvalidArgument, "Bucket POST must contain a field named 'key'.");
  if (file->filename) *object_key = absl::StrReplaceAll(*object_key, {{"${filename}", *file->filename}});
  if (object_key->empty() || object_key->size() > 1024)
    co_return s3_error(S3Code::kKeyTooLongError, "the key must be 1 to 1024 bytes");
  if (absl::Status s = check_object_key(*object_key); !s.ok()) co_return s;
  fields["key"] = *object_key;
  if (std::optional<std::string> named = field(fields, "bucket"); named && *named != call.route.bucket)
    co_return s3_error(S3Code::kInvalidArgument, "the form's bucket field names another bucket than its URL");
  absl::StatusOr<PostPolicy> policy = parse_post_policy(*policy_text);
  if (!policy.ok()) co_return policy.status();
  if (absl::Status s = check_post_policy(*policy, fields, call.route.bucket, env_.clock->now_wall()); !s.ok())
    co_return s;
  if (absl::Status s = check_supported(fields); !s.ok()) co_return s;

  // 4. What the object keeps: the fields that are headers on a PUT (Content-Type, else the
  // file part's own; x-amz-meta-*, Cache-Control...), and its tags.
  HttpRequest as_put{"PUT", call.http.target, {}, nullptr, call.http.remote};
  for (const auto& [name, value] : fields) as_put.headers.emplace_back(name, value);
  if (!fields.contains("content-type") && !file->content_type.empty())
    as_put.headers.emplace_back("content-type", file->content_type);
  Headers kept = stored_headers(as_put);
  Headers becoming_headers = kept;
  if (std::optional<std::string> url = redirect_of(fields)) becoming_headers.emplace_back("location", *url);
  if (absl::Status s = check_header_values(becoming_headers); !s.ok()) co_return s;
  if (absl::Status s = check_user_metadata(as_put); !s.ok()) co_return s;
  TagSet tags;
  if (std::optional<std::string> tagging = field(fields, "tagging")) {
    absl::StatusOr<TagSet> parsed_tags = parse_tagging_xml(*tagging, TagTarget::kObject);
    if (!parsed_tags.ok()) co_return parsed_tags.status();
    tags = std::move(*parsed_tags);
  }

  // 5. The file, streamed into blocks, its size bounded by the policy as it comes.
  LengthBoundedBody body(form.content(), policy->min_length, policy->max_length);
  NewObject what{std::move(kept), std::move(tags)};
  absl::StatusOr<ObjectVersion> v = co_await write_object(call, *object_key, body, std::move(what));
  if (!v.ok()) co_return v.status();
  probe(env_, "s3.post_object_stored");
  // What follows the file is ignored, as S3 ignores it: the HTTP server drains it (within its
  // bound, else it closes the connection). The object is stored whatever comes after.

  // 6. The answer the form asked for: a redirect, or 200, 201 (with a document) or 204.
  const std::string etag = quoted_etag(v->meta.etag);
  HttpResponse r;
  r.set("etag", etag);
  if (std::optional<std::string> url = redirect_of(fields)) {
    absl::StrAppend(&*url, absl::StrContains(*url, '?') ? "&" : "?", "bucket=", uri_encode(call.route.bucket, false),
                    "&key=", uri_encode(*object_key, false), "&etag=", uri_encode(etag, false));
    r.status = 303;
    r.set("location", *url);
    co_return r;
  }
  const std::string scheme = call.http.header("x-forwarded-proto").value_or("http");
  std::string path = call.route.path;
  if (!absl::EndsWith(path, "/")) path += "/";
  const std::string location =
      absl::StrCat(scheme, "://", call.http.header("host").value_or(""), path, uri_encode(*object_key, true));
  r.set("location", location);
  const std::string status = field(fields, "success_action_status").value_or("204");
  if (status == "200") co_return r;
  if (status != "201") {
    r.status = 204;
    co_return r;
  }
  XmlOut x("PostResponse");
  XmlOut::add(x.root(), "Location", location);
  XmlOut::add(x.root(), "Bucket", call.route.bucket);
  XmlOut::add(x.root(), "Key", *object_key);
  XmlOut::add(x.root(), "ETag", etag);
  r.status = 201;
  r.set("content-type", "application/xml");
  r.body = x.str();
  co_return r;
}

}  // namespace garage::s3
