#include "s3/website.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "s3/errors.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
absl::Status invalid(absl::string_view why) { return s3_error(S3Code::kInvalidArgument, why); }

std::string text(pugi::xml_node parent, const char* name) {
  return std::string(absl::StripAsciiWhitespace(parent.child_value(name)));
}

// A status code element, if present: `low` <= code <= `high`.
absl::StatusOr<std::optional<int>> code_in(pugi::xml_node parent, const char* name, int low, int high) {
  pugi::xml_node n = parent.child(name);
  if (!n) return std::optional<int>();
  int code = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(n.child_value()), &code) || code < low || code > high) {
    return invalid(absl::StrCat(name, " must be a number from ", low, " to ", high));
  }
  return std::optional<int>(code);
}

absl::Status check_protocol(const std::string& protocol) {
  if (!protocol.empty() && protocol != "http" && protocol != "https") {
    return invalid("Protocol must be http or https");
  }
  return absl::OkStatus();
}

absl::StatusOr<WebsiteRedirect> parse_redirect(pugi::xml_node n) {
  WebsiteRedirect r;
  r.host_name = text(n, "HostName");
  r.protocol = text(n, "Protocol");
  if (absl::Status s = check_protocol(r.protocol); !s.ok()) return s;
  if (n.child("ReplaceKeyPrefixWith")) r.replace_key_prefix_with = text(n, "ReplaceKeyPrefixWith");
  if (n.child("ReplaceKeyWith")) r.replace_key_with = text(n, "ReplaceKeyWith");
  if (r.replace_key_prefix_with && r.replace_key_with) {
    return invalid("a Redirect may hold ReplaceKeyPrefixWith or ReplaceKeyWith, not both");
  }
  absl::StatusOr<std::optional<int>> code = code_in(n, "HttpRedirectCode", 300, 399);
  if (!code.ok()) return code.status();
  r.http_redirect_code = *code;
  if (r.host_name.empty() && r.protocol.empty() && !r.replace_key_prefix_with && !r.replace_key_with &&
      !r.http_redirect_code) {
    return invalid("a Redirect needs HostName, Protocol, ReplaceKeyPrefixWith, ReplaceKeyWith or HttpRedirectCode");
  }
  return r;
}

void write_redirect(pugi::xml_node n, const WebsiteRedirect& r) {
  if (!r.host_name.empty()) XmlOut::add(n, "HostName", r.host_name);
  if (!r.protocol.empty()) XmlOut::add(n, "Protocol", r.protocol);
  if (r.replace_key_prefix_with) XmlOut::add(n, "ReplaceKeyPrefixWith", *r.replace_key_prefix_with);
  if (r.replace_key_with) XmlOut::add(n, "ReplaceKeyWith", *r.replace_key_with);
  if (r.http_redirect_code) XmlOut::add(n, "HttpRedirectCode", absl::StrCat(*r.http_redirect_code));
}
}  // namespace

absl::StatusOr<WebsiteConfig> parse_website_configuration(absl::string_view xml) {
  if (xml.size() > kMaxWebsiteConfigurationBytes) return invalid("The website configuration is larger than 64 KiB");
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = parse_xml_root(doc, xml, "WebsiteConfiguration");
  if (!root.ok()) return root.status();
  WebsiteConfig c;
  if (pugi::xml_node all = root->child("RedirectAllRequestsTo")) {
    if (root->child("IndexDocument") || root->child("ErrorDocument") || root->child("RoutingRules")) {
      return invalid("RedirectAllRequestsTo goes alone: no IndexDocument, ErrorDocument or RoutingRules beside it");
    }
    WebsiteRedirect r;
    r.host_name = text(all, "HostName");
    r.protocol = text(all, "Protocol");
    if (r.host_name.empty()) return invalid("RedirectAllRequestsTo needs a HostName");
    if (absl::Status s = check_protocol(r.protocol); !s.ok()) return s;
    c.redirect_all = std::move(r);
    return c;
  }
  pugi::xml_node index = root->child("IndexDocument");
  if (!index) return invalid("A website configuration needs an IndexDocument or RedirectAllRequestsTo");
  c.index_suffix = text(index, "Suffix");
  if (c.index_suffix.empty() || c.index_suffix.find('/') != std::string::npos) {
    return invalid("The IndexDocument Suffix must not be empty nor hold a slash");
  }
  if (pugi::xml_node error = root->child("ErrorDocument")) {
    c.error_key = text(error, "Key");
    if (c.error_key.empty()) return invalid("The ErrorDocument needs a Key");
  }
  for (pugi::xml_node n : root->child("RoutingRules").children("RoutingRule")) {
    if (c.routing_rules.size() == kMaxWebsiteRoutingRules) {
      return invalid(absl::StrCat("A website configuration holds at most ", kMaxWebsiteRoutingRules, " rules"));
    }
    WebsiteRoutingRule rule;
    pugi::xml_node redirect = n.child("Redirect");
    if (!redirect) return invalid("a RoutingRule needs a Redirect");
    absl::StatusOr<WebsiteRedirect> r = parse_redirect(redirect);
    if (!r.ok()) return r.status();
    rule.redirect = std::move(*r);
    if (pugi::xml_node condition = n.child("Condition")) {
      if (condition.child("KeyPrefixEquals")) rule.key_prefix_equals = text(condition, "KeyPrefixEquals");
      absl::StatusOr<std::optional<int>> code = code_in(condition, "HttpErrorCodeReturnedEquals", 400, 599);
      if (!code.ok()) return code.status();
      rule.http_error_code_returned_equals = *code;
    }
    c.routing_rules.push_back(std::move(rule));
  }
  return c;
}

std::string website_bucket_of(absl::string_view host, absl::string_view root_domain) {
  std::string h = absl::AsciiStrToLower(host);
  if (const size_t colon = h.rfind(':'); colon != std::string::npos && h.find(']') == std::string::npos) {
    h.resize(colon);
  }
  std::string suffix(root_domain);
  if (!suffix.empty() && suffix.front() != '.') suffix = "." + suffix;
  if (!suffix.empty() && h.size() > suffix.size() && absl::EndsWith(h, absl::AsciiStrToLower(suffix))) {
    return h.substr(0, h.size() - suffix.size());
  }
  return h;
}

namespace {
// Where a redirect sends a request for `key` (S3's rules: the host and protocol given, or the
// request's; the key replaced whole, by prefix, or kept).
WebsiteStep redirect_to(const WebsiteRedirect& r, absl::string_view key, absl::string_view prefix,
                        absl::string_view host) {
  std::string new_key(key);
  if (r.replace_key_with) {
    new_key = *r.replace_key_with;
  } else if (r.replace_key_prefix_with) {
    new_key = *r.replace_key_prefix_with + std::string(key.substr(std::min(prefix.size(), key.size())));
  }
  WebsiteStep step;
  step.redirect = true;
  step.status = r.http_redirect_code.value_or(301);
  step.location = absl::StrCat(r.protocol.empty() ? "http" : r.protocol, "://",
                               r.host_name.empty() ? host : r.host_name, "/", new_key);
  return step;
}

bool prefix_matches(const WebsiteRoutingRule& rule, absl::string_view key) {
  return !rule.key_prefix_equals || absl::StartsWith(key, *rule.key_prefix_equals);
}
}  // namespace

WebsiteStep website_step(const WebsiteConfig& config, absl::string_view key, absl::string_view host) {
  if (config.redirect_all) return redirect_to(*config.redirect_all, key, "", host);
  for (const WebsiteRoutingRule& rule : config.routing_rules) {
    if (rule.http_error_code_returned_equals || !prefix_matches(rule, key)) continue;
    return redirect_to(rule.redirect, key, rule.key_prefix_equals.value_or(""), host);
  }
  WebsiteStep step;
  step.key = std::string(key);
  if (step.key.empty() || step.key.back() == '/') step.key += config.index_suffix;
  return step;
}

std::optional<WebsiteStep> website_error_redirect(const WebsiteConfig& config, absl::string_view key,
                                                  absl::string_view host, int error_status) {
  for (const WebsiteRoutingRule& rule : config.routing_rules) {
    if (rule.http_error_code_returned_equals != error_status || !prefix_matches(rule, key)) continue;
    return redirect_to(rule.redirect, key, rule.key_prefix_equals.value_or(""), host);
  }
  return std::nullopt;
}

std::string website_configuration_xml(const WebsiteConfig& c) {
  XmlOut x("WebsiteConfiguration");
  if (c.redirect_all) {
    pugi::xml_node all = x.root().append_child("RedirectAllRequestsTo");
    XmlOut::add(all, "HostName", c.redirect_all->host_name);
    if (!c.redirect_all->protocol.empty()) XmlOut::add(all, "Protocol", c.redirect_all->protocol);
    return x.str();
  }
  XmlOut::add(x.root().append_child("IndexDocument"), "Suffix", c.index_suffix);
  if (!c.error_key.empty()) XmlOut::add(x.root().append_child("ErrorDocument"), "Key", c.error_key);
  if (!c.routing_rules.empty()) {
    pugi::xml_node rules = x.root().append_child("RoutingRules");
    for (const WebsiteRoutingRule& rule : c.routing_rules) {
      pugi::xml_node n = rules.append_child("RoutingRule");
      if (rule.key_prefix_equals || rule.http_error_code_returned_equals) {
        pugi::xml_node condition = n.append_child("Condition");
        if (rule.key_prefix_equals) XmlOut::add(condition, "KeyPrefixEquals", *rule.key_prefix_equals);
        if (rule.http_error_code_returned_equals) {
          XmlOut::add(condition, "HttpErrorCodeReturnedEquals", absl::StrCat(*rule.http_error_code_returned_equals));
        }
      }
      write_redirect(n.append_child("Redirect"), rule.redirect);
    }
  }
  return x.str();
}

}  // namespace garage::s3
