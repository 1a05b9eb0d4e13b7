// ListObjects (v1), ListObjectsV2 and ListMultipartUploads: prefix, delimiter, common
// prefixes, max-keys, marker / continuation-token / start-after, encoding-type=url.
#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
// The smallest string greater than every string that starts with `prefix` (empty: none).
std::string after_prefix(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return "";
}

struct Listing {
  std::vector<std::pair<std::string, ObjectVersion>> objects;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_start;  // where a following page starts (exclusive marker semantics below)
  std::string last_key;    // the last key or prefix returned
};
}  // namespace

Task<absl::StatusOr<HttpResponse>> S3Api::list_objects(S3Call& call, bool v2) {
  const Route& route = call.route;
  const std::string prefix = route.param("prefix").value_or("");
  const std::string delimiter = route.param("delimiter").value_or("");
  const bool url_encoding = route.param("encoding-type") == "url";
  if (route.param("encoding-type") && !url_encoding)
    co_return s3_error(S3Code::kInvalidArgument, "encoding-type must be url");
  int max_keys = 1000;
  if (std::optional<std::string> m = route.param("max-keys")) {
    if (!absl::SimpleAtoi(*m, &max_keys) || max_keys < 0)
      co_return s3_error(S3Code::kInvalidArgument, "max-keys must be a non-negative integer");
    max_keys = std::min(max_keys, 1000);
  }
  // Where to start: keys strictly after `after`, and not before the prefix.
  std::string after;
  if (v2) {
    if (std::optional<std::string> token = route.param("continuation-token")) {
      std::string decoded;
      if (!absl::WebSafeBase64Unescape(*token, &decoded))
        co_return s3_error(S3Code::kInvalidArgument, "bad continuation-token");
      after = decoded;
    } else {
      after = route.param("start-after").value_or("");
    }
  } else {
    after = route.param("marker").value_or("");
  }
  std::string cursor = std::max(prefix, after);
  bool cursor_exclusive = !after.empty() && after >= prefix;
  // A marker that is itself a common prefix (our NextMarker / continuation token after a
  // roll-up) resumes after every key under it.
  if (!delimiter.empty() && absl::StartsWith(after, prefix) && after.size() > prefix.size()) {
    const size_t d = after.find(delimiter, prefix.size());
    if (d != std::string::npos && d + delimiter.size() == after.size()) {
      const std::string next = after_prefix(after);
      if (!next.empty()) {
        cursor = next;
        cursor_exclusive = false;
      }
    }
  }

  Listing out;
  // The first read is sized to the page asked for (max-keys=1 reads a few entries, not 1000);
  // later ones, past tombstones or rolled-up prefixes, grow to 1000.
  uint32_t want = static_cast<uint32_t>(std::min(1000, max_keys + 2));
  while (static_cast<int>(out.objects.size() + out.prefixes.size()) < max_keys) {
    absl::StatusOr<std::vector<std::pair<std::string, ObjectEntry>>> page =
        co_await model_.list_objects(call.bucket->id, cursor, want);
    const uint32_t asked = want;
    want = std::min<uint32_t>(1000, want * 4);
    if (!page.ok()) co_return page.status();
    bool progressed = false;
    bool stop = false;
    for (auto& [key, entry] : *page) {
      if (cursor_exclusive && key == cursor) continue;
      progressed = true;
      if (!absl::StartsWith(key, prefix)) {
        if (key > prefix) stop = true;  // past every key with the prefix
        if (stop) break;
        continue;
      }
      const ObjectVersion* v = entry.current();
      if (v == nullptr) {
        cursor = key;
        cursor_exclusive = true;
        continue;
      }
      if (static_cast<int>(out.objects.size() + out.prefixes.size()) >= max_keys) {
        out.truncated = true;
        stop = true;
        break;
      }
      if (!delimiter.empty()) {
        const size_t d = key.find(delimiter, prefix.size());
        if (d != std::string::npos) {
          const std::string common = key.substr(0, d + delimiter.size());
          out.prefixes.push_back(common);
          out.last_key = common;
          // Skip every other key under this common prefix.
          const std::string next = after_prefix(common);
          if (next.empty()) {
            stop = true;
            break;
          }
          cursor = next;
          cursor_exclusive = false;
          goto next_page;
        }
      }
      out.objects.emplace_back(key, *v);
      out.last_key = key;
      cursor = key;
      cursor_exclusive = true;
    }
    if (stop || page->size() < asked || !progressed) break;
    continue;
  next_page:;
  }
  // Truncated if the page filled exactly and something remains: probe for one more key.
  if (!out.truncated && max_keys > 0 && static_cast<int>(out.objects.size() + out.prefixes.size()) >= max_keys) {
    absl::StatusOr<std::vector<std::pair<std::string, ObjectEntry>>> probe =
        co_await model_.list_objects(call.bucket->id, cursor, 64);
    if (!probe.ok()) co_return probe.status();
    for (auto& [key, entry] : *probe) {
      if (cursor_exclusive && key == cursor) continue;
      if (!absl::StartsWith(key, prefix)) {
        if (key > prefix) break;
        continue;
      }
      if (entry.current() != nullptr) {
        out.truncated = true;
        break;
      }
    }
  }

  auto enc = [&](const std::string& s) { return url_encoding ? uri_encode(s, true) : s; };
  XmlOut x("ListBucketResult");
  pugi::xml_node root = x.root();
  XmlOut::add(root, "Name", call.bucket->name);
  XmlOut::add(root, "Prefix", enc(prefix));
  if (v2) {
    if (std::optional<std::string> t = route.param("continuation-token")) XmlOut::add(root, "ContinuationToken", *t);
    if (std::optional<std::string> s = route.param("start-after")) XmlOut::add(root, "StartAfter", enc(*s));
    XmlOut::add(root, "KeyCount", absl::StrCat(out.objects.size() + out.prefixes.size()));
  } else {
    XmlOut::add(root, "Marker", enc(after));
  }
  XmlOut::add(root, "MaxKeys", absl::StrCat(max_keys));
  if (!delimiter.empty()) XmlOut::add(root, "Delimiter", enc(delimiter));
  if (url_encoding) XmlOut::add(root, "EncodingType", "url");
  XmlOut::add(root, "IsTruncated", out.truncated ? "true" : "false");
  if (out.truncated) {
    if (v2)
      XmlOut::add(root, "NextContinuationToken", absl::WebSafeBase64Escape(out.last_key));
    else if (!delimiter.empty())
      XmlOut::add(root, "NextMarker", enc(out.last_key));
  }
  for (const auto& [key, v] : out.objects) {
    pugi::xml_node c = root.append_child("Contents");
    XmlOut::add(c, "Key", enc(key));
    XmlOut::add(c, "LastModified", iso8601(v.timestamp_ms));
    XmlOut::add(c, "ETag", quoted_etag(v.meta.etag));
    XmlOut::add(c, "Size", absl::StrCat(v.meta.size));
    XmlOut::add(c, "StorageClass", "STANDARD");
    if (!v2 || route.param("fetch-owner") == "true") {
      pugi::xml_node o = c.append_child("Owner");
      XmlOut::add(o, "ID", call.key.id);
      XmlOut::add(o, "DisplayName", call.key.name);
    }
  }
  for (const std::string& p : out.prefixes) XmlOut::add(root.append_child("CommonPrefixes"), "Prefix", enc(p));
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = x.str();
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
