// ClusterDirectory: the tables' ReplicaDirectory, from this node's layout and membership.
//
// Several tables (and the block manager) share one layout. Each table gets its own view
// (view_for()), which records that table's write floor and sync reports; the directory passes
// on to the layout the oldest write floor of all views and the lowest version every view has
// synced: a layout version retires only once every table has been synced for it.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "node/layout/layout_manager.h"
#include "node/membership.h"
#include "node/table/replicas.h"

namespace garage {

class ClusterDirectory final : public ReplicaDirectory {
 public:
  ClusterDirectory(LayoutManager& layout, Membership& membership) : layout_(layout), membership_(membership) {}

  std::vector<std::vector<NodeId>> replica_sets(uint8_t partition) override { return layout_.replica_sets(partition); }
  std::vector<std::vector<NodeId>> retired_replica_sets(uint8_t partition) override {
    return layout_.retired_replica_sets(partition);
  }
  std::optional<std::string> address_of(const NodeId& node) override { return membership_.address_of(node); }
  bool is_layout_node(const NodeId& node) override {
    for (const LayoutVersion& v : layout_.layout().versions())
      if (v.roles.count(node)) return true;
    return false;
  }
  uint64_t layout_version() override { return layout_.layout().current_version(); }
  uint64_t min_ack() override { return layout_.layout().min_ack(); }
  std::string zone_of(const NodeId& node) override {
    const LayoutVersion* v = layout_.layout().current();
    if (v == nullptr) return "";
    auto it = v->roles.find(node);
    return it == v->roles.end() ? "" : it->second.zone;
  }
  // Used directly (not through a view): one reporter, as when a single table exists.
  void writes_drained_below(uint64_t oldest) override { layout_.writes_drained_below(oldest); }
  void report_synced(uint64_t version) override { layout_.report_synced(version); }

  // A view for one table; the directory owns it. Call for every table before starting them.
  ReplicaDirectory& view_for(const std::string& table) {
    auto& v = views_[table];
    if (!v) v = std::make_unique<View>(*this);
    return *v;
  }

 private:
  class View final : public ReplicaDirectory {
   public:
    explicit View(ClusterDirectory& d) : d_(d) {}
    std::vector<std::vector<NodeId>> replica_sets(uint8_t p) override { return d_.replica_sets(p); }
    std::vector<std::vector<NodeId>> retired_replica_sets(uint8_t p) override { return d_.retired_replica_sets(p); }
    std::optional<std::string> address_of(const NodeId& n) override { return d_.address_of(n); }
    bool is_layout_node(const NodeId& n) override { return d_.is_layout_node(n); }
    uint64_t layout_version() override { return d_.layout_version(); }
    uint64_t min_ack() override { return d_.min_ack(); }
    std::string zone_of(const NodeId& n) override { return d_.zone_of(n); }
    void writes_drained_below(uint64_t oldest) override {
      floor = oldest;
      d_.forward_floor();
    }
    void report_synced(uint64_t version) override {
      synced = version;
      d_.forward_synced();
    }
    std::optional<uint64_t> floor;
    std::optional<uint64_t> synced;

   private:
    ClusterDirectory& d_;
  };

  void forward_floor() {
    std::optional<uint64_t> oldest;
    for (auto& [name, v] : views_)
      if (v->floor) oldest = oldest ? std::min(*oldest, *v->floor) : *v->floor;
    if (oldest) layout_.writes_drained_below(*oldest);
  }
  void forward_synced() {
    std::optional<uint64_t> lowest;
    for (auto& [name, v] : views_) {
      if (!v->synced) return;  // a table that has not finished a pass holds the transition
      lowest = lowest ? std::min(*lowest, *v->synced) : *v->synced;
    }
    if (lowest) layout_.report_synced(*lowest);
  }

  LayoutManager& layout_;
  Membership& membership_;
  std::map<std::string, std::unique_ptr<View>> views_;
};

}  // namespace garage
