// LayoutManager: this node's copy of the ClusterLayout. It persists it, spreads it (pulls a
// peer's layout whenever that peer's ping shows a different digest, and merges), and serves
// the layout admin operations that `garage layout ...` sends by RPC.
//
// Bounds: at most one pull in flight per peer address; the layout file is rewritten (and
// synced) after changes, one write at a time.
#pragma once

#include <set>
#include <string>

#include "node/env.h"
#include "node/layout/cluster_layout.h"
#include "node/rpc.h"
#include "node/runtime/spawner.h"

namespace garage {

// The admin operations on the layout.
struct LayoutAdminRequest {
  static constexpr uint8_t kVersion = 1;
  enum class Op : uint8_t { kShow = 0, kAssign = 1, kRemove = 2, kApply = 3, kRevert = 4 };
  Op op = Op::kShow;
  NodeId node;           // assign, remove
  NodeRole role;         // assign
  uint64_t version = 0;  // apply
  std::string encode() const;
  static absl::StatusOr<LayoutAdminRequest> decode(std::string_view bytes);
};

struct LayoutOptions {
  // A peer's layout, pulled when its ping shows a different digest: how long to wait for it.
  absl::Duration pull_timeout = absl::Seconds(10);
  // admin_durably: how long to wait for the change to reach the disk, and how often to look.
  absl::Duration durable_wait = absl::Seconds(10);
  absl::Duration durable_poll_interval = absl::Milliseconds(10);
};

class LayoutManager {
 public:
  // `planted_retire_before_sync`: simulation only (no config key reaches it), uses the newest
  // version alone, as if old versions were retired at once.
  LayoutManager(Env env, Spawner& spawner, NodeId self, int replication_factor, bool planted_retire_before_sync = false,
                LayoutOptions options = {});

  void register_rpcs(RpcRouter& router);
  // Loads the persisted layout (a missing file is a fresh node; a corrupt one is reported and
  // replaced by what peers gossip).
  Task<> load();

  const ClusterLayout& layout() const { return layout_; }
  // Cached: pings carry it, so it must not re-encode the layout each time.
  LayoutDigest digest() const { return digest_; }
  int replication_factor() const { return replication_factor_; }
  // Runs one admin operation here; the change is saved in the background.
  absl::Status admin(const LayoutAdminRequest& request);
  // What the kLayoutAdmin RPC does: admin(), then waits (up to options.durable_wait) until the
  // change is on disk, so an operator told "applied" cannot lose it to a crash of this node.
  Task<absl::Status> admin_durably(LayoutAdminRequest request);
  // The partition's replicas in each active version (what tables read and write).
  std::vector<std::vector<NodeId>> replica_sets(uint8_t partition) const;
  // The partition's replicas in the retired versions still kept, newest first.
  std::vector<std::vector<NodeId>> retired_replica_sets(uint8_t partition) const;
  // Tables report the oldest layout version any of their in-flight writes began under (or the
  // current one if none): this node acknowledges a version only once its writes have drained.
  void writes_drained_below(uint64_t oldest_in_flight);
  // A table finished a full sync pass for `version` begun once min_ack() >= version.
  void report_synced(uint64_t version);

  // Membership calls this when a peer's layout digest differs from ours.
  void on_peer_digest(const std::string& address, const LayoutDigest& digest);

 private:
  Task<absl::StatusOr<std::string>> handle_get(NodeId from, std::string payload);
  Task<absl::StatusOr<std::string>> handle_admin(NodeId from, std::string payload);
  Task<> pull(std::string address);
  void changed();
  Task<> save();
  void maybe_ack();

  Env env_;
  Spawner& spawner_;
  NodeId self_;
  int replication_factor_;
  ClusterLayout layout_;
  LayoutDigest digest_;
  std::set<std::string> pulls_in_flight_;
  bool dirty_ = false;
  bool saving_ = false;
  uint64_t changes_ = 0;        // counts changed() calls
  uint64_t saved_changes_ = 0;  // changes_ as of the last successful save
  bool planted_retire_before_sync_;
  LayoutOptions options_;
  uint64_t saved_version_ = 0;  // acks wait until the version is durable here
  uint64_t write_floor_ = UINT64_MAX;
};

}  // namespace garage
