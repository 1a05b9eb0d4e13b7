// DeleteObject and DeleteObjects: a delete marker newer than every version seen; the version
// it replaces loses its blocks through the object table's follow-ups.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

Task<absl::Status> S3Api::delete_key(const std::string& bucket_id, const std::string& key) {
  absl::StatusOr<std::optional<ObjectEntry>> existing = co_await model_.get_object(bucket_id, key);
  if (!existing.ok()) co_return existing.status();
  // Deleting what does not exist succeeds (S3 semantics) and writes nothing. But an entry whose
  // newest version is already a delete marker gets our own marker all the same: that marker may
  // come from a DELETE that failed after reaching one replica only, and (with clocks apart) it
  // may outrank a PUT acknowledged since; our marker, stamped above everything we saw, reaches
  // a write quorum, so an acknowledged DELETE stays deleted.
  if (!existing->has_value()) co_return absl::OkStatus();
  // Only uploads in progress: nothing to delete, and a marker would end them (prune).
  const auto& versions = (*existing)->versions;
  if (std::none_of(versions.begin(), versions.end(),
                   [](const ObjectVersion& v) { return v.state == VersionState::kComplete; })) {
    co_return absl::OkStatus();
  }
  ObjectVersion marker;
  marker.uuid = model_.new_uuid();
  marker.timestamp_ms = model_.next_timestamp((*existing)->newest_timestamp() + 1);
  marker.state = VersionState::kComplete;
  marker.delete_marker = true;
  ObjectEntry entry{{marker}};
  absl::Status s = co_await model_.put_object(bucket_id, key, std::move(entry));
  co_return s;
}

Task<absl::StatusOr<HttpResponse>> S3Api::delete_object(S3Call& call) {
  absl::Status s = co_await delete_key(call.bucket->id, call.route.key);
  if (!s.ok()) co_return s;
  HttpResponse r;
  r.status = 204;
  co_return r;
}

Task<absl::StatusOr<HttpResponse>> S3Api::delete_objects(S3Call& call) {
  absl::StatusOr<std::string> body = co_await read_all(*call.body, 2 << 20);
  if (!body.ok()) co_return body.status();
  absl::StatusOr<DeleteObjectsRequest> req = parse_delete_objects(*body);
  if (!req.ok()) co_return req.status();
  XmlOut x("DeleteResult");
  // Once a key fails for want of a quorum (a replica away, or silent until the RPC timeout),
  // the keys after it get the same error without a try: each try would wait the timeout
  // again, and 1,000 keys would keep the client waiting for more than an hour.
  absl::Status no_quorum;
  for (const std::string& key : req->keys) {
    absl::Status s = no_quorum;
    if (no_quorum.ok()) {
      s = co_await delete_key(call.bucket->id, key);
      if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) no_quorum = s;
    }
    if (s.ok()) {
      if (!req->quiet) XmlOut::add(x.root().append_child("Deleted"), "Key", key);
      continue;
    }
    const S3ErrorInfo info = error_info(s);
    pugi::xml_node e = x.root().append_child("Error");
    XmlOut::add(e, "Key", key);
    XmlOut::add(e, "Code", info.code);
    XmlOut::add(e, "Message", info.message);
  }
  HttpResponse r;
  r.set("content-type", "application/xml");
  r.body = x.str();
  co_return r;
}

}  // namespace garage::s3
