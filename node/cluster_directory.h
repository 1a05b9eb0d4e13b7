// ClusterDirectory: the tables' ReplicaDirectory, from this node's layout and membership.
// Limit: one table reports writes and syncs today; with several, their reports must be combined
// (the oldest write floor, the lowest synced version) before reaching the layout.
#pragma once

#include "node/layout/layout_manager.h"
#include "node/membership.h"
#include "node/table/replicas.h"

namespace garage {

class ClusterDirectory final : public ReplicaDirectory {
 public:
  ClusterDirectory(LayoutManager& layout, Membership& membership) : layout_(layout), membership_(membership) {}

  std::vector<std::vector<NodeId>> replica_sets(uint8_t partition) override { return layout_.replica_sets(partition); }
  std::optional<std::string> address_of(const NodeId& node) override { return membership_.address_of(node); }
  uint64_t layout_version() override { return layout_.layout().current_version(); }
  void writes_drained_below(uint64_t oldest) override { layout_.writes_drained_below(oldest); }
  uint64_t min_ack() override { return layout_.layout().min_ack(); }
  void report_synced(uint64_t version) override { layout_.report_synced(version); }

 private:
  LayoutManager& layout_;
  Membership& membership_;
};

}  // namespace garage
