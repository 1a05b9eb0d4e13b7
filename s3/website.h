// A bucket's website configuration (PutBucketWebsite / GetBucketWebsite / DeleteBucketWebsite,
// and `garage bucket website`): its index document, error document, a redirect of every
// request, and routing rules, as S3 defines them. Pure: parsing, checking, writing back.
//
//   absl::StatusOr<WebsiteConfig> config = parse_website_configuration(body);   // PutBucketWebsite
//   std::string stored = website_configuration_xml(*config);                      // GetBucketWebsite
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace garage::s3 {

struct WebsiteRedirect {
  std::string host_name;                               // empty: the request's host
  std::string protocol;                                // "", "http" or "https"
  std::optional<std::string> replace_key_prefix_with;  // at most one of these two is set
  std::optional<std::string> replace_key_with;
  std::optional<int> http_redirect_code;  // 3xx; 301 when absent
};

struct WebsiteRoutingRule {
  std::optional<std::string> key_prefix_equals;
  std::optional<int> http_error_code_returned_equals;  // 4xx or 5xx
  WebsiteRedirect redirect;
};

struct WebsiteConfig {
  std::string index_suffix;  // "index.html": served for a folder's path; required unless redirect_all
  std::string error_key;     // served (with the error's status) on a 4xx; empty: none
  std::optional<WebsiteRedirect> redirect_all;  // host_name and protocol only
  std::vector<WebsiteRoutingRule> routing_rules;
};

// AWS's limits.
inline constexpr size_t kMaxWebsiteRoutingRules = 50;
inline constexpr size_t kMaxWebsiteConfigurationBytes = 64 * 1024;

// A <WebsiteConfiguration> document. MalformedXML when it is not one; InvalidArgument for what
// S3 refuses in a well-formed one (no index document and no redirect of everything, a suffix
// that is empty or holds '/', a redirect of everything beside other settings, a rule that
// redirects nowhere or replaces the key both ways, codes out of range, too many rules).
absl::StatusOr<WebsiteConfig> parse_website_configuration(absl::string_view xml);
// The document GetBucketWebsite answers; parse_website_configuration reads it back as it was.
std::string website_configuration_xml(const WebsiteConfig& config);

}  // namespace garage::s3
