// CORS rules (s3/cors.h): what a configuration may hold, how a request is matched against it,
// and the headers a matched request gets; and the routes that reach them.
#include "s3/cors.h"

#include <gtest/gtest.h>

#include "s3/errors.h"
#include "tests/route_for.h"

namespace garage::s3 {
namespace {

std::string code_of(const absl::Status& s) { return error_info(s).code; }

std::optional<std::string> header_of(const HttpResponse& r, absl::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

constexpr char kTwoRules[] = R"(<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <ID>app</ID>
    <AllowedOrigin>https://app.example.com</AllowedOrigin>
    <AllowedOrigin>https://*.example.org</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>Content-Type</AllowedHeader>
    <AllowedHeader>x-amz-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
  </CORSRule>
</CORSConfiguration>)";

TEST(Cors, AConfigurationParsesAndWritesBackToTheSameRules) {
  absl::StatusOr<CorsRules> rules = parse_cors_configuration(kTwoRules);
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 2u);
  const CorsRule& app = (*rules)[0];
  EXPECT_EQ(app.id, "app");
  EXPECT_EQ(app.allowed_origins, (std::vector<std::string>{"https://app.example.com", "https://*.example.org"}));
  EXPECT_EQ(app.allowed_methods, (std::vector<std::string>{"GET", "PUT"}));
  EXPECT_EQ(app.allowed_headers, (std::vector<std::string>{"content-type", "x-amz-*"})) << "lowercased";
  EXPECT_EQ(app.expose_headers, (std::vector<std::string>{"ETag"}));
  EXPECT_EQ(app.max_age_seconds, std::optional<int64_t>(3000));
  EXPECT_FALSE((*rules)[1].max_age_seconds.has_value());

  const std::string written = cors_configuration_xml(*rules);
  absl::StatusOr<CorsRules> again = parse_cors_configuration(written);
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << written;
  EXPECT_EQ(cors_configuration_xml(*again), written);
  EXPECT_EQ((*again)[0].allowed_headers, app.allowed_headers);
  EXPECT_NE(written.find("<MaxAgeSeconds>3000</MaxAgeSeconds>"), std::string::npos) << written;
}

TEST(Cors, WhatAwsRefusesIsRefused) {
  auto rule = [](std::string inner) {
    return "<CORSConfiguration><CORSRule>" + inner + "</CORSRule></CORSConfiguration>";
  };
  EXPECT_EQ(code_of(parse_cors_configuration("not xml").status()), "MalformedXML");
  EXPECT_EQ(code_of(parse_cors_configuration("<CORSConfiguration/>").status()), "MalformedXML") << "no rule";
  EXPECT_EQ(code_of(parse_cors_configuration("<Other><CORSRule/></Other>").status()), "MalformedXML");
  EXPECT_EQ(code_of(parse_cors_configuration(rule("<AllowedMethod>GET</AllowedMethod>")).status()), "MalformedXML")
      << "no origin";
  EXPECT_EQ(code_of(parse_cors_configuration(rule("<AllowedOrigin>*</AllowedOrigin>")).status()), "MalformedXML")
      << "no method";
  absl::Status patch =
      parse_cors_configuration(rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>")).status();
  EXPECT_EQ(code_of(patch), "InvalidRequest");
  EXPECT_NE(patch.message().find("Unsupported method is PATCH"), absl::string_view::npos) << patch;
  EXPECT_EQ(
      code_of(parse_cors_configuration(
                  rule("<AllowedOrigin>https://*.*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"))
                  .status()),
      "InvalidRequest")
      << "two wildcards in an origin";
  EXPECT_EQ(code_of(parse_cors_configuration(rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</"
                                                  "AllowedMethod><AllowedHeader>*-*</AllowedHeader>"))
                        .status()),
            "InvalidRequest")
      << "two wildcards in a header";
  EXPECT_EQ(code_of(parse_cors_configuration(rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</"
                                                  "AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds>"))
                        .status()),
            "MalformedXML");
  std::string many = "<CORSConfiguration>";
  for (size_t i = 0; i <= kMaxCorsRules; ++i)
    many += "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>";
  many += "</CORSConfiguration>";
  EXPECT_EQ(code_of(parse_cors_configuration(many).status()), "InvalidRequest") << "101 rules";
  EXPECT_EQ(code_of(parse_cors_configuration(std::string(kMaxCorsConfigurationBytes + 1, ' ')).status()),
            "InvalidRequest");
}

TEST(Cors, PatternsHoldOneWildcard) {
  EXPECT_TRUE(cors_pattern_matches("*", "", false));
  EXPECT_TRUE(cors_pattern_matches("*", "https://anything", false));
  EXPECT_TRUE(cors_pattern_matches("https://*.example.org", "https://a.b.example.org", false));
  EXPECT_FALSE(cors_pattern_matches("https://*.example.org", "https://example.org", false));
  EXPECT_FALSE(cors_pattern_matches("https://*.example.org", "http://a.example.org", false));
  EXPECT_FALSE(cors_pattern_matches("https://*.example.org", "https://a.example.org.evil.com", false));
  EXPECT_TRUE(cors_pattern_matches("ab*ba", "aba", false) == false) << "prefix and suffix may not overlap";
  EXPECT_TRUE(cors_pattern_matches("ab*ba", "abba", false));
  EXPECT_TRUE(cors_pattern_matches("x-amz-*", "X-AMZ-DATE", true));
  EXPECT_FALSE(cors_pattern_matches("https://App.example.com", "https://app.example.com", false));
  EXPECT_TRUE(cors_pattern_matches("Content-Type", "content-type", true));
}

TEST(Cors, TheFirstRuleAllowingOriginMethodAndHeadersWins) {
  const CorsRules rules = *parse_cors_configuration(kTwoRules);
  const CorsRule* put = match_cors_rule(rules, "https://app.example.com", "PUT", {"content-type", "x-amz-date"});
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->id, "app");
  EXPECT_EQ(match_cors_rule(rules, "https://app.example.com", "PUT", {"authorization"}), nullptr)
      << "a header no rule allows";
  EXPECT_EQ(match_cors_rule(rules, "https://elsewhere.com", "PUT", {}), nullptr) << "PUT only for the app";
  const CorsRule* get = match_cors_rule(rules, "https://elsewhere.com", "GET", {});
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->allowed_origins[0], "*");
  EXPECT_EQ(match_cors_rule(rules, "https://elsewhere.com", "DELETE", {}), nullptr);
  EXPECT_EQ(match_cors_rule(rules, "https://x.example.org", "GET", {"content-type"})->id, "app");
  EXPECT_EQ(parse_request_headers(" Content-Type , X-Amz-Date,,"),
            (std::vector<std::string>{"content-type", "x-amz-date"}));
}

TEST(Cors, HeadersAsAwsSendsThem) {
  const CorsRules rules = *parse_cors_configuration(kTwoRules);
  HttpResponse preflight;
  add_cors_headers(preflight, rules[0], "https://app.example.com", {"content-type"}, true);
  EXPECT_EQ(header_of(preflight, "access-control-allow-origin"), "https://app.example.com");
  EXPECT_EQ(header_of(preflight, "access-control-allow-credentials"), "true");
  EXPECT_EQ(header_of(preflight, "access-control-allow-methods"), "GET, PUT");
  EXPECT_EQ(header_of(preflight, "access-control-allow-headers"), "content-type");
  EXPECT_EQ(header_of(preflight, "access-control-expose-headers"), "ETag");
  EXPECT_EQ(header_of(preflight, "access-control-max-age"), "3000");
  EXPECT_TRUE(header_of(preflight, "vary").has_value());

  HttpResponse actual;
  add_cors_headers(actual, rules[1], "https://elsewhere.com", {}, false);
  EXPECT_EQ(header_of(actual, "access-control-allow-origin"), "*") << "the rule allows every origin";
  EXPECT_FALSE(header_of(actual, "access-control-allow-credentials").has_value());
  EXPECT_FALSE(header_of(actual, "access-control-max-age").has_value()) << "preflight only";
  EXPECT_FALSE(header_of(actual, "access-control-expose-headers").has_value());
}

TEST(Cors, RoutesReachTheCorsAndAclEndpoints) {
  const auto route = route_for;
  EXPECT_EQ(route("GET", "/b?cors")->endpoint, Endpoint::kGetBucketCors);
  EXPECT_EQ(route("PUT", "/b?cors")->endpoint, Endpoint::kPutBucketCors);
  EXPECT_EQ(route("DELETE", "/b?cors")->endpoint, Endpoint::kDeleteBucketCors);
  EXPECT_EQ(route("OPTIONS", "/b/some/key")->endpoint, Endpoint::kPreflight);
  EXPECT_EQ(route("OPTIONS", "/b")->endpoint, Endpoint::kPreflight);
  EXPECT_EQ(code_of(route("OPTIONS", "/").status()), "MethodNotAllowed");
  EXPECT_EQ(route("GET", "/b?acl")->endpoint, Endpoint::kGetBucketAcl);
  EXPECT_EQ(route("GET", "/b/k?acl")->endpoint, Endpoint::kGetObjectAcl);
  EXPECT_EQ(route("PUT", "/b?acl")->endpoint, Endpoint::kPutBucketAcl) << "canned ACLs only (S3Api::put_bucket_acl)";
  EXPECT_EQ(code_of(route("PUT", "/b/k?acl").status()), "NotImplemented") << "ACL writes are not silently accepted";
  EXPECT_EQ(route("PUT", "/b")->endpoint, Endpoint::kCreateBucket);
  EXPECT_EQ(route("DELETE", "/b")->endpoint, Endpoint::kDeleteBucket);
}

}  // namespace
}  // namespace garage::s3
