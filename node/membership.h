// Membership: how nodes find each other, exchange status and detect failures.
//
// Every `ping_interval` a node pings each peer it knows, and each bootstrap address that no
// known peer answers for yet. A ping carries the sender's status and the addresses of every
// peer it knows (gossip), and so does the reply; whoever learns of a new peer pings it at the
// next tick. A peer is "up" while we have heard from it (a ping reply, or its own ping) within
// `down_after`. The known peer list is kept on disk so a restarted node finds the cluster
// again even if its bootstrap peers are down.
//
// Bounds (checked in simulation, see sim/membership_checker.h): a crashed peer is seen down
// within down_after + one message delay; after the network heals, every live node sees every
// other live node up within a few ping intervals (kUpAfterHealBound).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/config.h"
#include "node/env.h"
#include "node/membership_messages.h"
#include "node/rpc.h"
#include "node/runtime/spawner.h"

namespace garage {

struct MembershipOptions {
  absl::Duration ping_interval = absl::Seconds(1);
  absl::Duration ping_timeout = absl::Seconds(2);
  absl::Duration down_after = absl::Seconds(5);  // silent this long: down
  // Simulation only (no config key reaches it): once seen down, a peer is never up again.
  bool planted_bug_sticky_down = false;
};

// After the network heals and every node is running, each sees each other as up within this.
inline constexpr absl::Duration kUpAfterHealBound = absl::Seconds(10);

class Membership {
 public:
  Membership(Env env, Spawner& spawner, NodeStatus self, std::vector<BootstrapPeer> bootstrap_peers,
             MembershipOptions options = {});

  // Registers the RPC handlers (ping, cluster status).
  void register_rpcs(RpcRouter& router);
  // Loads the persisted peer list and starts the ping loop on the spawner.
  void start();

  const NodeStatus& self() const { return self_; }

  // Layout gossip: `digest` is put in every ping; `on_peer_digest(address, digest)` is called
  // for every ping or reply whose layout digest differs from ours.
  using LayoutDigestFn = std::function<LayoutDigest()>;
  using PeerDigestFn = std::function<void(const std::string& address, const LayoutDigest& digest)>;
  void set_layout_hooks(LayoutDigestFn digest, PeerDigestFn on_peer_digest) {
    layout_digest_ = std::move(digest);
    on_peer_digest_ = std::move(on_peer_digest);
  }
  // Every known peer (not self), ordered by id.
  std::vector<PeerView> peers();
  bool sees_up(const NodeId& id);
  // Where a node listens, as last heard (self included; nullopt: unknown).
  std::optional<std::string> address_of(const NodeId& id) const;

 private:
  struct Peer {
    NodeStatus status;
    std::optional<absl::Duration> last_seen;  // monotonic
    bool was_up = false;                      // for PeerUp / PeerDown trace events
    bool condemned = false;                   // planted bug only
  };

  Task<> run();
  void tick();
  // `expected`: the id we believe answers there; `strict`: refuse any other (bootstrap id@addr).
  Task<> ping(std::string address, std::optional<NodeId> expected, bool strict);
  Task<absl::StatusOr<std::string>> handle_ping(NodeId from, std::string payload);
  Task<absl::StatusOr<std::string>> handle_status(NodeId from, std::string payload);
  PingMessage make_ping() const;
  void heard_from(const NodeStatus& status);
  void learn_addresses(const std::vector<PeerAddress>& addresses);
  bool is_up(const Peer& peer) const;
  Task<> load_peer_list();
  Task<> save_peer_list();

  Env env_;
  Spawner& spawner_;
  NodeStatus self_;
  std::vector<BootstrapPeer> bootstrap_;
  MembershipOptions options_;
  std::map<NodeId, Peer> peers_;
  std::set<std::string> pings_in_flight_;  // by address: at most one ping per address at a time
  void check_layout(const std::string& address, const LayoutDigest& theirs);
  LayoutDigestFn layout_digest_;
  PeerDigestFn on_peer_digest_;
  bool peer_list_dirty_ = false;
  bool saving_ = false;
};

}  // namespace garage
