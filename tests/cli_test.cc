// The CLI's pure parts: command lines parse into typed commands (no positional guessing at run
// time), `garage status` and `garage layout show` format typed replies, and a node is named by
// a unique id prefix.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/assembly/cli_format.h"
#include "node/assembly/cli_layout.h"
#include "node/assembly/cli_parser.h"
#include "node/codec.h"
#include "node/version.h"
#include "s3/website.h"

namespace garage {
namespace {

// Parses `args` (without the program name); fails the test if the parser wants to exit.
CliCommand parse(std::vector<std::string> args) {
  args.insert(args.begin(), "garage");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  CliCommand command;
  std::optional<int> exit_code = parse_command_line(static_cast<int>(argv.size()), argv.data(), command);
  EXPECT_FALSE(exit_code.has_value()) << "exit " << exit_code.value_or(0);
  return command;
}

// Parses a command line (program name included) that must end the process; returns its exit
// code and what it printed on stderr.
std::pair<int, std::string> exit_of(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  CliCommand command;
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  std::optional<int> exit_code = parse_command_line(static_cast<int>(argv.size()), argv.data(), command);
  testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(exit_code.has_value()) << args.back();
  return {exit_code.value_or(0), err};
}

NodeId node_id(uint8_t first_byte) {
  NodeId id;
  id.bytes[0] = first_byte;
  id.bytes[1] = 0x42;
  return id;
}

TEST(CliParser, EachCommandBecomesATypedCommand) {
  CliCommand server = parse({"-c", "/tmp/g.toml", "server"});
  EXPECT_EQ(server.kind, CliCommand::Kind::kServer);
  EXPECT_EQ(server.config_path, "/tmp/g.toml");

  CliCommand allow = parse({"bucket", "allow", "photos", "--key", "GK12", "--read", "--owner", "--rpc-host", "h:3901"});
  EXPECT_EQ(allow.kind, CliCommand::Kind::kAdmin);
  EXPECT_EQ(allow.admin.op, AdminRequest::Op::kBucketAllow);
  EXPECT_EQ(allow.admin.args, (std::vector<std::string>{"photos", "GK12", "RO"}));
  EXPECT_EQ(allow.connect.rpc_host, "h:3901");
  EXPECT_EQ(allow.config_path, "/etc/garage.toml");

  CliCommand alias = parse({"bucket", "alias", "photos", "pics", "--local", "GK12"});
  EXPECT_EQ(alias.admin.op, AdminRequest::Op::kBucketAlias);
  EXPECT_EQ(alias.admin.args, (std::vector<std::string>{"photos", "pics", "GK12"}));

  CliCommand assign = parse({"layout", "assign", "ab12", "-z", "paris", "-c", "2T", "-t", "a", "-t", "b"});
  EXPECT_EQ(assign.kind, CliCommand::Kind::kLayout);
  EXPECT_EQ(assign.layout_op, CliCommand::LayoutOp::kAssign);
  EXPECT_EQ(assign.layout.node, "ab12");
  EXPECT_EQ(assign.layout.zone, "paris");
  EXPECT_EQ(assign.layout.capacity, "2T") << "assign's own -c is the capacity, not the config";
  EXPECT_EQ(assign.config_path, "/etc/garage.toml");
  EXPECT_EQ(assign.layout.tags, (std::vector<std::string>{"a", "b"}));

  CliCommand apply = parse({"layout", "apply", "--version", "7"});
  EXPECT_EQ(apply.layout_op, CliCommand::LayoutOp::kApply);
  EXPECT_EQ(apply.layout.version, 7u);

  CliCommand put = parse({"debug", "kv-put", "k", "v"});
  EXPECT_EQ(put.kind, CliCommand::Kind::kDebugKv);
  EXPECT_EQ(put.debug_kv.op, DebugKvRequest::Op::kPut);
  EXPECT_EQ(put.debug_kv.key, "k");
  EXPECT_EQ(put.debug_kv.value, "v");

  CliCommand status = parse({"status", "-c", "/tmp/g.toml"});
  EXPECT_EQ(status.kind, CliCommand::Kind::kStatus);
  EXPECT_EQ(status.config_path, "/tmp/g.toml") << "the config option also works after the command";

  EXPECT_EQ(parse({"node", "id"}).kind, CliCommand::Kind::kNodeId);
  EXPECT_EQ(parse({"status"}).kind, CliCommand::Kind::kStatus);
  EXPECT_EQ(parse({"key", "allow", "GK1", "--create-bucket"}).admin.op, AdminRequest::Op::kKeyAllow);
}

TEST(CliParser, BadArgumentsEndTheProcessWithAnError) {
  for (std::vector<std::string> args : {std::vector<std::string>{"garage"},
                                        {"garage", "frobnicate"},
                                        {"garage", "layout", "apply"},
                                        {"garage", "bucket", "allow", "b"}}) {
    auto [code, err] = exit_of(args);
    EXPECT_NE(code, 0) << args.back();
    EXPECT_FALSE(err.empty()) << args.back();
  }
}

// Issue 17 point 3: `garage --version` (and -V, and after a subcommand) prints the version on
// stdout and exits 0, where it used to answer "A subcommand is required".
TEST(CliParser, VersionFlagPrintsTheVersionAndExitsZero) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"garage", "--version"}, {"garage", "-V"}, {"garage", "status", "--version"}}) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    CliCommand command;
    testing::internal::CaptureStdout();
    std::optional<int> exit_code = parse_command_line(static_cast<int>(argv.size()), argv.data(), command);
    const std::string out = testing::internal::GetCapturedStdout();
    ASSERT_TRUE(exit_code.has_value()) << args.back();
    EXPECT_EQ(*exit_code, 0) << args[1];
    EXPECT_NE(out.find(kGarageVersion), std::string::npos) << out;
  }
  CliCommand apply = parse({"layout", "apply", "--version", "3"});
  EXPECT_EQ(apply.layout.version, 3u) << "a subcommand's own --version wins";
}

// `garage bucket website`: --allow sends a website configuration the S3 layer accepts (written
// with s3/website.h), --deny an empty one; saying neither or both is refused.
TEST(CliParser, BucketWebsiteSendsAConfigurationOrNone) {
  CliCommand allow =
      parse({"bucket", "website", "site", "--allow", "--index-document", "home.html", "--error-document", "oops.html"});
  EXPECT_EQ(allow.kind, CliCommand::Kind::kAdmin);
  EXPECT_EQ(allow.admin.op, AdminRequest::Op::kBucketWebsite);
  ASSERT_EQ(allow.admin.args.size(), 2u);
  EXPECT_EQ(allow.admin.args[0], "site");
  absl::StatusOr<s3::WebsiteConfig> config = s3::parse_website_configuration(allow.admin.args[1]);
  ASSERT_TRUE(config.ok()) << config.status() << allow.admin.args[1];
  EXPECT_EQ(config->index_suffix, "home.html");
  EXPECT_EQ(config->error_key, "oops.html");
  EXPECT_EQ(
      s3::parse_website_configuration(parse({"bucket", "website", "site", "--allow"}).admin.args[1])->index_suffix,
      "index.html");
  CliCommand deny = parse({"bucket", "website", "site", "--deny"});
  ASSERT_EQ(deny.admin.args.size(), 2u);
  EXPECT_EQ(deny.admin.args[1], "");
  for (std::vector<std::string> args :
       {std::vector<std::string>{"garage", "bucket", "website", "site"},
        {"garage", "bucket", "website", "site", "--allow", "--deny"},
        {"garage", "bucket", "website", "site", "--allow", "--index-document", "a/b"}}) {
    auto [code, err] = exit_of(args);
    EXPECT_NE(code, 0) << args.back();
    EXPECT_FALSE(err.empty()) << args.back();
  }
}

TEST(CliParser, BucketAnonymousSendsTheAccessLetters) {
  for (auto [flags, letters] :
       {std::pair{std::vector<std::string>{"--read"}, "r"},
        std::pair{std::vector<std::string>{"--read", "--list"}, "rl"},
        std::pair{std::vector<std::string>{"--list"}, "l"}, std::pair{std::vector<std::string>{"--deny"}, ""}}) {
    std::vector<std::string> args{"bucket", "anonymous", "media"};
    args.insert(args.end(), flags.begin(), flags.end());
    CliCommand c = parse(args);
    EXPECT_EQ(c.kind, CliCommand::Kind::kAdmin);
    EXPECT_EQ(c.admin.op, AdminRequest::Op::kBucketAnonymous);
    ASSERT_EQ(c.admin.args.size(), 2u);
    EXPECT_EQ(c.admin.args[0], "media");
    EXPECT_EQ(c.admin.args[1], letters) << flags.front();
  }
  for (std::vector<std::string> args : {std::vector<std::string>{"garage", "bucket", "anonymous", "media"},
                                        {"garage", "bucket", "anonymous", "media", "--read", "--deny"}}) {
    auto [code, err] = exit_of(args);
    EXPECT_NE(code, 0) << args.back();
    EXPECT_FALSE(err.empty()) << args.back();
  }
  AdminReply reply;
  reply.buckets.push_back(BucketInfo{"b1", "media"});
  reply.buckets[0].anonymous = AnonymousAccess{true, true};
  absl::StatusOr<AdminReply> back = AdminReply::decode(reply.encode());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->buckets[0].anonymous, reply.buckets[0].anonymous) << "bucket info shows it";
  EXPECT_NE(format_admin_reply(AdminRequest{AdminRequest::Op::kBucketInfo, {"media"}}, *back)
                .find("Anonymous access: anyone may read and list"),
            std::string::npos);
}

// `bucket info` shows a bucket's website, CORS rules and tags (reply format 3), as its owner
// set them through S3; a format-2 reply (an older node's) still decodes, without them.
TEST(CliFormat, BucketInfoShowsWebsiteCorsAndTags) {
  AdminReply reply;
  reply.buckets.push_back(BucketInfo{"b1", "site"});
  BucketInfo& b = reply.buckets[0];
  const AdminRequest info{AdminRequest::Op::kBucketInfo, {"site"}};
  std::string out = format_admin_reply(info, *AdminReply::decode(reply.encode()));
  EXPECT_NE(out.find("Website: disabled\nCORS: none\nTags: none\n"), std::string::npos) << out;
  b.website =
      "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>404.html"
      "</Key></ErrorDocument></WebsiteConfiguration>";
  b.cors =
      "<CORSConfiguration><CORSRule><AllowedOrigin>https://a.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
      "<AllowedMethod>PUT</AllowedMethod></CORSRule></CORSConfiguration>";
  b.tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>";
  absl::StatusOr<AdminReply> back = AdminReply::decode(reply.encode());
  ASSERT_TRUE(back.ok()) << back.status();
  out = format_admin_reply(info, *back);
  EXPECT_NE(out.find("Website: enabled (index document index.html, error document 404.html)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("CORS: \n  GET,PUT from https://a.example\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Tags: team=web\n"), std::string::npos) << out;
  b.website =
      "<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.org</HostName></RedirectAllRequestsTo>"
      "</WebsiteConfiguration>";
  out = format_admin_reply(info, *AdminReply::decode(reply.encode()));
  EXPECT_NE(out.find("Website: enabled, every request redirected to example.org"), std::string::npos) << out;

  // Format 2, as a node before documents wrote it: one bucket, public-read, no keys.
  Encoder e;
  e.u8(2);
  e.u32(0);  // keys
  e.u32(1);  // buckets
  e.str("b1");
  e.str("site");
  e.i64(7);
  e.u32(0);  // grants
  e.str("rl");
  e.u32(0);  // bucket names
  absl::StatusOr<AdminReply> format2 = AdminReply::decode(e.take());
  ASSERT_TRUE(format2.ok()) << format2.status();
  ASSERT_EQ(format2->buckets.size(), 1u);
  EXPECT_EQ(format2->buckets[0].anonymous, (AnonymousAccess{true, true}));
  EXPECT_TRUE(format2->buckets[0].website.empty());
}

TEST(CliFormat, StatusListsThisNodeFirstThenPeersUpOrDown) {
  ClusterStatusReply status;
  status.self = NodeStatus{node_id(0xab), "10.0.0.1:3901", "paris", "v1"};
  status.peers.push_back(PeerView{NodeStatus{node_id(0xcd), "10.0.0.2:3901", "", ""}, false, 2500});
  status.peers.push_back(PeerView{NodeStatus{node_id(0xef), "10.0.0.3:3901", "lyon", "v1"}, true, -1});
  const std::string out = format_status(status);
  const size_t self = out.find("10.0.0.1:3901"), down = out.find("10.0.0.2:3901"), up = out.find("10.0.0.3:3901");
  ASSERT_NE(self, std::string::npos) << out;
  EXPECT_LT(self, down) << out;
  EXPECT_LT(down, up) << out;
  EXPECT_NE(out.find("(this node)"), std::string::npos) << out;
  EXPECT_NE(out.find("DOWN"), std::string::npos) << out;
  EXPECT_NE(out.find("2.5s ago"), std::string::npos) << out;
  EXPECT_NE(out.find("never"), std::string::npos) << out;
  EXPECT_EQ(out.find(node_id(0xab).hex()), std::string::npos) << "ids are shown short: " << out;
  EXPECT_NE(out.find(node_id(0xab).short_hex()), std::string::npos) << out;
}

TEST(CliFormat, AnEmptyLayoutSaysSoAndHowToStageChanges) {
  const std::string out = format_layout(ClusterLayout{}, 3);
  EXPECT_NE(out.find("NO LAYOUT APPLIED YET"), std::string::npos) << out;
  EXPECT_NE(out.find("garage layout assign"), std::string::npos) << out;
}

AdminReply sample_reply() {
  AdminReply reply;
  KeyInfo k;
  k.id = "GK31c2f218a2e44f485b94239e";
  k.name = "backup";
  k.secret = "b892c0665f0ada8a4755dae98baa3b133590e11dae3bcc1f9d769d67f16c3835";
  k.created_ms = 1765000000000;
  k.buckets["b1"] = Perms{true, true, false};
  k.local_aliases["mine"] = "b1";
  k.allow_create_bucket = true;
  reply.keys.push_back(k);
  BucketInfo b;
  b.id = "b1";
  b.name = "photos";
  b.created_ms = 1765000000001;
  b.keys[k.id] = Perms{true, false, true};
  reply.buckets.push_back(b);
  reply.bucket_names["b1"] = "photos";
  return reply;
}

TEST(AdminReply, RoundTripsAndRefusesGarbage) {
  const AdminReply reply = sample_reply();
  absl::StatusOr<AdminReply> back = AdminReply::decode(reply.encode());
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->keys.size(), 1u);
  EXPECT_EQ(back->keys[0].id, reply.keys[0].id);
  EXPECT_EQ(back->keys[0].secret, reply.keys[0].secret);
  EXPECT_EQ(back->keys[0].created_ms, reply.keys[0].created_ms);
  EXPECT_EQ(back->keys[0].buckets, reply.keys[0].buckets);
  EXPECT_EQ(back->keys[0].local_aliases, reply.keys[0].local_aliases);
  EXPECT_TRUE(back->keys[0].allow_create_bucket);
  ASSERT_EQ(back->buckets.size(), 1u);
  EXPECT_EQ(back->buckets[0].name, "photos");
  EXPECT_EQ(back->buckets[0].keys, reply.buckets[0].keys);
  EXPECT_EQ(back->bucket_names, reply.bucket_names);
  const std::string bytes = reply.encode();
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    EXPECT_FALSE(AdminReply::decode(bytes.substr(0, cut)).ok()) << "a reply cut at " << cut << " was accepted";
  }
  EXPECT_FALSE(AdminReply::decode(bytes + "x").ok()) << "trailing bytes were accepted";
}

TEST(CliFormat, AdminRepliesReadAsTheCliAlwaysPrintedThem) {
  const AdminReply reply = sample_reply();
  using Op = AdminRequest::Op;
  const std::string info = format_admin_reply(AdminRequest{Op::kKeyInfo, {"backup"}}, reply);
  EXPECT_NE(info.find("Key ID: GK31c2f218a2e44f485b94239e\n"), std::string::npos) << info;
  EXPECT_NE(info.find("Secret key: b892c066"), std::string::npos) << info;
  EXPECT_NE(info.find("Can create buckets: yes"), std::string::npos) << info;
  EXPECT_NE(info.find("Local alias: mine -> photos"), std::string::npos) << "bucket ids are named: " << info;
  EXPECT_NE(info.find("RW   photos"), std::string::npos) << info;
  AdminReply listed = reply;
  listed.keys[0].secret.clear();
  const std::string list = format_admin_reply(AdminRequest{Op::kKeyList, {}}, listed);
  EXPECT_EQ(list.find("b892c066"), std::string::npos) << list;
  EXPECT_NE(list.find("GK31c2f218a2e44f485b94239e"), std::string::npos) << list;
  EXPECT_EQ(format_admin_reply(AdminRequest{Op::kBucketAllow, {"photos", "backup", "RW"}}, reply),
            "Allowed RW on bucket photos for key GK31c2f218a2e44f485b94239e.\n");
  EXPECT_EQ(format_admin_reply(AdminRequest{Op::kBucketCreate, {"photos"}}, reply), "Bucket photos created (id b1).\n");
  EXPECT_EQ(format_admin_reply(AdminRequest{Op::kBucketAlias, {"photos", "pics", ""}}, reply),
            "Global alias pics -> photos.\n");
}

TEST(CliLayout, ANodeIsNamedByAUniqueIdPrefixInAnyCase) {
  const std::set<NodeId> known{node_id(0xab), node_id(0xac), node_id(0x12)};
  absl::StatusOr<NodeId> one = resolve_node_prefix("AB", known);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(*one, node_id(0xab));
  EXPECT_EQ(resolve_node_prefix("a", known).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(resolve_node_prefix("99", known).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(resolve_node_prefix("", known).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace garage
