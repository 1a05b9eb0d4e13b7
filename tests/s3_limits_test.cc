// Byte ranges (GetObject, UploadPartCopy) and what every request is refused for (object keys
// that are not XML-safe UTF-8, user metadata past 2 KB): issue 9, point 9.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "node/model/object.h"
#include "s3/api.h"
#include "s3/byte_range.h"
#include "s3/errors.h"
#include "s3/request_limits.h"

namespace garage::s3 {
namespace {

std::string code_of(const absl::Status& s) { return error_info(s).code; }

TEST(GetRange, EndsPastTheObjectAreClampedWithoutOverflow) {
  auto r = parse_get_range("bytes=0-18446744073709551615", 10);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(**r, (ByteRange{0, 10}));
  r = parse_get_range("bytes=3-4", 10);
  EXPECT_EQ(**r, (ByteRange{3, 5}));
  r = parse_get_range("bytes=7-", 10);
  EXPECT_EQ(**r, (ByteRange{7, 10}));
  r = parse_get_range("bytes=-3", 10);
  EXPECT_EQ(**r, (ByteRange{7, 10}));
  r = parse_get_range("bytes=-30", 10);
  EXPECT_EQ(**r, (ByteRange{0, 10}));
}

TEST(GetRange, UnsatisfiableAndIgnoredRanges) {
  EXPECT_EQ(code_of(parse_get_range("bytes=-5", 0).status()), "InvalidRange");  // suffix of nothing
  EXPECT_EQ(code_of(parse_get_range("bytes=10-", 10).status()), "InvalidRange");
  EXPECT_EQ(code_of(parse_get_range("bytes=0-0", 0).status()), "InvalidRange");
  EXPECT_EQ(code_of(parse_get_range("bytes=-0", 10).status()), "InvalidRange");
  for (const char* ignored : {"bytes=0-1,3-4", "items=0-1", "bytes=5-2", "bytes=x-", "bytes=+1-2", "bytes= 1-2"}) {
    auto r = parse_get_range(ignored, 10);
    ASSERT_TRUE(r.ok()) << ignored;
    EXPECT_FALSE(r->has_value()) << ignored;
  }
}

TEST(CopyRange, OnlyFirstDashLastWithinTheSource) {
  auto r = parse_copy_range("bytes=0-2", 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (ByteRange{0, 3}));
  for (const char* bad : {"0-2", "bytes=0", "bytes=0-2,3-5", "bytes=2-1", "bytes=-2", "bytes=1-", "bytes=a-b"})
    EXPECT_EQ(code_of(parse_copy_range(bad, 10).status()), "InvalidArgument") << bad;
  EXPECT_EQ(code_of(parse_copy_range("bytes=5-10", 10).status()), "InvalidRange");
}

TEST(ObjectKeys, Utf8WithoutControlCharacters) {
  EXPECT_TRUE(check_object_key("photos/été/日本.jpg").ok());
  EXPECT_TRUE(check_object_key("tab\there and\nnewline").ok());
  EXPECT_TRUE(check_object_key("emoji \xf0\x9f\x98\x80").ok());
  for (std::string bad : {std::string("\xff"), std::string("a\x01z"), std::string("\xc0\xaf"),  // overlong '/'
                          std::string("\xed\xa0\x80"),                                          // a surrogate
                          std::string("\xe2\x82"), std::string("nul\0x", 5), std::string("\xef\xbf\xbe")})
    EXPECT_EQ(code_of(check_object_key(bad)), "InvalidArgument") << bad;
}

TEST(UserMetadata, AtMostTwoKilobytes) {
  HttpRequest r;
  r.headers = {{"x-amz-meta-a", std::string(2047, 'v')}};
  EXPECT_TRUE(check_user_metadata(r).ok());
  r.headers.emplace_back("x-amz-meta-b", "v");
  EXPECT_EQ(code_of(check_user_metadata(r)), "MetadataTooLarge");
  EXPECT_EQ(error_info(check_user_metadata(r)).http_status, 400);
}

// Whatever passes the check can be stored: 2 KB of metadata as 1,000 one-byte headers (256 short
// ones failed to decode after their blocks were written, and the PUT answered 503), or as one
// long name. A standard header past the entry's bound is refused before any effect.
TEST(UserMetadata, WhatPassesTheCheckIsStoredAndReadBack) {
  for (const Headers& meta : {[] {
                                Headers h;
                                for (int i = 0; i < 1000; ++i) h.emplace_back(absl::StrCat("x-amz-meta-", i % 10), "v");
                                return h;
                              }(),
                              Headers{{"x-amz-meta-" + std::string(2000, 'n'), "v"}}}) {
    HttpRequest r;
    r.headers = meta;
    r.headers.emplace_back("content-disposition", std::string(kMaxStoredHeaderValue, 'd'));
    ASSERT_TRUE(check_user_metadata(r).ok());
    ObjectVersion v;
    v.uuid = std::string(16, 'u');
    v.state = VersionState::kComplete;
    v.meta.headers = stored_headers(r);
    const ObjectEntry entry{{v}};
    absl::StatusOr<ObjectEntry> back = ObjectEntry::decode(entry.encode());
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->versions.at(0).meta.headers, v.meta.headers);
  }
  HttpRequest big;
  big.headers = {{"content-disposition", std::string(kMaxStoredHeaderValue + 1, 'd')}};
  EXPECT_EQ(code_of(check_user_metadata(big)), "RequestHeaderSectionTooLarge");
  EXPECT_EQ(error_info(check_user_metadata(big)).http_status, 400);
}

}  // namespace
}  // namespace garage::s3
