// GetObject and HeadObject: conditional requests, ranges, response-* overrides, streaming.
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "node/chaos.h"
#include "s3/api.h"
#include "s3/byte_range.h"
#include "s3/conditions.h"
#include "s3/errors.h"
#include "s3/object_reader.h"

namespace garage::s3 {

Task<absl::StatusOr<HttpResponse>> S3Api::get_object(S3Call& call, bool head) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<HttpResponse> r = co_await get_object_once(call, head);
    if (r.ok() || !absl::IsAborted(r.status())) co_return r;
    probe(env_, "s3.get_reread_after_overwrite");
    if (attempt == kAttempts)
      co_return s3_error(S3Code::kServiceUnavailable, "The object changed while being read; retry.");
  }
}

Task<absl::StatusOr<std::pair<uint64_t, uint64_t>>> S3Api::part_range(const ObjectVersion& v,
                                                                      const std::string& part_number) {
  int number = 0;
  if (!absl::SimpleAtoi(part_number, &number) || number < 1 || number > kMaxPartNumber)
    co_return s3_error(S3Code::kInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
  if (v.meta.parts == 0) {  // a single PUT is its own one part
    if (number != 1) co_return s3_error(S3Code::kInvalidPartNumber);
    co_return std::pair<uint64_t, uint64_t>{0, v.meta.size};
  }
  if (number > v.meta.parts) co_return s3_error(S3Code::kInvalidPartNumber);
  // The n-th part in order (clients number their parts 1, 2, 3... and ask for each up to
  // x-amz-mp-parts-count), from the version's block list: (part, offset) -> block.
  absl::StatusOr<std::optional<VersionEntry>> list = co_await model_.get_version(v.uuid);
  if (!list.ok()) co_return list.status();
  if (!list->has_value() || (*list)->deleted) co_return absl::AbortedError("the version's block list is gone");
  uint64_t start = 0, size = 0;
  int ordinal = 0;
  std::optional<uint32_t> current;
  for (const auto& [slot, block] : (*list)->blocks) {
    if (slot.first != current) {
      current = slot.first;
      ++ordinal;
    }
    if (ordinal < number) start += block.size;
    if (ordinal == number) size += block.size;
  }
  if (ordinal < number) co_return s3_error(S3Code::kInvalidPartNumber);
  co_return std::pair<uint64_t, uint64_t>{start, start + size};
}

Task<absl::StatusOr<HttpResponse>> S3Api::get_object_once(S3Call& call, bool head) {
  absl::StatusOr<std::optional<ObjectEntry>> entry = co_await model_.get_object(call.bucket->id, call.route.key);
  if (!entry.ok()) co_return entry.status();
  const ObjectVersion* found = entry->has_value() ? (*entry)->current() : nullptr;
  if (found == nullptr) co_return s3_error(S3Code::kNoSuchKey);
  const ObjectVersion v = *found;
  const HttpRequest& http = call.http;
  const ConditionOutcome condition = evaluate(conditions_of(http, kGetConditions), v.meta.etag, v.timestamp_ms);
  if (condition == ConditionOutcome::kPreconditionFailed) co_return s3_error(S3Code::kPreconditionFailed);
  const bool not_modified = condition == ConditionOutcome::kNotModified;

  HttpResponse r;
  r.head = head;
  r.set("etag", quoted_etag(v.meta.etag));
  r.set("last-modified", http_date(v.timestamp_ms));
  if (not_modified) {
    r.status = 304;
    co_return r;
  }
  r.set("accept-ranges", "bytes");
  for (const auto& [k, val] : v.meta.headers) {
    const std::string override_name = "response-" + k;
    if (call.route.query.count(override_name)) continue;
    r.set(k, val);
  }
  for (const char* name :
       {"content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"}) {
    if (std::optional<std::string> o = call.route.param(std::string("response-") + name)) r.set(name, *o);
  }
  if (v.meta.parts > 0) r.set("x-amz-mp-parts-count", absl::StrCat(v.meta.parts));
  if (!v.tags.tags.empty()) r.set("x-amz-tagging-count", absl::StrCat(v.tags.tags.size()));

  uint64_t start = 0, end = v.meta.size;
  if (call.route.param("partNumber")) {
    if (http.header("range"))
      co_return s3_error(S3Code::kInvalidRequest, "Cannot specify both Range header and partNumber query parameter");
    absl::StatusOr<std::pair<uint64_t, uint64_t>> part = co_await part_range(v, *call.route.param("partNumber"));
    if (!part.ok()) co_return part.status();
    std::tie(start, end) = *part;
    r.status = 206;
    r.set("content-range", absl::StrCat("bytes ", start, "-", end == 0 ? 0 : end - 1, "/", v.meta.size));
  } else if (std::optional<std::string> h = http.header("range")) {
    absl::StatusOr<std::optional<std::pair<uint64_t, uint64_t>>> range = parse_get_range(*h, v.meta.size);
    if (!range.ok()) {
      if (head) co_return s3_error(S3Code::kInvalidRange);
      co_return range.status();
    }
    if (range->has_value()) {
      std::tie(start, end) = **range;
      r.status = 206;
      r.set("content-range", absl::StrCat("bytes ", start, "-", end - 1, "/", v.meta.size));
    }
  }
  // The object's checksum, when asked for and the whole object is sent (a range has none).
  if (r.status == 200 && absl::EqualsIgnoreCase(http.header("x-amz-checksum-mode").value_or(""), "ENABLED"))
    add_checksum_headers(v.meta, r);
  r.content_length = end - start;
  if (head || end == start) {
    if (!head) r.body = "";
    co_return r;
  }
  if (v.meta.inline_data) {
    r.body = v.meta.inline_data->substr(start, end - start);
    co_return r;
  }
  auto reader = std::make_unique<ObjectReader>(reader_services(), v.uuid, v.meta.first_block, start, end);
  // The block list before the headers: once they are out, the whole version follows.
  absl::Status opened = co_await reader->read_block_list();
  if (!opened.ok()) co_return opened;
  r.stream = std::move(reader);
  co_return r;
}

}  // namespace garage::s3
