// Config parsing: Garage's key names, clear errors for bad values, warnings for the rest.
#include "node/config.h"

#include <gtest/gtest.h>

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
[s3_api]
s3_region = "garage"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->warnings.size(), 3u);
  EXPECT_NE(c->warnings[0].find("colour"), std::string::npos);
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
