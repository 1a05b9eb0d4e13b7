// Website configurations (s3/website.h): what PutBucketWebsite accepts, what it refuses, and that
// GetBucketWebsite's document reads back as the same configuration; and the routes to them.
#include "s3/website.h"

#include <gtest/gtest.h>

#include "s3/errors.h"
#include "tests/route_for.h"

namespace garage::s3 {
namespace {

std::string code_of(const absl::Status& s) { return error_info(s).code; }

std::string config(const std::string& inner) {
  return R"(<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)" + inner +
         "</WebsiteConfiguration>";
}

TEST(Website, AFullConfigurationParsesAndWritesBackAsItWas) {
  const std::string body = config(R"(
    <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
    <ErrorDocument><Key>errors/404.html</Key></ErrorDocument>
    <RoutingRules>
      <RoutingRule>
        <Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>
        <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect>
      </RoutingRule>
      <RoutingRule>
        <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
        <Redirect><HostName>example.com</HostName><Protocol>https</Protocol>
          <ReplaceKeyWith>missing.html</ReplaceKeyWith><HttpRedirectCode>302</HttpRedirectCode></Redirect>
      </RoutingRule>
      <RoutingRule>
        <Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition>
        <Redirect><ReplaceKeyPrefixWith></ReplaceKeyPrefixWith></Redirect>
      </RoutingRule>
    </RoutingRules>)");
  absl::StatusOr<WebsiteConfig> c = parse_website_configuration(body);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->index_suffix, "index.html");
  EXPECT_EQ(c->error_key, "errors/404.html");
  ASSERT_EQ(c->routing_rules.size(), 3u);
  EXPECT_EQ(c->routing_rules[0].key_prefix_equals, std::optional<std::string>("docs/"));
  EXPECT_EQ(c->routing_rules[0].redirect.replace_key_prefix_with, std::optional<std::string>("documents/"));
  EXPECT_EQ(c->routing_rules[1].http_error_code_returned_equals, std::optional<int>(404));
  EXPECT_EQ(c->routing_rules[1].redirect.host_name, "example.com");
  EXPECT_EQ(c->routing_rules[1].redirect.replace_key_with, std::optional<std::string>("missing.html"));
  EXPECT_EQ(c->routing_rules[1].redirect.http_redirect_code, std::optional<int>(302));
  EXPECT_EQ(c->routing_rules[2].redirect.replace_key_prefix_with, std::optional<std::string>(""))
      << "an empty prefix replacement strips the prefix: it is not 'no replacement'";

  const std::string written = website_configuration_xml(*c);
  absl::StatusOr<WebsiteConfig> again = parse_website_configuration(written);
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << written;
  EXPECT_EQ(website_configuration_xml(*again), written);
  EXPECT_EQ(again->routing_rules[2].redirect.replace_key_prefix_with, std::optional<std::string>(""));
}

TEST(Website, RedirectingEverythingGoesAlone) {
  absl::StatusOr<WebsiteConfig> c = parse_website_configuration(
      config("<RedirectAllRequestsTo><HostName>www.example.com</HostName><Protocol>https</Protocol>"
             "</RedirectAllRequestsTo>"));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->redirect_all.has_value());
  EXPECT_EQ(c->redirect_all->host_name, "www.example.com");
  EXPECT_EQ(website_configuration_xml(*parse_website_configuration(website_configuration_xml(*c))),
            website_configuration_xml(*c));
  EXPECT_EQ(code_of(parse_website_configuration(
                        config("<RedirectAllRequestsTo><HostName>a.com</HostName></RedirectAllRequestsTo>"
                               "<IndexDocument><Suffix>index.html</Suffix></IndexDocument>"))
                        .status()),
            "InvalidArgument");
  EXPECT_EQ(code_of(parse_website_configuration(config("<RedirectAllRequestsTo/>")).status()), "InvalidArgument")
      << "no host";
}

TEST(Website, WhatS3RefusesIsRefused) {
  const std::string index = "<IndexDocument><Suffix>index.html</Suffix></IndexDocument>";
  auto refused = [](const std::string& body) { return code_of(parse_website_configuration(body).status()); };
  EXPECT_EQ(refused("<nope"), "MalformedXML");
  EXPECT_EQ(refused("<Other/>"), "MalformedXML");
  EXPECT_EQ(refused(config("")), "InvalidArgument") << "no index, no redirect";
  EXPECT_EQ(refused(config("<IndexDocument><Suffix></Suffix></IndexDocument>")), "InvalidArgument");
  EXPECT_EQ(refused(config("<IndexDocument><Suffix>a/index.html</Suffix></IndexDocument>")), "InvalidArgument");
  EXPECT_EQ(refused(config(index + "<ErrorDocument><Key></Key></ErrorDocument>")), "InvalidArgument");
  auto rule = [&](const std::string& r) {
    return config(index + "<RoutingRules><RoutingRule>" + r + "</RoutingRule></RoutingRules>");
  };
  EXPECT_EQ(refused(rule("<Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition>")), "InvalidArgument")
      << "no redirect";
  EXPECT_EQ(refused(rule("<Redirect></Redirect>")), "InvalidArgument") << "a redirect to nowhere";
  EXPECT_EQ(refused(rule("<Redirect><ReplaceKeyWith>a</ReplaceKeyWith><ReplaceKeyPrefixWith>b</ReplaceKeyPrefixWith>"
                         "</Redirect>")),
            "InvalidArgument");
  EXPECT_EQ(refused(rule("<Redirect><HttpRedirectCode>200</HttpRedirectCode></Redirect>")), "InvalidArgument");
  EXPECT_EQ(refused(rule("<Redirect><Protocol>ftp</Protocol></Redirect>")), "InvalidArgument");
  EXPECT_EQ(refused(rule("<Condition><HttpErrorCodeReturnedEquals>302</HttpErrorCodeReturnedEquals></Condition>"
                         "<Redirect><HostName>a.com</HostName></Redirect>")),
            "InvalidArgument");
  std::string many = index + "<RoutingRules>";
  for (size_t i = 0; i <= kMaxWebsiteRoutingRules; ++i)
    many += "<RoutingRule><Redirect><HostName>a.com</HostName></Redirect></RoutingRule>";
  EXPECT_EQ(refused(config(many + "</RoutingRules>")), "InvalidArgument") << "51 rules";
  EXPECT_EQ(refused(std::string(kMaxWebsiteConfigurationBytes + 1, ' ')), "InvalidArgument");
}

TEST(Website, TheHostNamesTheBucket) {
  EXPECT_EQ(website_bucket_of("site.web.example.com", ".web.example.com"), "site");
  EXPECT_EQ(website_bucket_of("Site.Web.Example.com:3902", ".web.example.com"), "site") << "case and port";
  EXPECT_EQ(website_bucket_of("site.web.example.com", "web.example.com"), "site") << "without its leading dot";
  EXPECT_EQ(website_bucket_of("www.example.org", ".web.example.com"), "www.example.org") << "a global name";
  EXPECT_EQ(website_bucket_of("web.example.com", ".web.example.com"), "web.example.com");
  EXPECT_EQ(website_bucket_of("www.example.org:80", ""), "www.example.org");
}

TEST(Website, FoldersServeTheirIndexAndRulesRedirect) {
  const WebsiteConfig c = *parse_website_configuration(config(R"(
    <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
    <RoutingRules>
      <RoutingRule>
        <Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>
        <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect>
      </RoutingRule>
      <RoutingRule>
        <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
        <Redirect><HostName>archive.example.com</HostName><Protocol>https</Protocol>
          <HttpRedirectCode>302</HttpRedirectCode></Redirect>
      </RoutingRule>
    </RoutingRules>)"));
  const std::string host = "site.web.example.com:3902";
  EXPECT_EQ(website_step(c, "", host).key, "index.html");
  EXPECT_EQ(website_step(c, "blog/", host).key, "blog/index.html");
  EXPECT_EQ(website_step(c, "blog/post.html", host).key, "blog/post.html");
  EXPECT_FALSE(website_step(c, "blog", host).redirect) << "the folder redirect waits until the key is missing";
  const WebsiteStep docs = website_step(c, "docs/a/b.html", host);
  EXPECT_TRUE(docs.redirect);
  EXPECT_EQ(docs.status, 301);
  EXPECT_EQ(docs.location, "http://site.web.example.com:3902/documents/a/b.html");
  std::optional<WebsiteStep> missing = website_error_redirect(c, "gone.html", host, 404);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 302);
  EXPECT_EQ(missing->location, "https://archive.example.com/gone.html");
  EXPECT_FALSE(website_error_redirect(c, "gone.html", host, 403).has_value());

  const WebsiteConfig all = *parse_website_configuration(
      config("<RedirectAllRequestsTo><HostName>www.example.org</HostName><Protocol>https</Protocol>"
             "</RedirectAllRequestsTo>"));
  const WebsiteStep moved = website_step(all, "a/b.html", host);
  EXPECT_TRUE(moved.redirect);
  EXPECT_EQ(moved.location, "https://www.example.org/a/b.html");
  const WebsiteConfig whole = *parse_website_configuration(
      config("<IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition>"
             "<KeyPrefixEquals>old</KeyPrefixEquals></Condition><Redirect><ReplaceKeyWith>new.html</ReplaceKeyWith>"
             "</Redirect></RoutingRule></RoutingRules>"));
  EXPECT_EQ(website_step(whole, "old/page", host).location, "http://site.web.example.com:3902/new.html");
}

TEST(Website, RoutesReachTheWebsiteEndpoints) {
  auto route = [](std::string method) { return route_for(std::move(method), "/b?website")->endpoint; };
  EXPECT_EQ(route("GET"), Endpoint::kGetBucketWebsite);
  EXPECT_EQ(route("PUT"), Endpoint::kPutBucketWebsite);
  EXPECT_EQ(route("DELETE"), Endpoint::kDeleteBucketWebsite);
}

}  // namespace
}  // namespace garage::s3
