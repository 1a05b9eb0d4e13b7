// Conditional requests (s3/conditions.h): the entity-tag forms, the three HTTP date forms, and
// RFC 7232's order of evaluation, for GET and for a copy's source.
#include "s3/conditions.h"

#include <gtest/gtest.h>

namespace garage::s3 {
namespace {

constexpr char kEtag[] = "9bb58f26192e4ba00f01e2e7b136bbd8";
// 2024-01-02 03:04:05 UTC, and its three HTTP forms.
constexpr int64_t kModifiedMs = 1704164645'000 + 999;  // sub-second part ignored
constexpr char kImf[] = "Tue, 02 Jan 2024 03:04:05 GMT";
constexpr char kRfc850[] = "Tuesday, 02-Jan-24 03:04:05 GMT";
constexpr char kAsctime[] = "Tue Jan  2 03:04:05 2024";
constexpr char kEarlier[] = "Tue, 02 Jan 2024 03:04:04 GMT";

TEST(Conditions, EntityTagForms) {
  EXPECT_TRUE(etag_matches("\"9bb58f26192e4ba00f01e2e7b136bbd8\"", kEtag));
  EXPECT_TRUE(etag_matches("9bb58f26192e4ba00f01e2e7b136bbd8", kEtag));
  EXPECT_TRUE(etag_matches("*", kEtag));
  EXPECT_TRUE(etag_matches("W/\"9bb58f26192e4ba00f01e2e7b136bbd8\"", kEtag));
  EXPECT_TRUE(etag_matches("\"other\", \"9bb58f26192e4ba00f01e2e7b136bbd8\"", kEtag));
  EXPECT_FALSE(etag_matches("\"other\"", kEtag));
  EXPECT_FALSE(etag_matches("", kEtag));
  EXPECT_FALSE(etag_matches("\"9bb58f26192e4ba00f01e2e7b136bbd\"", kEtag));  // one digit short
}

TEST(Conditions, TheThreeHttpDateForms) {
  for (const char* form : {kImf, kRfc850, kAsctime}) {
    std::optional<absl::Time> t = parse_http_date(form);
    ASSERT_TRUE(t.has_value()) << form;
    EXPECT_EQ(absl::ToUnixSeconds(*t), kModifiedMs / 1000) << form;
  }
  EXPECT_FALSE(parse_http_date("yesterday").has_value());
  EXPECT_FALSE(parse_http_date("2024-01-02T03:04:05Z").has_value());
}

ConditionOutcome get(Conditions c) { return evaluate(c, kEtag, kModifiedMs); }

TEST(Conditions, EachHeaderAlone) {
  EXPECT_EQ(get({}), ConditionOutcome::kProceed);
  EXPECT_EQ(get({.if_match = kEtag}), ConditionOutcome::kProceed);
  EXPECT_EQ(get({.if_match = "\"x\""}), ConditionOutcome::kPreconditionFailed);
  EXPECT_EQ(get({.if_none_match = kEtag}), ConditionOutcome::kNotModified);
  EXPECT_EQ(get({.if_none_match = "\"x\""}), ConditionOutcome::kProceed);
  EXPECT_EQ(get({.if_modified_since = kImf}), ConditionOutcome::kNotModified);  // same second
  EXPECT_EQ(get({.if_modified_since = kEarlier}), ConditionOutcome::kProceed);
  EXPECT_EQ(get({.if_unmodified_since = kImf}), ConditionOutcome::kProceed);
  EXPECT_EQ(get({.if_unmodified_since = kEarlier}), ConditionOutcome::kPreconditionFailed);
  // A date that does not parse is ignored (RFC 7232 section 3.3, 3.4).
  EXPECT_EQ(get({.if_modified_since = "soon"}), ConditionOutcome::kProceed);
  EXPECT_EQ(get({.if_unmodified_since = "soon"}), ConditionOutcome::kProceed);
}

TEST(Conditions, TheOrderRfc7232AndS3Give) {
  // If-Match true: If-Unmodified-Since is not looked at (S3: "200 OK and copies the data").
  EXPECT_EQ(get({.if_match = kEtag, .if_unmodified_since = kEarlier}), ConditionOutcome::kProceed);
  // If-None-Match false: If-Modified-Since is not looked at (S3: 304, or 412 for a copy).
  EXPECT_EQ(get({.if_none_match = kEtag, .if_modified_since = kEarlier}), ConditionOutcome::kNotModified);
  // If-None-Match true wins over an If-Modified-Since that would say not modified.
  EXPECT_EQ(get({.if_none_match = "\"x\"", .if_modified_since = kImf}), ConditionOutcome::kProceed);
  // A failed If-Match comes before any not-modified answer.
  EXPECT_EQ(get({.if_match = "\"x\"", .if_none_match = kEtag}), ConditionOutcome::kPreconditionFailed);
}

TEST(Conditions, ReadFromTheRequestUnderEitherPrefix) {
  HttpRequest r;
  r.headers = {{"if-match", "a"},
               {"x-amz-copy-source-if-none-match", "b"},
               {"x-amz-copy-source-if-modified-since", kImf},
               {"if-unmodified-since", kEarlier}};
  const Conditions get_side = conditions_of(r, kGetConditions);
  EXPECT_EQ(get_side.if_match, "a");
  EXPECT_EQ(get_side.if_unmodified_since, kEarlier);
  EXPECT_FALSE(get_side.if_none_match.has_value());
  const Conditions copy_side = conditions_of(r, kCopySourceConditions);
  EXPECT_EQ(copy_side.if_none_match, "b");
  EXPECT_EQ(copy_side.if_modified_since, kImf);
  EXPECT_FALSE(copy_side.if_match.has_value());
  EXPECT_FALSE(copy_side.if_unmodified_since.has_value());
}

}  // namespace
}  // namespace garage::s3
