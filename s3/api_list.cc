// ListObjects (v1), ListObjectsV2 and ListMultipartUploads: prefix, delimiter, common
// prefixes, max-keys, marker / continuation-token / start-after, encoding-type=url.
#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/listing.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
// The ListBucketResult document of a finished accumulator; `versions` are its objects' versions.
std::string listing_xml(const ListAccumulator& acc, const std::vector<ObjectVersion>& versions, const S3Call& call) {
  const ListQuery& q = acc.query();
  const Route& route = call.route;
  auto enc = [&](const std::string& s) { return q.url_encoding ? uri_encode(s, true) : s; };
  XmlOut x("ListBucketResult");
  pugi::xml_node root = x.root();
  XmlOut::add(root, "Name", call.bucket->name);
  XmlOut::add(root, "Prefix", enc(q.prefix));
  if (q.v2) {
    if (std::optional<std::string> t = route.param("continuation-token")) XmlOut::add(root, "ContinuationToken", *t);
    if (std::optional<std::string> s = route.param("start-after")) XmlOut::add(root, "StartAfter", enc(*s));
    XmlOut::add(root, "KeyCount", absl::StrCat(acc.objects().size() + acc.common_prefixes().size()));
  } else {
    XmlOut::add(root, "Marker", enc(q.after));
  }
  XmlOut::add(root, "MaxKeys", absl::StrCat(q.max_keys));
  if (!q.delimiter.empty()) XmlOut::add(root, "Delimiter", enc(q.delimiter));
  if (q.url_encoding) XmlOut::add(root, "EncodingType", "url");
  XmlOut::add(root, "IsTruncated", acc.truncated() ? "true" : "false");
  if (acc.truncated()) {
    if (q.v2)
      XmlOut::add(root, "NextContinuationToken", absl::WebSafeBase64Escape(acc.last_listed()));
    else if (!q.delimiter.empty())
      XmlOut::add(root, "NextMarker", enc(acc.last_listed()));
  }
  for (size_t i = 0; i < acc.objects().size(); ++i) {
    const ObjectVersion& v = versions[i];
    pugi::xml_node c = root.append_child("Contents");
    XmlOut::add(c, "Key", enc(acc.objects()[i]));
    XmlOut::add(c, "LastModified", iso8601(v.timestamp_ms));
    XmlOut::add(c, "ETag", quoted_etag(v.meta.etag));
    XmlOut::add(c, "Size", absl::StrCat(v.meta.size));
    XmlOut::add(c, "StorageClass", "STANDARD");
    if (!q.v2 || route.param("fetch-owner") == "true") {
      pugi::xml_node o = c.append_child("Owner");
      XmlOut::add(o, "ID", call.key.id);
      XmlOut::add(o, "DisplayName", call.key.name);
    }
  }
  for (const std::string& p : acc.common_prefixes()) XmlOut::add(root.append_child("CommonPrefixes"), "Prefix", enc(p));
  return x.str();
}
}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::list_objects(S3Call& call, bool v2) {
  absl::StatusOr<ListQuery> query = parse_list_query(call.route, v2);
  if (!query.ok()) co_return query.status();
  ListAccumulator acc(*std::move(query));
  std::vector<ObjectVersion> versions;  // of acc.objects(), in order
  // The first read is sized to the page asked for (max-keys=1 reads a few entries, not 1000);
  // later ones, past tombstones or rolled-up prefixes, grow to 1000.
  uint32_t want = static_cast<uint32_t>(std::min(1000, acc.query().max_keys + 2));
  while (!acc.done()) {
    // Named: GCC 12 destroys a non-trivial temporary in a co_await expression twice.
    const std::string from = acc.cursor().key;
    absl::StatusOr<std::vector<std::pair<std::string, ObjectEntry>>> page =
        co_await model_.list_objects(call.bucket->id, from, want);
    if (!page.ok()) co_return page.status();
    const size_t asked = want;
    want = std::min<uint32_t>(1000, want * 4);
    ListStep step = ListStep::kNext;
    for (const auto& [key, entry] : *page) {
      const ObjectVersion* v = entry.current();
      const size_t before = acc.objects().size();
      step = acc.offer(key, v != nullptr);
      if (acc.objects().size() > before) versions.push_back(*v);
      if (step != ListStep::kNext) break;
    }
    if (step == ListStep::kNext && page->size() < asked) acc.end_of_bucket();
  }
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = listing_xml(acc, versions, call);
  co_return r;
}

Task<absl::StatusOr<HttpResponse>> S3Api::list_multipart_uploads(S3Call& call) {
  const Route& route = call.route;
  const std::string prefix = route.param("prefix").value_or("");
  const std::string delimiter = route.param("delimiter").value_or("");
  const std::string key_marker = route.param("key-marker").value_or("");
  const std::string id_marker_hex = route.param("upload-id-marker").value_or("");
  const bool url_encoding = route.param("encoding-type") == "url";
  if (route.param("encoding-type") && !url_encoding)
    co_return s3_error(S3Code::kInvalidArgument, "encoding-type must be url");
  int max_uploads = 1000;
  if (std::optional<std::string> m = route.param("max-uploads")) {
    if (!absl::SimpleAtoi(*m, &max_uploads) || max_uploads < 1)
      co_return s3_error(S3Code::kInvalidArgument, "max-uploads must be a positive integer");
    max_uploads = std::min(max_uploads, 1000);
  }
  // Uploads of key-marker itself are listed after upload-id-marker (in the order they began);
  // without it, listing resumes after the key.
  const std::string id_marker = from_hex(id_marker_hex);
  if (!id_marker_hex.empty() && id_marker.empty()) co_return s3_error(S3Code::kInvalidArgument, "bad upload-id-marker");

  std::vector<std::pair<std::string, std::string>> uploads;  // key, version uuid
  std::vector<std::pair<std::string, int64_t>> upload_times;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_key, next_id;
  // The scan starts at the later of prefix and key-marker, and stops past the prefix: its cost
  // is the uploads returned plus the entries between them.
  std::string cursor = std::max(prefix, key_marker);
  uint32_t want = static_cast<uint32_t>(std::min(1000, 2 * max_uploads + 1));
  auto full = [&] { return static_cast<int>(uploads.size() + prefixes.size()) >= max_uploads; };
  for (bool done = false; !done;) {
    absl::StatusOr<std::vector<std::pair<std::string, ObjectEntry>>> page =
        co_await model_.list_objects(call.bucket->id, cursor, want);
    if (!page.ok()) co_return page.status();
    for (auto& [key, entry] : *page) {
      if (!absl::StartsWith(key, prefix)) {
        done = key > prefix;  // past every key with the prefix
        if (done) break;
        continue;
      }
      if (!key_marker.empty() && key < key_marker) continue;
      if (key == key_marker && id_marker.empty()) continue;
      // A key-marker that is a common prefix we returned resumes after every key under it.
      if (id_marker.empty() && !delimiter.empty() && absl::EndsWith(key_marker, delimiter) &&
          absl::StartsWith(key, key_marker))
        continue;
      // Within a key, uploads in upload id order, so that a marker resumes exactly (even if
      // the marker's upload has ended since).
      std::vector<const ObjectVersion*> open;
      for (const ObjectVersion& v : entry.versions)
        if (v.state == VersionState::kUploading && (key != key_marker || v.uuid > id_marker)) open.push_back(&v);
      std::sort(open.begin(), open.end(),
                [](const ObjectVersion* a, const ObjectVersion* b) { return a->uuid < b->uuid; });
      for (const ObjectVersion* vp : open) {
        const ObjectVersion& v = *vp;
        if (!delimiter.empty()) {
          const size_t d = key.find(delimiter, prefix.size());
          if (d != std::string::npos) {
            const std::string common = key.substr(0, d + delimiter.size());
            if (prefixes.empty() || prefixes.back() != common) {
              if (full()) {
                truncated = true;
                done = true;
                break;
              }
              prefixes.push_back(common);
              next_key = common, next_id.clear();
            }
            break;  // one entry per common prefix, whatever the uploads under it
          }
        }
        if (full()) {
          truncated = true;
          done = true;
          break;
        }
        uploads.emplace_back(key, v.uuid);
        upload_times.emplace_back(key, v.timestamp_ms);
        next_key = key, next_id = v.uuid;
      }
      if (done) break;
    }
    if (done || page->size() < want) break;
    cursor = page->back().first + '\0';
    want = 1000;
  }

  auto enc = [&](const std::string& v) { return url_encoding ? uri_encode(v, true) : v; };
  XmlOut x("ListMultipartUploadsResult");
  pugi::xml_node root = x.root();
  XmlOut::add(root, "Bucket", call.bucket->name);
  XmlOut::add(root, "KeyMarker", enc(key_marker));
  XmlOut::add(root, "UploadIdMarker", id_marker_hex);
  if (truncated) {
    XmlOut::add(root, "NextKeyMarker", enc(next_key));
    XmlOut::add(root, "NextUploadIdMarker", next_id.empty() ? "" : to_hex(next_id));
  }
  XmlOut::add(root, "Prefix", enc(prefix));
  if (!delimiter.empty()) XmlOut::add(root, "Delimiter", enc(delimiter));
  XmlOut::add(root, "MaxUploads", absl::StrCat(max_uploads));
  if (url_encoding) XmlOut::add(root, "EncodingType", "url");
  XmlOut::add(root, "IsTruncated", truncated ? "true" : "false");
  for (size_t i = 0; i < uploads.size(); ++i) {
    pugi::xml_node u = root.append_child("Upload");
    XmlOut::add(u, "Key", enc(uploads[i].first));
    XmlOut::add(u, "UploadId", to_hex(uploads[i].second));
    pugi::xml_node who = u.append_child("Initiator");
    XmlOut::add(who, "ID", call.key.id);
    XmlOut::add(who, "DisplayName", call.key.name);
    XmlOut::add(u, "StorageClass", "STANDARD");
    XmlOut::add(u, "Initiated", iso8601(upload_times[i].second));
  }
  for (const std::string& p : prefixes) XmlOut::add(root.append_child("CommonPrefixes"), "Prefix", enc(p));
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = x.str();
  co_return r;
}

}  // namespace garage::s3
