// The membership protocol's messages: status exchange, gossip of peer addresses, CLI status.
// Every message starts with its version byte; see codec.h for the encoding rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/layout/cluster_layout.h"
#include "node/node_id.h"

namespace garage {

inline constexpr uint32_t kMaxPeers = 256;
inline constexpr uint32_t kMaxShortString = 1024;

// What a node says about itself.
struct NodeStatus {
  NodeId id;
  std::string address;  // where peers reach it (rpc_public_addr)
  std::string zone;     // empty until a layout assigns one
  std::string version;  // software version
  bool operator==(const NodeStatus&) const = default;
};

struct PeerAddress {
  NodeId id;
  std::string address;
  bool operator==(const PeerAddress&) const = default;
};

// Sent by a node to each peer every ping interval; the reply has the same shape.
// Version 2 added the layout digest (version 1 decodes with a zero digest).
struct PingMessage {
  static constexpr uint8_t kVersion = 2;
  NodeStatus sender;
  std::vector<PeerAddress> known_peers;
  LayoutDigest layout;
  bool operator==(const PingMessage&) const = default;
  std::string encode() const;
  static absl::StatusOr<PingMessage> decode(std::string_view bytes);
};

// One node's view of one peer, as `garage status` shows it.
struct PeerView {
  NodeStatus status;
  bool up = false;
  // How long since we last heard from it, in milliseconds (-1: never).
  int64_t last_seen_ms_ago = -1;
  bool operator==(const PeerView&) const = default;
};

struct ClusterStatusReply {
  static constexpr uint8_t kVersion = 1;
  NodeStatus self;
  std::vector<PeerView> peers;
  bool operator==(const ClusterStatusReply&) const = default;
  std::string encode() const;
  static absl::StatusOr<ClusterStatusReply> decode(std::string_view bytes);
};

// The peer list a node keeps on disk, so that it finds the cluster again after a restart even
// if its bootstrap peers are down.
struct PersistedPeers {
  static constexpr uint8_t kVersion = 1;
  std::vector<PeerAddress> peers;
  bool operator==(const PersistedPeers&) const = default;
  std::string encode() const;
  static absl::StatusOr<PersistedPeers> decode(std::string_view bytes);
};

}  // namespace garage
