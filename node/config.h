// The node's TOML configuration, parsed from text (the caller reads the file).
//
// Key names follow Garage's own format where the meaning is the same. Unknown keys are not an
// error (a config written for Garage keeps working) but are reported back as warnings; a key
// of the wrong type or an invalid value is an error naming the key.
//
//   metadata_dir = "/var/lib/garage/meta"
//   data_dir = "/var/lib/garage/data"
//   replication_factor = 3
//   consistency_mode = "consistent"   # or "degraded", "dangerous" (as in Garage)
//   metadata_fsync = true             # a replica acknowledges only durable writes
//   block_size = 1048576              # bytes (also "1M", "512K")
//   data_fsync = true
//   block_gc_delay_secs = 600         # ours (not Garage's): how long an unreferenced block stays;
//                                     # at least 60 unless allow_short_gc_delay_for_tests = true
//   rpc_bind_addr = "0.0.0.0:3901"
//   rpc_public_addr = "192.168.1.10:3901"
//   bootstrap_peers = ["192.168.1.11:3901", "<node id>@192.168.1.12:3901"]
//   [rpc_tls]
//   ca_cert = "/etc/garage/ca.crt"
//   node_cert = "/etc/garage/node.crt"
//   node_key = "/etc/garage/node.key"
//   [s3_api]
//   api_bind_addr = "0.0.0.0:3900"
//   s3_region = "garage"
//   root_domain = ".s3.garage.localhost"
//   max_connections = 512             # S3 clients served at once; the next get 503 SlowDown
//   read_buffer_max = "64MiB"         # object data held by responses being sent, node-wide
//   [s3_web]
//   bind_addr = "0.0.0.0:3902"        # websites of the buckets that have one (anonymous, read-only)
//   root_domain = ".web.garage.localhost"
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/node_id.h"
#include "node/table/replicas.h"

namespace garage {

struct BootstrapPeer {
  std::optional<NodeId> id;  // if given ("<id>@<addr>"), the peer must prove it is this node
  std::string address;
};

struct RpcTlsConfig {
  std::string ca_cert;    // the cluster CA: only peers it signed are accepted
  std::string node_cert;  // this node's certificate (its public key is its node id)
  std::string node_key;
  std::string cli_cert;  // used by the `garage` CLI to talk to this node (optional)
  std::string cli_key;
};

struct S3ApiConfig {
  std::string api_bind_addr;  // empty: no S3 endpoint on this node
  std::string s3_region = "garage";
  std::string root_domain;    // virtual-host-style buckets: <bucket><root_domain>
  int max_connections = 512;  // open S3 connections at most (each holds a few blocks at worst)
  // Object data held by responses being sent, node-wide, in bytes: GETs read their next block
  // only once it fits, and clients that stopped reading are let go when others wait.
  uint64_t read_buffer_max = 64u << 20;
};

struct S3WebConfig {
  std::string bind_addr;    // empty: no website endpoint on this node
  std::string root_domain;  // ".web.example.com": bucket b's website is at b.web.example.com
};

struct Config {
  std::string metadata_dir;
  std::string data_dir;
  int replication_factor = 1;
  ConsistencyMode consistency_mode = ConsistencyMode::kConsistent;
  // Garage's default is false (speed; durability from replication). Ours is true: a replica
  // acknowledges a metadata write only once it is on disk, so losing power on every replica at
  // once loses nothing acknowledged.
  bool metadata_fsync = true;
  uint32_t block_size = 1u << 20;  // objects are cut into blocks of this size
  // Blocks held by writes in progress (PUT, UploadPart), node-wide, in bytes: a write reads its
  // next block from the client only once it fits (as Garage's key of the same name).
  uint64_t block_ram_buffer_max = 256u << 20;
  bool data_fsync = true;  // a block is acknowledged only once its file is durable
  // How long a block whose reference count fell to zero stays before it is deleted (BlockOptions
  // gc_delay); production keeps the default. It must cover a reference still on its way and the
  // clock difference between nodes (deadlines are wall-clock): at least kMinBlockGcDelaySecs,
  // unless the config also sets allow_short_gc_delay_for_tests = true (tests, with a warning).
  static constexpr int64_t kMinBlockGcDelaySecs = 60;
  int64_t block_gc_delay_secs = 600;
  S3ApiConfig s3_api;
  S3WebConfig s3_web;
  std::string rpc_bind_addr = "0.0.0.0:3901";
  std::string rpc_public_addr;  // default: rpc_bind_addr
  std::vector<BootstrapPeer> bootstrap_peers;
  RpcTlsConfig rpc_tls;
  std::string zone;                   // informational until layouts exist
  std::vector<std::string> warnings;  // unknown keys, settings not yet served

  // The address peers and the CLI should dial to reach this node.
  std::string advertised_address() const;
};

absl::StatusOr<Config> parse_config(std::string_view toml_text);
absl::StatusOr<BootstrapPeer> parse_bootstrap_peer(std::string_view text);

// Splits "host:port" or "[v6]:port"; fails with a message naming the value otherwise.
// Port 0 ("any free port") is accepted only when `allow_any_port` (for listening).
absl::StatusOr<std::pair<std::string, uint16_t>> split_host_port(std::string_view address, bool allow_any_port = false);

}  // namespace garage
