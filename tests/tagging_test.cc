// Tags (s3/tagging.h): the XML document and the x-amz-tagging header, AWS's limits on both, and
// the routes that reach the tagging endpoints.
#include "s3/tagging.h"

#include <gtest/gtest.h>

#include "s3/errors.h"
#include "tests/route_for.h"

namespace garage::s3 {
namespace {

std::string code_of(const absl::Status& s) { return error_info(s).code; }

std::string document(const TagSet& tags) {
  std::string xml = "<Tagging><TagSet>";
  for (const auto& [k, v] : tags) xml += "<Tag><Key>" + k + "</Key><Value>" + v + "</Value></Tag>";
  return xml + "</TagSet></Tagging>";
}

TEST(Tagging, ADocumentParsesAndWritesBackToTheSameTags) {
  const TagSet two = {{"project", "blue"}, {"empty", ""}};
  absl::StatusOr<TagSet> tags = parse_tagging_xml(
      R"(<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>
           <Tag><Key>project</Key><Value>blue</Value></Tag>
           <Tag><Key>empty</Key><Value></Value></Tag>
         </TagSet></Tagging>)",
      TagTarget::kObject);
  ASSERT_TRUE(tags.ok()) << tags.status();
  EXPECT_EQ(*tags, two);
  const std::string written = tagging_xml(*tags);
  EXPECT_NE(written.find("<Tag><Key>project</Key><Value>blue</Value></Tag>"), std::string::npos) << written;
  absl::StatusOr<TagSet> back = parse_tagging_xml(written, TagTarget::kObject);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, two);
  // An empty set is a set (DeleteObjectTagging's effect, as PutObjectTagging of none).
  absl::StatusOr<TagSet> none = parse_tagging_xml("<Tagging><TagSet/></Tagging>", TagTarget::kObject);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  // Special characters survive the round trip (escaped in XML).
  const TagSet odd = {{"a&b", "<x> \"y\""}, {"caf\xc3\xa9", "\xe2\x9c\x93"}};
  absl::StatusOr<TagSet> odd_back = parse_tagging_xml(tagging_xml(odd), TagTarget::kObject);
  ASSERT_TRUE(odd_back.ok()) << odd_back.status();
  EXPECT_EQ(*odd_back, odd);
}

TEST(Tagging, MalformedDocumentsAreRefused) {
  EXPECT_EQ(code_of(parse_tagging_xml("not xml", TagTarget::kObject).status()), "MalformedXML");
  EXPECT_EQ(code_of(parse_tagging_xml("<Other/>", TagTarget::kObject).status()), "MalformedXML");
  EXPECT_EQ(code_of(parse_tagging_xml("<Tagging/>", TagTarget::kObject).status()), "MalformedXML");
  EXPECT_EQ(code_of(parse_tagging_xml("<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>", TagTarget::kObject)
                        .status()),
            "MalformedXML")
      << "a Tag without a Value";
  EXPECT_EQ(code_of(parse_tagging_xml("<Tagging><TagSet><Label/></TagSet></Tagging>", TagTarget::kObject).status()),
            "MalformedXML");
  EXPECT_EQ(code_of(parse_tagging_xml(std::string(kMaxTaggingDocumentBytes + 1, ' '), TagTarget::kObject).status()),
            "MalformedXML");
}

TEST(Tagging, AwsLimitsAreEnforced) {
  TagSet ten, eleven;
  for (int i = 0; i < 11; ++i) (i < 10 ? ten : eleven).emplace_back("k" + std::to_string(i), "v");
  eleven.insert(eleven.begin(), ten.begin(), ten.end());
  EXPECT_TRUE(parse_tagging_xml(document(ten), TagTarget::kObject).ok());
  EXPECT_EQ(code_of(parse_tagging_xml(document(eleven), TagTarget::kObject).status()), "InvalidTag");
  EXPECT_TRUE(parse_tagging_xml(document(eleven), TagTarget::kBucket).ok()) << "a bucket holds up to 50";
  TagSet fifty_one;
  for (int i = 0; i < 51; ++i) fifty_one.emplace_back("k" + std::to_string(i), "v");
  EXPECT_EQ(code_of(parse_tagging_xml(document(fifty_one), TagTarget::kBucket).status()), "InvalidTag");

  // Lengths count characters: 128 two-byte characters are a valid key, 129 are not.
  std::string key128, key129 = "x";
  for (int i = 0; i < 128; ++i) key128 += "\xc3\xa9";
  key129 += key128;
  EXPECT_TRUE(parse_tagging_xml(document({{key128, "v"}}), TagTarget::kObject).ok());
  EXPECT_EQ(code_of(parse_tagging_xml(document({{key129, "v"}}), TagTarget::kObject).status()), "InvalidTag");
  EXPECT_TRUE(parse_tagging_xml(document({{"k", std::string(256, 'v')}}), TagTarget::kObject).ok());
  EXPECT_EQ(code_of(parse_tagging_xml(document({{"k", std::string(257, 'v')}}), TagTarget::kObject).status()),
            "InvalidTag");
  EXPECT_EQ(code_of(parse_tagging_xml(document({{"", "v"}}), TagTarget::kObject).status()), "InvalidTag");
  EXPECT_EQ(code_of(parse_tagging_xml(document({{"aws:cloudformation", "v"}}), TagTarget::kObject).status()),
            "InvalidTag");
  EXPECT_EQ(code_of(parse_tagging_xml(document({{"k", "1"}, {"k", "2"}}), TagTarget::kObject).status()), "InvalidTag");
}

TEST(Tagging, TheHeaderIsAFormEncodedQuery) {
  absl::StatusOr<TagSet> tags = parse_tagging_header("project=blue&team=a%20b+c&flag&x=1%3D2%262");
  ASSERT_TRUE(tags.ok()) << tags.status();
  const TagSet want = {{"project", "blue"}, {"team", "a b c"}, {"flag", ""}, {"x", "1=2&2"}};
  EXPECT_EQ(*tags, want);
  EXPECT_TRUE(parse_tagging_header("")->empty());
  EXPECT_EQ(code_of(parse_tagging_header("a=1&a=2").status()), "InvalidTag");
  EXPECT_EQ(code_of(parse_tagging_header("=v").status()), "InvalidTag");
  EXPECT_EQ(code_of(parse_tagging_header("k=%ff").status()), "InvalidTag") << "not UTF-8";
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "k" + std::to_string(i) + "=v&";
  EXPECT_EQ(code_of(parse_tagging_header(eleven).status()), "InvalidTag");
}

TEST(Tagging, RoutesReachTheTaggingEndpoints) {
  const auto route = route_for;
  EXPECT_EQ(route("GET", "/b?tagging")->endpoint, Endpoint::kGetBucketTagging);
  EXPECT_EQ(route("PUT", "/b?tagging")->endpoint, Endpoint::kPutBucketTagging);
  EXPECT_EQ(route("DELETE", "/b?tagging")->endpoint, Endpoint::kDeleteBucketTagging);
  EXPECT_EQ(route("GET", "/b/k?tagging")->endpoint, Endpoint::kGetObjectTagging);
  EXPECT_EQ(route("PUT", "/b/k?tagging")->endpoint, Endpoint::kPutObjectTagging);
  EXPECT_EQ(route("DELETE", "/b/k?tagging")->endpoint, Endpoint::kDeleteObjectTagging);
  EXPECT_EQ(code_of(route("POST", "/b/k?tagging").status()), "MethodNotAllowed");
  EXPECT_EQ(route("PUT", "/b/k")->endpoint, Endpoint::kPutObject) << "x-amz-tagging rides on a plain PUT";
  EXPECT_EQ(route("GET", "/b/k?attributes")->endpoint, Endpoint::kGetObjectAttributes);
}

}  // namespace
}  // namespace garage::s3
