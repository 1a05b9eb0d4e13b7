// The S3 front end's one rights check (S3Api::permits): a key's grants, and what a bucket lets
// anyone do without a signature (AnonymousAccess); and the canned ACLs that set the latter.
#include <gtest/gtest.h>

#include "s3/api.h"
#include "s3/errors.h"

namespace garage::s3 {
namespace {

using Access = S3Api::Access;
constexpr Access kEvery[] = {Access::kReadObjects, Access::kList, Access::kRead, Access::kWrite, Access::kOwner};

TEST(Rights, AnonymousRequestsGetOnlyWhatTheBucketLetsAnyoneDo) {
  BucketInfo bucket{"b1", "media"};
  for (Access a : kEvery) EXPECT_FALSE(S3Api::permits(nullptr, bucket, a)) << "a private bucket";
  bucket.anonymous = AnonymousAccess{true, false};
  EXPECT_TRUE(S3Api::permits(nullptr, bucket, Access::kReadObjects));
  for (Access a : {Access::kList, Access::kRead, Access::kWrite, Access::kOwner})
    EXPECT_FALSE(S3Api::permits(nullptr, bucket, a)) << static_cast<int>(a);
  bucket.anonymous = AnonymousAccess{true, true};
  EXPECT_TRUE(S3Api::permits(nullptr, bucket, Access::kList));
  for (Access a : {Access::kRead, Access::kWrite, Access::kOwner})
    EXPECT_FALSE(S3Api::permits(nullptr, bucket, a)) << "configurations, tags, writes stay the keys'";
}

TEST(Rights, KeysHaveTheirGrantsAndWhatAnyoneHas) {
  BucketInfo bucket{"b1", "media"};
  KeyInfo reader{"GK1", "reader"};
  reader.buckets["b1"] = Perms{true, false, false};
  KeyInfo stranger{"GK2", "stranger"};
  stranger.buckets["other"] = Perms{true, true, true};
  for (Access a : {Access::kReadObjects, Access::kList, Access::kRead})
    EXPECT_TRUE(S3Api::permits(&reader, bucket, a)) << static_cast<int>(a);
  EXPECT_FALSE(S3Api::permits(&reader, bucket, Access::kWrite));
  EXPECT_FALSE(S3Api::permits(&reader, bucket, Access::kOwner));
  for (Access a : kEvery) EXPECT_FALSE(S3Api::permits(&stranger, bucket, a)) << "grants elsewhere count for nothing";
  bucket.anonymous = AnonymousAccess{true, true};
  EXPECT_TRUE(S3Api::permits(&stranger, bucket, Access::kReadObjects)) << "a public bucket is public to keys too";
  EXPECT_FALSE(S3Api::permits(&stranger, bucket, Access::kWrite));
}

TEST(Rights, CannedAclsArePrivateOrPublicReadAndNothingElseIsSilentlyAccepted) {
  auto acl_of = [](std::vector<std::pair<std::string, std::string>> headers) {
    HttpRequest r;
    r.headers = std::move(headers);
    return S3Api::canned_acl_of(r);
  };
  EXPECT_FALSE(acl_of({})->has_value());
  EXPECT_EQ(**acl_of({{"x-amz-acl", "private"}}), AnonymousAccess{});
  EXPECT_EQ(**acl_of({{"x-amz-acl", "public-read"}}), (AnonymousAccess{true, true}));
  EXPECT_EQ(error_info(acl_of({{"x-amz-acl", "public-read-write"}}).status()).code, "NotImplemented");
  EXPECT_EQ(
      error_info(acl_of({{"x-amz-grant-read", "uri=http://acs.amazonaws.com/groups/global/AllUsers"}}).status()).code,
      "NotImplemented");
}

}  // namespace
}  // namespace garage::s3
