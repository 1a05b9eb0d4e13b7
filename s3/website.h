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

// ---- Serving (the website endpoint, S3Api::handle_website), as S3's website endpoint does.

// The bucket a website request is for: `host` (a Host header, any port dropped, lowercased)
// under `root_domain` (".web.example.com": "site.web.example.com" is bucket "site"), or else
// the host itself, a bucket whose global name is a domain name.
std::string website_bucket_of(absl::string_view host, absl::string_view root_domain);

// What to do with a request for `key` (the decoded path without its leading '/'), before
// anything is read: redirect (RedirectAllRequestsTo, or a routing rule without an error-code
// condition whose prefix matches), or serve an object (the index document for a folder).
struct WebsiteStep {
  bool redirect = false;
  std::string key;       // to serve, when !redirect
  std::string location;  // when redirect
  int status = 200;      // the redirect's code
};
WebsiteStep website_step(const WebsiteConfig& config, absl::string_view key, absl::string_view host);

// After `key` was not found (`error_status`, 404 or 403): the redirect of the first routing
// rule whose error-code condition (and prefix, if any) matches, if any.
std::optional<WebsiteStep> website_error_redirect(const WebsiteConfig& config, absl::string_view key,
                                                  absl::string_view host, int error_status);

}  // namespace garage::s3
