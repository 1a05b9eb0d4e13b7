#include "s3/listing.h"

#include <algorithm>
#include <cassert>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "s3/errors.h"

namespace garage::s3 {

namespace {
constexpr int kMaxKeysCap = 1000;  // S3 returns at most 1,000 keys a page, whatever max-keys asks
}  // namespace

absl::StatusOr<ListQuery> parse_list_query(const Route& route, bool v2) {
  ListQuery q;
  q.v2 = v2;
  q.prefix = route.param("prefix").value_or("");
  q.delimiter = route.param("delimiter").value_or("");
  if (std::optional<std::string> e = route.param("encoding-type")) {
    if (*e != "url") return s3_error(S3Code::kInvalidArgument, "encoding-type must be url");
    q.url_encoding = true;
  }
  if (std::optional<std::string> m = route.param("max-keys")) {
    if (!absl::SimpleAtoi(*m, &q.max_keys) || q.max_keys < 0)
      return s3_error(S3Code::kInvalidArgument, "max-keys must be a non-negative integer");
    q.max_keys = std::min(q.max_keys, kMaxKeysCap);
  }
  if (!v2) {
    q.after = route.param("marker").value_or("");
  } else if (std::optional<std::string> token = route.param("continuation-token")) {
    if (!absl::WebSafeBase64Unescape(*token, &q.after))
      return s3_error(S3Code::kInvalidArgument, "bad continuation-token");
  } else {
    q.after = route.param("start-after").value_or("");
  }
  return q;
}

std::string after_prefix(std::string prefix) {
  while (!prefix.empty()) {
    const unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return "";
}

ListAccumulator::ListAccumulator(ListQuery query) : query_(std::move(query)) {
  assert(query_.max_keys >= 0 && query_.max_keys <= kMaxKeysCap);
  // Keys strictly after `after`, and not before the prefix.
  cursor_.key = std::max(query_.prefix, query_.after);
  cursor_.exclusive = !query_.after.empty() && query_.after >= query_.prefix;
  // A marker that is itself a common prefix (our NextMarker / continuation token after a
  // roll-up) resumes after every key under it.
  const std::string& after = query_.after;
  if (!query_.delimiter.empty() && absl::StartsWith(after, query_.prefix) && after.size() > query_.prefix.size()) {
    const size_t d = after.find(query_.delimiter, query_.prefix.size());
    if (d != std::string::npos && d + query_.delimiter.size() == after.size()) {
      std::string next = after_prefix(after);
      if (next.empty()) {
        done_ = true;  // nothing sorts after it
      } else {
        cursor_ = ListCursor{std::move(next), false};
      }
    }
  }
  if (query_.max_keys == 0) done_ = true;  // an empty page, not truncated (as S3 answers)
}

ListStep ListAccumulator::offer(std::string_view key, bool live) {
  assert(!done_);
  assert(key >= cursor_.key);
  if (cursor_.exclusive && key == cursor_.key) return ListStep::kNext;
  if (!absl::StartsWith(absl::string_view(key.data(), key.size()), query_.prefix)) {
    // The cursor starts at or after the prefix, so a key without it sorts after all that have it.
    assert(key > query_.prefix);
    done_ = true;
    return ListStep::kDone;
  }
  cursor_ = ListCursor{std::string(key), true};
  if (!live) return ListStep::kNext;
  if (listed() >= static_cast<size_t>(query_.max_keys)) {
    // One more key (or prefix) to list than the page holds.
    truncated_ = true;
    done_ = true;
    return ListStep::kDone;
  }
  if (!query_.delimiter.empty()) {
    const size_t d = key.find(query_.delimiter, query_.prefix.size());
    if (d != std::string_view::npos) {
      std::string common(key.substr(0, d + query_.delimiter.size()));
      std::string next = after_prefix(common);
      prefixes_.push_back(common);
      last_listed_ = std::move(common);
      if (next.empty()) {  // nothing sorts after the prefix
        done_ = true;
        return ListStep::kDone;
      }
      cursor_ = ListCursor{std::move(next), false};  // past every key under the common prefix
      return ListStep::kSeek;
    }
  }
  objects_.emplace_back(key);
  last_listed_ = std::string(key);
  assert(listed() <= static_cast<size_t>(query_.max_keys));
  return ListStep::kNext;
}

}  // namespace garage::s3
