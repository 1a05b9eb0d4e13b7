// ClusterLayout: the applied layout versions plus the staged changes, as a state-based CRDT
// that nodes gossip and merge.
//
// - Applied versions are numbered 1, 2, ...; applying computes the assignment deterministically
//   from the previous version and the staged roles, so two nodes applying the same staged state
//   produce identical versions. (Should two different version N ever meet, the one with the
//   larger encoding wins on every node, so all still converge.)
// - Staged role changes are last-writer-wins per node, stamped (wall time, writer id), and live
//   in a staging epoch: `revert` starts a new epoch with nothing staged; applying also does.
// - merge() takes the greater (latest version, staging epoch) as a whole and merges staged
//   entries per node when both sides are in the same epoch: commutative, associative and
//   idempotent (property-tested).
//
// Transitions (DESIGN.md, "Layout"): while the new version's replicas are filled, reads and
// writes use every *active* version. Two trackers, per node and merged by max, decide when the
// old ones retire (Garage's ack and sync trackers):
// - ack[n] = v: node n knows version v and has no write in flight that began under an older one;
// - sync[n] = v: node n finished a full anti-entropy pass of the partitions it holds in v, begun
//   once every node had acked v (so no write can have bypassed v's replicas since).
// A version is active while some storage node of the current version has not synced to a
// version at least as new. Old versions are kept in the history; `current()` is the last.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/layout/assignment.h"

namespace garage {

struct NodeRole {
  std::string zone;
  std::optional<uint64_t> capacity_bytes;  // nullopt: gateway
  std::vector<std::string> tags;
  bool operator==(const NodeRole&) const = default;
};

class Encoder;
class Decoder;
// NodeRole's canonical encoding, shared by the layout and the admin RPC.
void encode_role(Encoder& e, const NodeRole& role);
NodeRole decode_role(Decoder& d);

struct LayoutVersion {
  uint64_t version = 0;
  int replication_factor = 0;
  std::map<NodeId, NodeRole> roles;
  Assignment assignment;
  bool operator==(const LayoutVersion& o) const;
};

struct StagedRole {
  int64_t stamp_ms = 0;  // last writer wins: (stamp_ms, writer)
  NodeId writer;
  std::optional<NodeRole> role;  // nullopt: remove the node from the layout
  bool operator==(const StagedRole&) const = default;
};

// What a node says about its layout in every ping, to notice differences cheaply.
struct LayoutDigest {
  uint64_t version = 0;
  uint64_t staging_epoch = 0;
  uint64_t hash = 0;
  bool operator==(const LayoutDigest&) const = default;
};

class ClusterLayout {
 public:
  static constexpr uint8_t kEncodingVersion = 2;  // 2 added the trackers; 1 still decodes

  const std::vector<LayoutVersion>& versions() const { return versions_; }
  const LayoutVersion* current() const { return versions_.empty() ? nullptr : &versions_.back(); }
  uint64_t current_version() const { return versions_.empty() ? 0 : versions_.back().version; }
  uint64_t staging_epoch() const { return staging_epoch_; }
  const std::map<NodeId, StagedRole>& staged() const { return staged_; }

  // Stages a role (or, with nullopt, a removal) for `node`.
  void stage(const NodeId& node, std::optional<NodeRole> role, int64_t stamp_ms, const NodeId& writer);
  void revert();
  // The roles the next version would have: the current roles with the staged changes applied.
  std::map<NodeId, NodeRole> staged_roles() const;
  // What applying would produce (nothing is changed).
  absl::StatusOr<LayoutVersion> preview(int replication_factor) const;
  // Applies the staged changes as version `expected_version` (must be current + 1).
  absl::Status apply(uint64_t expected_version, int replication_factor);

  // Trackers (max-merged). Return whether anything changed.
  bool set_ack(const NodeId& node, uint64_t version);
  bool set_synced(const NodeId& node, uint64_t version);
  const std::map<NodeId, uint64_t>& acks() const { return ack_; }
  const std::map<NodeId, uint64_t>& syncs() const { return sync_; }
  // The versions reads and writes must use, oldest first (empty: no layout yet).
  std::vector<const LayoutVersion*> active_versions() const;
  // The lowest ack among every node with a role in an active version (0: none yet).
  uint64_t min_ack() const;

  // Merges another node's layout into this one. Returns true if this one changed.
  bool merge(const ClusterLayout& other);
  LayoutDigest digest() const;

  std::string encode() const;
  static absl::StatusOr<ClusterLayout> decode(std::string_view bytes);
  bool operator==(const ClusterLayout& o) const {
    return versions_ == o.versions_ && staging_epoch_ == o.staging_epoch_ && staged_ == o.staged_ && ack_ == o.ack_ &&
           sync_ == o.sync_;
  }

 private:
  std::vector<LayoutVersion> versions_;
  uint64_t staging_epoch_ = 0;
  std::map<NodeId, StagedRole> staged_;
  std::map<NodeId, uint64_t> ack_;
  std::map<NodeId, uint64_t> sync_;
};

}  // namespace garage
