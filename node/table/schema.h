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
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace garage {

class TableSchema {
 public:
  virtual ~TableSchema() = default;
  // Short, stable: it is part of every stored key and every table RPC.
  virtual std::string name() const = 0;
  // Merges two encoded entries; InvalidArgument if either does not decode.
  virtual absl::StatusOr<std::string> merge(std::string_view a, std::string_view b) const = 0;
  virtual absl::StatusOr<bool> is_tombstone(std::string_view entry) const = 0;
};

template <class E>
class CrdtSchema final : public TableSchema {
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

 private:
  std::string name_;
};

}  // namespace garage
