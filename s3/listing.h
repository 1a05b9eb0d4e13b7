// ListObjects (v1 and v2) as pure logic: the query a request asks, and an accumulator that is
// fed the bucket's keys in order and builds the page. The endpoint (api_list.cc) reads the
// model from the accumulator's cursor and writes the XML; tests/listing_test.cc checks the
// accumulator, paged to the end with random page sizes, against a brute-force reference.
//
//   ListAccumulator acc(query);
//   while (!acc.done()) {
//     entries = read keys from acc.cursor() (exclusive or not), in key order;
//     for (each entry) if (acc.offer(key, live) != ListStep::kNext) break;   // kSeek: read again
//     if (the read came back short) { acc.end_of_bucket(); }
//   }
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "s3/router.h"

namespace garage::s3 {

struct ListQuery {
  bool v2 = false;
  std::string prefix;
  std::string delimiter;  // empty: no roll-up
  bool url_encoding = false;
  int max_keys = 1000;  // 0-1000 (a larger ask is capped at 1000, as S3 does)
  // Keys strictly after this one are listed (v1 marker, v2 start-after or continuation token).
  std::string after;
};
// Parses the query parameters of a ListObjects / ListObjectsV2 request (InvalidArgument if bad).
absl::StatusOr<ListQuery> parse_list_query(const Route& route, bool v2);

// The smallest string greater than every string that starts with `prefix` (empty: none).
std::string after_prefix(std::string prefix);

// Where the next read of the bucket starts. A read from an exclusive cursor must ask for at
// least two keys: the first may be the cursor itself, skipped.
struct ListCursor {
  std::string key;
  bool exclusive = false;  // skip `key` itself
};

enum class ListStep {
  kNext,  // offer the next key
  kSeek,  // the cursor jumped past a rolled-up common prefix: read again from cursor()
  kDone,  // the page is complete
};

class ListAccumulator {
 public:
  explicit ListAccumulator(ListQuery query);

  const ListCursor& cursor() const { return cursor_; }
  bool done() const { return done_; }
  // One key of the bucket, in order, at or after cursor() (a key equal to an exclusive cursor is
  // skipped). `live`: it has a current version (a deleted key's tombstone is not listed). When
  // the object is listed, it is the last of objects().
  ListStep offer(std::string_view key, bool live);
  // The bucket has no key after the last one offered.
  void end_of_bucket() { done_ = true; }

  const std::vector<std::string>& objects() const { return objects_; }
  const std::vector<std::string>& common_prefixes() const { return prefixes_; }
  bool truncated() const { return truncated_; }
  // What NextMarker / NextContinuationToken carry when truncated: the last key or prefix listed.
  const std::string& last_listed() const { return last_listed_; }
  const ListQuery& query() const { return query_; }

 private:
  size_t listed() const { return objects_.size() + prefixes_.size(); }

  ListQuery query_;
  ListCursor cursor_;
  bool done_ = false;
  bool truncated_ = false;
  std::vector<std::string> objects_;
  std::vector<std::string> prefixes_;
  std::string last_listed_;
};

}  // namespace garage::s3
