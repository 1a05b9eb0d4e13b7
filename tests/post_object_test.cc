// POST Object's pieces without a server: the multipart/form-data reader (any split of the body
// reads the same; a file streams; malformed forms are refused), the policy document (AWS's
// examples parse; each condition holds or fails as S3 says) and the signature over the policy.
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "piecewise_body.h"
#include "runtime_harness.h"
#include "s3/auth.h"
#include "s3/errors.h"
#include "s3/form_data.h"
#include "s3/post_policy.h"

namespace garage::s3 {
namespace {

std::string code_of(const absl::Status& s) { return error_info(s).code; }

constexpr char kBoundary[] = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string form(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& file) {
  std::string out;
  for (const auto& [name, value] : fields)
    absl::StrAppend(&out, "--", kBoundary, "\r\nContent-Disposition: form-data; name=\"", name, "\"\r\n\r\n", value,
                    "\r\n");
  absl::StrAppend(&out, "--", kBoundary,
                  "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat \\\"1\\\".jpg\"\r\n"
                  "Content-Type: image/jpeg\r\n\r\n",
                  file, "\r\n--", kBoundary, "--\r\n");
  return out;
}

// Every part: its name and content (a file's filename after a '|'), or the error reading it.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> read_form(BodySource& body) {
  testing::RuntimeHarness h;
  FormDataReader reader(body, kBoundary);
  auto task = [&]() -> Task<absl::StatusOr<std::vector<std::pair<std::string, std::string>>>> {
    std::vector<std::pair<std::string, std::string>> parts;
    for (;;) {
      absl::StatusOr<std::optional<FormPart>> part = co_await reader.next_part();
      if (!part.ok()) co_return part.status();
      if (!part->has_value()) co_return parts;
      absl::StatusOr<std::string> value = co_await reader.read_value(1 << 20);
      if (!value.ok()) co_return value.status();
      std::string name = (*part)->name;
      if ((*part)->filename) absl::StrAppend(&name, "|", *(*part)->filename, "|", (*part)->content_type);
      parts.emplace_back(name, *value);
    }
  };
  return h.run(task());
}

TEST(FormData, AnySplitOfTheBodyReadsTheSameParts) {
  // The file holds what a delimiter starts with, at its start, middle and end.
  // (A whole delimiter cannot be in a part: RFC 2046 has the sender choose a boundary that is not.)
  const std::string file =
      absl::StrCat("\r\n--", "x\r\n-", std::string(100, 'z'), "\r\n--", std::string(kBoundary).substr(0, 30), "z",
                   "\r\n--", std::string(kBoundary).substr(0, 10));
  const std::string body = form({{"key", "user/${filename}"}, {"empty", ""}}, file);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"key", "user/${filename}"}, {"empty", ""}, {"file|cat \"1\".jpg|image/jpeg", file}};
  for (size_t piece = 1; piece <= body.size(); piece += (piece < 80 ? 1 : 37)) {
    PiecewiseBody source(body, piece);
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> got = read_form(source);
    ASSERT_TRUE(got.ok()) << piece << ": " << got.status();
    EXPECT_EQ(*got, want) << "pieces of " << piece;
  }
}

TEST(FormData, APreambleTransportPaddingAndAHeaderlessPartAreAccepted) {
  const std::string body = absl::StrCat(
      "preamble\r\n--", kBoundary, " \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--", kBoundary, "--");
  PiecewiseBody source(body, 7);
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> got = read_form(source);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, (std::vector<std::pair<std::string, std::string>>{{"a", "1"}}));
}

TEST(FormData, MalformedFormsAreRefused) {
  const std::string b = kBoundary;
  const std::string good_part = absl::StrCat("--", b, "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "no boundary at all"},
      {std::string(4000, 'x'), "a long preamble and no boundary"},
      {absl::StrCat("x--", b, "\r\n"), "the first boundary in the middle of a line"},
      {absl::StrCat("--", b), "the body ends at a boundary"},
      {absl::StrCat("--", b, "xx"), "a boundary followed by something else"},
      {absl::StrCat("--", b, "\r\nContent-Disposition: form-data; name=\"a\""), "the body ends in the headers"},
      {absl::StrCat("--", b, "\r\nContent-Type: text/plain\r\n\r\nv\r\n--", b, "--"), "a part without a name"},
      {absl::StrCat("--", b, "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--", b, "--"),
       "not form-data"},
      {absl::StrCat("--", b, "\r\nno colon here\r\n\r\nv\r\n--", b, "--"), "a header line without a colon"},
      {absl::StrCat("--", b, "\r\nX-Big: ", std::string(9000, 'h'), "\r\n\r\nv\r\n--", b, "--"), "huge headers"},
      {good_part, "the body ends inside a part"},
  };
  for (const auto& [body, why] : cases) {
    // Pieces of 64 bytes: the sanitizer build has no tail calls between coroutines, and a few
    // thousand reads that complete at once would overflow its stack (runtime/task.h).
    PiecewiseBody source(body, 64);
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> got = read_form(source);
    ASSERT_FALSE(got.ok()) << why;
    EXPECT_EQ(code_of(got.status()), "MalformedPOSTRequest") << why << ": " << got.status();
  }
}

TEST(FormData, AFieldPastItsLimitIsRefusedAndAFileStreams) {
  testing::RuntimeHarness h;
  // A field larger than read_value's limit.
  {
    PiecewiseBody source(form({{"policy", std::string(5000, 'p')}}, "f"), 1000);
    FormDataReader reader(source, kBoundary);
    ASSERT_TRUE(h.run(reader.next_part()).ok());
    EXPECT_EQ(code_of(h.run(reader.read_value(4096)).status()), "MaxPostPreDataLengthExceededError");
  }
  // An 8 MiB file: its first bytes come out after a bounded read, not after the whole file.
  const std::string file(8 << 20, 'f');
  PiecewiseBody source(form({{"key", "k"}}, file), 1 << 20);
  FormDataReader reader(source, kBoundary);
  ASSERT_TRUE(h.run(reader.next_part()).ok());
  ASSERT_EQ(*h.run(reader.read_value(100)), "k");
  absl::StatusOr<std::optional<FormPart>> part = h.run(reader.next_part());
  ASSERT_TRUE(part.ok() && part->has_value());
  absl::StatusOr<std::string> first = h.run(reader.content().read(1 << 20));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->empty());
  EXPECT_LE(source.given(), size_t{3} << 20) << "the reader held more than a few pieces";
  uint64_t total = first->size();
  for (;;) {
    absl::StatusOr<std::string> piece = h.run(reader.content().read(1 << 20));
    ASSERT_TRUE(piece.ok()) << piece.status();
    if (piece->empty()) break;
    total += piece->size();
  }
  EXPECT_EQ(total, file.size());
  EXPECT_FALSE(h.run(reader.next_part())->has_value()) << "the closing boundary ends the form";
}

TEST(FormData, ContentTypesAndDispositions) {
  EXPECT_EQ(*FormDataReader::boundary_of("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*FormDataReader::boundary_of("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\""), "a b:c");
  for (const char* bad : {"", "text/plain; boundary=abc", "multipart/form-data",
                          "multipart/form-data; boundary=", "multipart/mixed; boundary=abc"})
    EXPECT_EQ(code_of(FormDataReader::boundary_of(bad).status()), "MalformedPOSTRequest") << bad;
  EXPECT_FALSE(FormDataReader::boundary_of(absl::StrCat("multipart/form-data; boundary=", std::string(71, 'b'))).ok());
  const char* d = "form-data; name=\"a;b\"; filename=\"x \\\"y\\\".txt\"; FileName2=z";
  EXPECT_EQ(disposition_parameter(d, "name"), "a;b");
  EXPECT_EQ(disposition_parameter(d, "filename"), "x \"y\".txt");
  EXPECT_EQ(disposition_parameter(d, "filename2"), "z");
  EXPECT_EQ(disposition_parameter(d, "form-data"), std::nullopt);
  EXPECT_EQ(disposition_parameter("form-data", "name"), std::nullopt);
}

std::string b64(absl::string_view s) { return absl::Base64Escape(s); }
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 12, 7, 10, 0, 0), absl::UTCTimeZone());

TEST(PostPolicy, TheDocumentationsExamplesParse) {
  // AWS's "Creating a POST policy" examples, with both forms of equality.
  absl::StatusOr<PostPolicy> p = parse_post_policy(b64(R"({ "expiration": "2026-12-30T12:00:00.000Z",
    "conditions": [ {"acl": "public-read" }, {"bucket": "johnsmith" }, ["starts-with", "$key", "user/eric/"],
      ["eq", "$Content-Type", "image/jpeg"], ["content-length-range", 1048576, "10485760"],
      ["content-length-range", 0, 20000000] ] })"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->expiration, absl::FromCivil(absl::CivilSecond(2026, 12, 30, 12, 0, 0), absl::UTCTimeZone()));
  ASSERT_EQ(p->conditions.size(), 4u);
  EXPECT_EQ(p->conditions[0].field, "acl");
  EXPECT_EQ(p->conditions[2].op, PostPolicy::Condition::Op::kStartsWith);
  EXPECT_EQ(p->conditions[2].field, "key");
  EXPECT_EQ(p->conditions[3].field, "content-type") << "field names match without case";
  EXPECT_EQ(p->min_length, 1048576u);
  EXPECT_EQ(p->max_length, 10485760u) << "ranges narrow each other";
  EXPECT_TRUE(parse_post_policy(b64(R"({"expiration": "2026-12-30T12:00:00+01:00", "conditions": []})")).ok());
}

TEST(PostPolicy, MalformedPoliciesAreInvalidPolicyDocuments) {
  for (const std::string& bad : std::vector<std::string>{
           "!!not base64!!", b64("not json"), b64("[]"), b64(R"({"conditions": []})"),
           b64(R"({"expiration": "tomorrow", "conditions": []})"), b64(R"({"expiration": "2026-12-30T12:00:00Z"})"),
           b64(R"({"expiration": "2026-12-30T12:00:00Z", "conditions": [{"a": "1", "b": "2"}]})"),
           b64(R"({"expiration": "2026-12-30T12:00:00Z", "conditions": [{"a": 1}]})"),
           b64(R"({"expiration": "2026-12-30T12:00:00Z", "conditions": [["eq", "key", "x"]]})"),
           b64(R"({"expiration": "2026-12-30T12:00:00Z", "conditions": [["matches", "$key", "x"]]})"),
           b64(R"({"expiration": "2026-12-30T12:00:00Z", "conditions": [["content-length-range", 5, 1]]})"),
           b64(R"({"expiration": "2026-12-30T12:00:00Z", "conditions": [["content-length-range", -1, 1]]})"),
           b64(R"({"expiration": "2026-12-30T12:00:00Z", "conditions": ["eq"]})"), b64(std::string(100000, '['))}) {
    EXPECT_EQ(code_of(parse_post_policy(bad).status()), "InvalidPolicyDocument") << bad.substr(0, 80);
  }
}

TEST(PostPolicy, EveryFieldMeetsItsConditionsAndHasOne) {
  absl::StatusOr<PostPolicy> p = parse_post_policy(b64(R"({ "expiration": "2026-12-07T12:00:00Z",
    "conditions": [ {"bucket": "photos"}, ["starts-with", "$key", "user/eric/"],
      ["starts-with", "$Content-Type", "image/"], {"x-amz-credential": "GK1/20261207/garage/s3/aws4_request"} ] })"));
  ASSERT_TRUE(p.ok()) << p.status();
  FormFields fields = {{"key", "user/eric/cat.jpg"},
                       {"content-type", "image/jpeg"},
                       {"x-amz-credential", "GK1/20261207/garage/s3/aws4_request"},
                       {"policy", "..."},
                       {"x-amz-signature", "..."},
                       {"x-ignore-me", "anything"}};
  EXPECT_TRUE(check_post_policy(*p, fields, "photos", kNow).ok());
  auto refusal = [&](FormFields f, absl::string_view bucket, absl::Time now) {
    absl::Status s = check_post_policy(*p, f, bucket, now);
    EXPECT_EQ(code_of(s), "AccessDenied");
    return std::string(s.message());
  };
  EXPECT_EQ(refusal(fields, "photos", kNow + absl::Hours(3)), "Invalid according to Policy: Policy expired.");
  EXPECT_NE(refusal(fields, "other", kNow).find("[\"eq\", \"$bucket\", \"photos\"]"), std::string::npos);
  FormFields f = fields;
  f["key"] = "user/mallory/cat.jpg";
  EXPECT_NE(refusal(f, "photos", kNow).find("$key"), std::string::npos);
  f = fields;
  f["content-type"] = "image/png, text/html";
  EXPECT_NE(refusal(f, "photos", kNow).find("$content-type"), std::string::npos)
      << "every one of a list of types must match";
  f["content-type"] = "image/png,image/gif";
  EXPECT_TRUE(check_post_policy(*p, f, "photos", kNow).ok());
  f = fields;
  f.erase("content-type");
  EXPECT_NE(refusal(f, "photos", kNow).find("$content-type"), std::string::npos) << "a condition on a missing field";
  f = fields;
  f["x-amz-meta-owner"] = "mallory";
  EXPECT_EQ(refusal(f, "photos", kNow), "Invalid according to Policy: Extra input fields: x-amz-meta-owner");
}

TEST(PostAuth, TheSignatureCoversThePolicyWithTheKeysScope) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string policy = b64(R"({"expiration": "2026-12-07T12:00:00Z", "conditions": []})");
  const SigV4Scope scope{"20261207", "garage", "s3"};
  const std::string signature = signature_hex(signing_key(secret, scope), policy);
  PostAuthFields fields{"AWS4-HMAC-SHA256", "GK1/20261207/garage/s3/aws4_request", "20261207T093000Z", signature};
  absl::StatusOr<ParsedAuth> parsed = parse_post_auth(fields);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->key_id, "GK1");
  const AuthSettings settings{"garage"};
  EXPECT_TRUE(verify_post_auth(*parsed, secret, policy, settings).ok());
  EXPECT_EQ(code_of(verify_post_auth(*parsed, secret, policy + "Cg==", settings).status()), "SignatureDoesNotMatch");
  EXPECT_EQ(code_of(verify_post_auth(*parsed, "another secret", policy, settings).status()), "SignatureDoesNotMatch");
  EXPECT_EQ(code_of(verify_post_auth(*parsed, secret, policy, AuthSettings{"us-east-1"}).status()),
            "AuthorizationHeaderMalformed");
  ParsedAuth other_day = *parsed;
  other_day.amz_date = "20261208T093000Z";
  EXPECT_EQ(code_of(verify_post_auth(other_day, secret, policy, settings).status()), "SignatureDoesNotMatch");

  PostAuthFields missing = fields;
  missing.signature.reset();
  EXPECT_EQ(code_of(parse_post_auth(missing).status()), "AccessDenied");
  EXPECT_EQ(code_of(parse_post_auth(PostAuthFields{}).status()), "AccessDenied") << "no anonymous uploads";
  PostAuthFields v2;
  v2.sigv2 = true;
  EXPECT_EQ(code_of(parse_post_auth(v2).status()), "InvalidRequest");
  PostAuthFields hmac_sha1 = fields;
  hmac_sha1.algorithm = "AWS4-HMAC-SHA1";
  EXPECT_EQ(code_of(parse_post_auth(hmac_sha1).status()), "InvalidRequest");
  PostAuthFields bad_credential = fields;
  bad_credential.credential = "GK1/20261207/garage";
  EXPECT_EQ(code_of(parse_post_auth(bad_credential).status()), "InvalidRequest");
}

}  // namespace
}  // namespace garage::s3
