// ListObjects' accumulator (s3/listing.h) against a brute-force reference: random buckets (live
// keys and tombstones over a small alphabet, so prefixes and delimiters collide often), random
// queries, read in random page sizes and paged to the end with the markers the accumulator
// hands out; the pages joined must equal the reference's answer, and no page may exceed max-keys.
#include "s3/listing.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace garage::s3 {
namespace {

using Bucket = std::map<std::string, bool>;  // key -> live (false: a tombstone)

struct Answer {
  std::vector<std::string> objects;
  std::vector<std::string> prefixes;
  bool operator==(const Answer&) const = default;
};

// What a listing of the whole bucket returns, with no paging: every live key with the prefix,
// strictly after `after`, rolled up at the first delimiter after the prefix (a key after the
// marker under a common prefix that sorts before it still lists that prefix, as S3 does).
Answer reference(const Bucket& bucket, const std::string& prefix, const std::string& delimiter,
                 const std::string& after) {
  Answer a;
  std::set<std::string> seen_prefixes;
  for (const auto& [key, live] : bucket) {
    if (!live || !absl::StartsWith(key, prefix) || key <= after) continue;
    if (!delimiter.empty()) {
      const size_t d = key.find(delimiter, prefix.size());
      if (d != std::string::npos) {
        // A marker that is itself this common prefix (a previous page's last entry) has listed it.
        const std::string common = key.substr(0, d + delimiter.size());
        if (common != after && seen_prefixes.insert(common).second) a.prefixes.push_back(common);
        continue;
      }
    }
    a.objects.push_back(key);
  }
  return a;
}

// One page, as the endpoint reads it: the model's keys from the cursor, `page_size` at a time.
ListAccumulator run_page(const Bucket& bucket, ListQuery q, size_t page_size) {
  ListAccumulator acc(std::move(q));
  int reads = 0;
  while (!acc.done()) {
    RC_ASSERT(++reads < 10'000);  // the cursor always moves
    const ListCursor from = acc.cursor();
    ListStep step = ListStep::kNext;
    size_t read = 0;
    for (auto it = bucket.lower_bound(from.key); it != bucket.end() && read < page_size; ++it, ++read) {
      step = acc.offer(it->first, it->second);
      if (step != ListStep::kNext) break;
    }
    if (step == ListStep::kNext && read < page_size) acc.end_of_bucket();
  }
  return acc;
}

// Pages through the whole listing as a client does (v1 with NextMarker or the last key; v2
// with the continuation token), and joins the pages.
Answer page_to_the_end(const Bucket& bucket, ListQuery q, size_t page_size) {
  Answer joined;
  for (int pages = 0;; ++pages) {
    RC_ASSERT(pages < 1000);
    ListAccumulator acc = run_page(bucket, q, page_size);
    RC_ASSERT(acc.objects().size() + acc.common_prefixes().size() <= static_cast<size_t>(q.max_keys));
    joined.objects.insert(joined.objects.end(), acc.objects().begin(), acc.objects().end());
    joined.prefixes.insert(joined.prefixes.end(), acc.common_prefixes().begin(), acc.common_prefixes().end());
    if (!acc.truncated()) return joined;
    RC_ASSERT(!acc.last_listed().empty());
    // The token is what ListObjectsV2 sends back: base64 of the last key or prefix listed.
    std::string marker = acc.last_listed();
    if (q.v2) {
      std::string decoded;
      RC_ASSERT(absl::WebSafeBase64Unescape(absl::WebSafeBase64Escape(marker), &decoded));
      marker = decoded;
    }
    q.after = marker;
  }
}

rc::Gen<std::string> gen_key() {
  // A small alphabet with the delimiters in it: prefixes and roll-ups collide often.
  // (S3 keys are never empty.)
  return rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::element('a', 'b', '/', '-')));
}

RC_GTEST_PROP(Listing, PagedToTheEndEqualsTheBruteForceAnswer, ()) {
  const auto keys = *rc::gen::container<std::vector<std::pair<std::string, bool>>>(
      rc::gen::pair(gen_key(), rc::gen::element(true, true, false)));
  Bucket bucket(keys.begin(), keys.end());
  ListQuery q;
  q.v2 = *rc::gen::arbitrary<bool>();
  q.prefix = *rc::gen::element<std::string>("", "a", "a/", "b", "ab", "/");
  q.delimiter = *rc::gen::element<std::string>("", "/", "-", "ab");
  q.max_keys = *rc::gen::inRange(1, 6);
  const std::string start_after = *rc::gen::oneOf(rc::gen::just(std::string()), gen_key());
  q.after = start_after;
  const size_t page_size = *rc::gen::inRange<size_t>(2, 8);  // >= 2: see ListCursor
  const Answer expected = reference(bucket, q.prefix, q.delimiter, start_after);
  RC_ASSERT(page_to_the_end(bucket, q, page_size) == expected);
}

RC_GTEST_PROP(Listing, OnePageIsTheReferencesFirstMaxKeysAndTruncatedIffMoreRemain, ()) {
  const auto keys = *rc::gen::container<std::vector<std::pair<std::string, bool>>>(
      rc::gen::pair(gen_key(), rc::gen::element(true, false)));
  Bucket bucket(keys.begin(), keys.end());
  ListQuery q;
  q.prefix = *rc::gen::element<std::string>("", "a", "b/");
  q.delimiter = *rc::gen::element<std::string>("", "/");
  q.max_keys = *rc::gen::inRange(0, 5);
  const ListAccumulator acc = run_page(bucket, q, *rc::gen::inRange<size_t>(2, 5));
  const Answer all = reference(bucket, q.prefix, q.delimiter, "");
  // The page is the reference's first max_keys entries, keys and prefixes merged in order.
  std::vector<std::string> merged = all.objects;
  merged.insert(merged.end(), all.prefixes.begin(), all.prefixes.end());
  std::sort(merged.begin(), merged.end());
  std::vector<std::string> got = acc.objects();
  got.insert(got.end(), acc.common_prefixes().begin(), acc.common_prefixes().end());
  std::sort(got.begin(), got.end());
  const size_t n = std::min(merged.size(), static_cast<size_t>(q.max_keys));
  RC_ASSERT(got == std::vector<std::string>(merged.begin(), merged.begin() + n));
  RC_ASSERT(acc.truncated() == (q.max_keys > 0 && merged.size() > n));
}

TEST(Listing, AMarkerThatIsACommonPrefixResumesAfterEveryKeyUnderIt) {
  const Bucket bucket = {{"a/1", true}, {"a/2", true}, {"b", true}};
  ListQuery q;
  q.delimiter = "/";
  q.after = "a/";
  ListAccumulator acc = run_page(bucket, q, 10);
  EXPECT_EQ(acc.objects(), std::vector<std::string>{"b"});
  EXPECT_TRUE(acc.common_prefixes().empty());
}

TEST(Listing, MaxKeysZeroListsNothingAndIsNotTruncated) {
  const Bucket bucket = {{"a", true}};
  ListQuery q;
  q.max_keys = 0;
  ListAccumulator acc(q);
  EXPECT_TRUE(acc.done());
  EXPECT_FALSE(acc.truncated());
}

TEST(Listing, TombstonesAfterAFullPageDoNotMakeItTruncated) {
  Bucket bucket = {{"a", true}};
  for (int i = 0; i < 200; ++i) bucket["b" + std::to_string(1000 + i)] = false;
  ListQuery q;
  q.max_keys = 1;
  ListAccumulator acc = run_page(bucket, q, 3);
  EXPECT_EQ(acc.objects(), std::vector<std::string>{"a"});
  EXPECT_FALSE(acc.truncated());
  bucket["c"] = true;  // one live key after the tombstones: there is a next page
  EXPECT_TRUE(run_page(bucket, q, 3).truncated());
}

TEST(Listing, QueryParsing) {
  Route r;
  r.query = {{"max-keys", "5000"}, {"prefix", "p/"}, {"delimiter", "/"}, {"encoding-type", "url"}};
  absl::StatusOr<ListQuery> q = parse_list_query(r, true);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->max_keys, 1000);
  EXPECT_EQ(q->prefix, "p/");
  EXPECT_TRUE(q->url_encoding);
  r.query = {{"continuation-token", absl::WebSafeBase64Escape("k/9")}, {"start-after", "ignored"}};
  EXPECT_EQ(parse_list_query(r, true)->after, "k/9");
  r.query = {{"marker", "m"}};
  EXPECT_EQ(parse_list_query(r, false)->after, "m");
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"max-keys", "-1"}, {"max-keys", "ten"}, {"encoding-type", "base64"}, {"continuation-token", "!!"}}) {
    r.query = {{name, value}};
    EXPECT_FALSE(parse_list_query(r, true).ok()) << name << "=" << value;
  }
}

}  // namespace
}  // namespace garage::s3
