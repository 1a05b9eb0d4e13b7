// Config parsing: Garage's key names, clear errors for bad values, warnings for the rest.
#include "node/config.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace garage {
namespace {

TEST(Config, ParsesAFullConfig) {
  const std::string id(64, 'a');
  absl::StatusOr<Config> c = parse_config(R"(
metadata_dir = "/tmp/meta"
data_dir = "/tmp/data"
replication_factor = 3
rpc_bind_addr = "0.0.0.0:3901"
bootstrap_peers = ["127.0.0.1:3902", ")" + id +
                                          R"(@[::1]:3903"]
[rpc_tls]
ca_cert = "ca.crt"
node_cert = "node.crt"
node_key = "node.key"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->metadata_dir, "/tmp/meta");
  EXPECT_EQ(c->replication_factor, 3);
  ASSERT_EQ(c->bootstrap_peers.size(), 2u);
  EXPECT_FALSE(c->bootstrap_peers[0].id.has_value());
  EXPECT_EQ(c->bootstrap_peers[1].address, "[::1]:3903");
  EXPECT_EQ(c->bootstrap_peers[1].id->hex(), id);
  EXPECT_EQ(c->rpc_tls.node_key, "node.key");
  EXPECT_EQ(c->advertised_address(), "127.0.0.1:3901");
  EXPECT_TRUE(c->warnings.empty());
}

TEST(Config, ErrorsNameTheKey) {
  auto err = [](const std::string& text) { return std::string(parse_config(text).status().message()); };
  EXPECT_NE(err("data_dir = \"d\"").find("metadata_dir"), std::string::npos);
  EXPECT_NE(err("metadata_dir = 1\ndata_dir = \"d\"").find("'metadata_dir' must be a string"), std::string::npos);
  EXPECT_NE(err("metadata_dir = \"m\"\ndata_dir = \"d\"\nreplication_factor = 0").find("replication_factor"),
            std::string::npos);
  EXPECT_NE(err("metadata_dir = \"m\"\ndata_dir = \"d\"\nrpc_bind_addr = \"nohost\"").find("host:port"),
            std::string::npos);
  EXPECT_NE(err("metadata_dir = \"m\"\ndata_dir = \"d\"\nbootstrap_peers = [\"xyz@1.2.3.4:1\"]").find("node id"),
            std::string::npos);
  EXPECT_NE(err("metadata_dir = [").find("not valid TOML (line 1"), std::string::npos);
}

TEST(Config, UnknownAndNotYetServedKeysAreWarnings) {
  absl::StatusOr<Config> c = parse_config(R"(
metadata_dir = "m"
data_dir = "d"
rpc_secret = "abc"
colour = "blue"
[admin]
api_bind_addr = "[::]:3903"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->warnings.size(), 3u);
  EXPECT_TRUE(std::any_of(c->warnings.begin(), c->warnings.end(),
                          [](const std::string& w) { return w.find("colour") != std::string::npos; }));
}

TEST(Config, TheWebsiteEndpoint) {
  absl::StatusOr<Config> c = parse_config(R"(
metadata_dir = "m"
data_dir = "d"
[s3_web]
bind_addr = "[::]:3902"
root_domain = ".web.garage.localhost"
index = "index.html"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->s3_web.bind_addr, "[::]:3902");
  EXPECT_EQ(c->s3_web.root_domain, ".web.garage.localhost");
  ASSERT_EQ(c->warnings.size(), 1u) << "Garage's index key: each bucket names its own index document";
  EXPECT_NE(c->warnings[0].find("s3_web.index"), std::string::npos);
  EXPECT_FALSE(parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_web]\nbind_addr = \"nope\"\n").ok());
  EXPECT_FALSE(parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_web]\nroot_domain = 3\n").ok());
  EXPECT_TRUE(parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\n")->s3_web.bind_addr.empty()) << "off by default";
}

TEST(Config, ConsistencyModeAndMetadataFsync) {
  absl::StatusOr<Config> c = parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->consistency_mode, ConsistencyMode::kConsistent);
  EXPECT_TRUE(c->metadata_fsync);
  c = parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nconsistency_mode = \"degraded\"\nmetadata_fsync = false\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->consistency_mode, ConsistencyMode::kDegraded);
  EXPECT_FALSE(c->metadata_fsync);
  EXPECT_TRUE(c->warnings.empty());
  c = parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nconsistency_mode = \"strong\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("consistency_mode"), std::string::npos);
  EXPECT_FALSE(parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nmetadata_fsync = 1\n").ok());
}

TEST(Config, S3ApiBlockSizeAndDataFsync) {
  absl::StatusOr<Config> c = parse_config(R"(
metadata_dir = "m"
data_dir = "d"
block_size = "512K"
data_fsync = false
[s3_api]
api_bind_addr = "127.0.0.1:3900"
s3_region = "eu-home"
root_domain = ".s3.home"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->warnings.empty());
  EXPECT_EQ(c->block_size, 512u * 1024);
  EXPECT_FALSE(c->data_fsync);
  EXPECT_EQ(c->s3_api.api_bind_addr, "127.0.0.1:3900");
  EXPECT_EQ(c->s3_api.s3_region, "eu-home");
  EXPECT_EQ(c->s3_api.root_domain, ".s3.home");
  EXPECT_FALSE(parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nblock_size = 100\n").ok());
  EXPECT_FALSE(parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_api]\napi_bind_addr = \"nope\"\n").ok());
  EXPECT_FALSE(parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_api]\ns3_region = 3\n").ok());
  EXPECT_EQ(c->s3_api.max_connections, 512);  // the default
  absl::StatusOr<Config> limited =
      parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_api]\nmax_connections = 64\n");
  ASSERT_TRUE(limited.ok()) << limited.status();
  EXPECT_EQ(limited->s3_api.max_connections, 64);
  for (const char* bad : {"0", "-1", "\"many\"", "2.5"}) {
    absl::StatusOr<Config> r =
        parse_config(std::string("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_api]\nmax_connections = ") + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("s3_api.max_connections"), std::string::npos) << r.status();
  }
  EXPECT_EQ(c->s3_api.read_buffer_max, 64u << 20);  // the default
  for (auto [text, bytes] : {std::pair{"\"128MiB\"", uint64_t{128} << 20}, std::pair{"1048576", uint64_t{1} << 20},
                             std::pair{"\"2G\"", uint64_t{2000000000}}}) {
    absl::StatusOr<Config> r =
        parse_config(std::string("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_api]\nread_buffer_max = ") + text + "\n");
    ASSERT_TRUE(r.ok()) << text << ": " << r.status();
    EXPECT_EQ(r->s3_api.read_buffer_max, bytes) << text;
  }
  for (const char* bad : {"0", "-1", "\"1K\"", "\"lots\"", "2.5", "\"2TiB\""}) {
    absl::StatusOr<Config> r =
        parse_config(std::string("metadata_dir = \"m\"\ndata_dir = \"d\"\n[s3_api]\nread_buffer_max = ") + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("s3_api.read_buffer_max"), std::string::npos) << r.status();
  }
  EXPECT_EQ(c->block_ram_buffer_max, 256u << 20);  // the default, as Garage's
  absl::StatusOr<Config> ram =
      parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nblock_ram_buffer_max = \"32MiB\"\n");
  ASSERT_TRUE(ram.ok()) << ram.status();
  EXPECT_EQ(ram->block_ram_buffer_max, 32u << 20);
  EXPECT_TRUE(ram->warnings.empty());
  absl::StatusOr<Config> tiny = parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nblock_ram_buffer_max = 1000\n");
  ASSERT_FALSE(tiny.ok());
  EXPECT_NE(tiny.status().message().find("block_ram_buffer_max"), std::string::npos) << tiny.status();
  EXPECT_EQ(c->block_gc_delay_secs, 600);  // the default: ten minutes, as Garage's constant
  absl::StatusOr<Config> minute = parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nblock_gc_delay_secs = 60\n");
  ASSERT_TRUE(minute.ok()) << minute.status();
  EXPECT_EQ(minute->block_gc_delay_secs, 60);
  EXPECT_TRUE(minute->warnings.empty());
  // Below a minute only for tests, said twice: the key and the switch; a warning says so.
  absl::StatusOr<Config> refused = parse_config("metadata_dir = \"m\"\ndata_dir = \"d\"\nblock_gc_delay_secs = 3\n");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("between 60 and"), std::string::npos) << refused.status();
  absl::StatusOr<Config> short_gc = parse_config(
      "metadata_dir = \"m\"\ndata_dir = \"d\"\nblock_gc_delay_secs = 3\nallow_short_gc_delay_for_tests = true\n");
  ASSERT_TRUE(short_gc.ok()) << short_gc.status();
  EXPECT_EQ(short_gc->block_gc_delay_secs, 3);
  ASSERT_EQ(short_gc->warnings.size(), 1u);
  EXPECT_NE(short_gc->warnings[0].find("for tests only"), std::string::npos);
  for (const char* bad : {"0", "-5", "\"soon\"", "99999999", "59"}) {
    absl::StatusOr<Config> r =
        parse_config(std::string("metadata_dir = \"m\"\ndata_dir = \"d\"\nblock_gc_delay_secs = ") + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("block_gc_delay_secs"), std::string::npos) << r.status();
  }
}

TEST(Config, QuorumsFollowGarage) {
  // consistent: read + write > rf, so every read quorum meets every write quorum.
  for (int rf = 1; rf <= 7; ++rf) {
    Quorums q = quorums_for(rf, ConsistencyMode::kConsistent);
    EXPECT_GT(q.read + q.write, rf) << rf;
    EXPECT_LE(q.write, rf);
    EXPECT_EQ(quorums_for(rf, ConsistencyMode::kDegraded).read, 1);
    EXPECT_EQ(quorums_for(rf, ConsistencyMode::kDegraded).write, q.write);
    EXPECT_EQ(quorums_for(rf, ConsistencyMode::kDangerous).write, 1);
  }
  EXPECT_EQ(quorums_for(3, ConsistencyMode::kConsistent).read, 2);
  EXPECT_EQ(quorums_for(3, ConsistencyMode::kConsistent).write, 2);
  EXPECT_EQ(quorums_for(2, ConsistencyMode::kConsistent).read, 1);
  EXPECT_EQ(quorums_for(2, ConsistencyMode::kConsistent).write, 2);
}

TEST(Config, SplitsHostAndPort) {
  EXPECT_EQ(split_host_port("[::1]:80")->first, "::1");
  EXPECT_EQ(split_host_port("host:65535")->second, 65535);
  EXPECT_FALSE(split_host_port("host:0").ok());
  EXPECT_FALSE(split_host_port("host:99999").ok());
  EXPECT_FALSE(split_host_port(":80").ok());
}

}  // namespace
}  // namespace garage
