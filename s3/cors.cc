#include "s3/cors.h"

#include <algorithm>
#include <cassert>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
constexpr const char* kCorsMethods[] = {"GET", "PUT", "HEAD", "POST", "DELETE"};

absl::Status check_pattern(absl::string_view what, absl::string_view pattern) {
  if (std::count(pattern.begin(), pattern.end(), '*') > 1) {
    return s3_error(S3Code::kInvalidRequest,
                    absl::StrCat(what, " \"", pattern, "\" can not have more than one wildcard."));
  }
  return absl::OkStatus();
}

std::vector<std::string> texts_of(pugi::xml_node rule, const char* name) {
  std::vector<std::string> out;
  for (pugi::xml_node n : rule.children(name)) {
    out.emplace_back(absl::StripAsciiWhitespace(n.child_value()));
  }
  return out;
}

bool equals(absl::string_view a, absl::string_view b, bool ignore_case) {
  return ignore_case ? absl::EqualsIgnoreCase(a, b) : a == b;
}
}  // namespace

absl::StatusOr<CorsRules> parse_cors_configuration(absl::string_view xml) {
  if (xml.size() > kMaxCorsConfigurationBytes) {
    return s3_error(S3Code::kInvalidRequest, "The CORS configuration is larger than 64 KiB");
  }
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = parse_xml_root(doc, xml, "CORSConfiguration");
  if (!root.ok()) return root.status();
  CorsRules rules;
  for (pugi::xml_node n : root->children("CORSRule")) {
    if (rules.size() == kMaxCorsRules) {
      return s3_error(S3Code::kInvalidRequest,
                      absl::StrCat("a CORS configuration holds at most ", kMaxCorsRules, " rules"));
    }
    CorsRule rule;
    rule.id = std::string(absl::StripAsciiWhitespace(n.child_value("ID")));
    rule.allowed_origins = texts_of(n, "AllowedOrigin");
    rule.allowed_methods = texts_of(n, "AllowedMethod");
    rule.allowed_headers = texts_of(n, "AllowedHeader");
    for (std::string& h : rule.allowed_headers) absl::AsciiStrToLower(&h);
    rule.expose_headers = texts_of(n, "ExposeHeader");
    if (rule.allowed_origins.empty() || rule.allowed_methods.empty()) {
      return s3_error(S3Code::kMalformedXML, "every CORSRule needs an AllowedOrigin and an AllowedMethod");
    }
    for (const std::string& m : rule.allowed_methods) {
      if (std::none_of(std::begin(kCorsMethods), std::end(kCorsMethods), [&](const char* k) { return m == k; })) {
        return s3_error(S3Code::kInvalidRequest,
                        absl::StrCat("Found unsupported HTTP method in CORS config. Unsupported method is ", m));
      }
    }
    for (const std::string& o : rule.allowed_origins) {
      if (absl::Status s = check_pattern("AllowedOrigin", o); !s.ok()) return s;
    }
    for (const std::string& h : rule.allowed_headers) {
      if (absl::Status s = check_pattern("AllowedHeader", h); !s.ok()) return s;
    }
    if (pugi::xml_node age = n.child("MaxAgeSeconds")) {
      int64_t seconds = 0;
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(age.child_value()), &seconds) || seconds < 0) {
        return s3_error(S3Code::kMalformedXML, "MaxAgeSeconds must be a number of seconds");
      }
      rule.max_age_seconds = seconds;
    }
    rules.push_back(std::move(rule));
  }
  if (rules.empty()) return s3_error(S3Code::kMalformedXML, "a CORS configuration holds at least one CORSRule");
  return rules;
}

std::string cors_configuration_xml(const CorsRules& rules) {
  XmlOut x("CORSConfiguration");
  for (const CorsRule& rule : rules) {
    pugi::xml_node n = x.root().append_child("CORSRule");
    if (!rule.id.empty()) XmlOut::add(n, "ID", rule.id);
    for (const std::string& v : rule.allowed_origins) XmlOut::add(n, "AllowedOrigin", v);
    for (const std::string& v : rule.allowed_methods) XmlOut::add(n, "AllowedMethod", v);
    for (const std::string& v : rule.allowed_headers) XmlOut::add(n, "AllowedHeader", v);
    for (const std::string& v : rule.expose_headers) XmlOut::add(n, "ExposeHeader", v);
    if (rule.max_age_seconds) XmlOut::add(n, "MaxAgeSeconds", absl::StrCat(*rule.max_age_seconds));
  }
  return x.str();
}

bool cors_pattern_matches(absl::string_view pattern, absl::string_view text, bool ignore_case) {
  const size_t star = pattern.find('*');
  if (star == absl::string_view::npos) return equals(pattern, text, ignore_case);
  const absl::string_view prefix = pattern.substr(0, star), suffix = pattern.substr(star + 1);
  assert(suffix.find('*') == absl::string_view::npos);  // parse_cors_configuration refuses two
  return text.size() >= prefix.size() + suffix.size() && equals(text.substr(0, prefix.size()), prefix, ignore_case) &&
         equals(text.substr(text.size() - suffix.size()), suffix, ignore_case);
}

const CorsRule* match_cors_rule(const CorsRules& rules, absl::string_view origin, absl::string_view method,
                                const std::vector<std::string>& request_headers) {
  for (const CorsRule& rule : rules) {
    const bool origin_ok = std::any_of(rule.allowed_origins.begin(), rule.allowed_origins.end(),
                                       [&](const std::string& p) { return cors_pattern_matches(p, origin, false); });
    const bool method_ok =
        std::find(rule.allowed_methods.begin(), rule.allowed_methods.end(), method) != rule.allowed_methods.end();
    const bool headers_ok = std::all_of(request_headers.begin(), request_headers.end(), [&](const std::string& h) {
      return std::any_of(rule.allowed_headers.begin(), rule.allowed_headers.end(),
                         [&](const std::string& p) { return cors_pattern_matches(p, h, true); });
    });
    if (origin_ok && method_ok && headers_ok) return &rule;
  }
  return nullptr;
}

std::vector<std::string> parse_request_headers(absl::string_view header_value) {
  std::vector<std::string> out;
  for (absl::string_view h : absl::StrSplit(header_value, ',', absl::SkipWhitespace())) {
    out.push_back(absl::AsciiStrToLower(absl::StripAsciiWhitespace(h)));
  }
  return out;
}

void add_cors_headers(HttpResponse& response, const CorsRule& rule, absl::string_view origin,
                      const std::vector<std::string>& request_headers, bool preflight) {
  const bool any_origin =
      std::find(rule.allowed_origins.begin(), rule.allowed_origins.end(), "*") != rule.allowed_origins.end();
  // As AWS: "*" when the rule allows every origin (then no credentials), the origin otherwise.
  response.set("access-control-allow-origin", any_origin ? "*" : std::string(origin));
  if (!any_origin) response.set("access-control-allow-credentials", "true");
  response.set("access-control-allow-methods", absl::StrJoin(rule.allowed_methods, ", "));
  if (!rule.expose_headers.empty())
    response.set("access-control-expose-headers", absl::StrJoin(rule.expose_headers, ", "));
  if (preflight) {
    if (!request_headers.empty()) response.set("access-control-allow-headers", absl::StrJoin(request_headers, ", "));
    if (rule.max_age_seconds) response.set("access-control-max-age", absl::StrCat(*rule.max_age_seconds));
  }
  response.set("vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

}  // namespace garage::s3
