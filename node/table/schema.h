// TableSchema: what a replicated table needs to know about its entries, on encoded bytes.
//
// A table stores CRDT entries: merge must be commutative, associative and idempotent (property
// tested for every entry type in tests/crdt_test.cc), so replicas that saw the same writes in
// any order, any number of times, hold the same bytes. An entry that is a tombstone (a deletion
// marker) may be collected once every replica holds it.
//
// CrdtSchema<E> adapts a typed entry E with
//   static absl::StatusOr<E> decode(std::string_view);  std::string encode() const;
//   void merge(const E& other);  bool is_tombstone() const;
// and optionally
//   static std::vector<FollowUp> follow_ups(const E* before, const E& incoming, const E& merged);
//
// Follow-ups: writes to other tables that a change of this entry calls for (an object that
// drops a version deletes that version's block list; a deleted block list drops its block
// references). The store queues them in the same atomic batch as the change itself, and a
// worker (node/table/follow_ups.h) delivers them, retrying until they are written: a crash
// between the change and its consequences loses neither. They must be idempotent (CRDT
// writes are), since every replica of the entry queues them and may deliver them more than once.
//
// Local effects: state of this node that must move with the stored entry, in the same batch
// (the block_ref table keeps each block's persistent reference count, node/block/block_rc.h).
// Unlike follow-ups they are not replicated: each replica derives them from its own entries,
// on every stored change (merges, tombstone collection, dropped partitions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "node/kv_batch.h"

namespace garage {

struct FollowUp {
  std::string table;     // the target table's name
  std::string tree_key;  // make_tree_key(partition key, sort key) of the target entry
  std::string entry;     // encoded entry, merged into whatever the target holds
  bool operator==(const FollowUp&) const = default;
};

class TableSchema {
 public:
  virtual ~TableSchema() = default;
  // Short, stable: it is part of every stored key and every table RPC.
  virtual std::string name() const = 0;
  // Merges two encoded entries; InvalidArgument if either does not decode.
  virtual absl::StatusOr<std::string> merge(std::string_view a, std::string_view b) const = 0;
  virtual absl::StatusOr<bool> is_tombstone(std::string_view entry) const = 0;
  // What merging `incoming` into `before` (absent: nothing stored) calls for, given the result
  // `merged`. Called even when `merged` equals `before` (an update that arrives already obsolete
  // may still call for one).
  virtual absl::StatusOr<std::vector<FollowUp>> follow_ups(const std::optional<std::string>& /*before*/,
                                                           std::string_view /*incoming*/,
                                                           std::string_view /*merged*/) const {
    return std::vector<FollowUp>{};
  }
  // Stages into `batch` what this node's own state needs when the stored entry of `tree_key`
  // changes from `before` to `after` (absent: no entry). `now_ms` is the node's wall clock.
  virtual absl::Status stage_local_effects(std::string_view /*tree_key*/, const std::optional<std::string>& /*before*/,
                                           const std::optional<std::string>& /*after*/, KvBatch& /*batch*/,
                                           int64_t /*now_ms*/) const {
    return absl::OkStatus();
  }
};

template <class E>
class CrdtSchema : public TableSchema {
 public:
  explicit CrdtSchema(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  absl::StatusOr<std::string> merge(std::string_view a, std::string_view b) const override {
    absl::StatusOr<E> ea = E::decode(a);
    if (!ea.ok()) return ea.status();
    absl::StatusOr<E> eb = E::decode(b);
    if (!eb.ok()) return eb.status();
    ea->merge(*eb);
    return ea->encode();
  }
  absl::StatusOr<bool> is_tombstone(std::string_view entry) const override {
    absl::StatusOr<E> e = E::decode(entry);
    if (!e.ok()) return e.status();
    return e->is_tombstone();
  }
  absl::StatusOr<std::vector<FollowUp>> follow_ups(const std::optional<std::string>& before, std::string_view incoming,
                                                   std::string_view merged) const override {
    if constexpr (requires(const E* b, const E& e) { E::follow_ups(b, e, e); }) {
      std::optional<E> eb;
      if (before) {
        absl::StatusOr<E> d = E::decode(*before);
        if (!d.ok()) return d.status();
        eb = std::move(*d);
      }
      absl::StatusOr<E> ei = E::decode(incoming);
      if (!ei.ok()) return ei.status();
      absl::StatusOr<E> em = E::decode(merged);
      if (!em.ok()) return em.status();
      return E::follow_ups(eb ? &*eb : nullptr, *ei, *em);
    } else {
      return std::vector<FollowUp>{};
    }
  }

 private:
  std::string name_;
};

}  // namespace garage
