// Two CRDT entry types: a last-writer-wins register (deletable: a tombstone is a register with
// no value) and a map of such registers (merged key by key).
//
// Order of writes: (stamp_ms, tiebreak, value) compared lexicographically, the greater wins.
// The value takes part so that two writes with equal stamps and tiebreaks still merge the same
// way on every replica. Stamps come from the writer's wall clock: with skew, a later write can
// lose to an earlier one; that is the documented LWW behaviour (as in Garage), and it is why
// the simulation checks "at least as new in merge order", not "newest in real time".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace garage {

struct LwwRegister {
  static constexpr uint8_t kVersion = 1;
  int64_t stamp_ms = 0;
  uint64_t tiebreak = 0;
  std::optional<std::string> value;  // nullopt: deleted (a tombstone)

  bool is_tombstone() const { return !value.has_value(); }
  // True if this write wins over `o` (or equals it).
  bool at_least(const LwwRegister& o) const;
  void merge(const LwwRegister& o) {
    if (!at_least(o)) *this = o;
  }
  std::string encode() const;
  static absl::StatusOr<LwwRegister> decode(std::string_view bytes);
  bool operator==(const LwwRegister&) const = default;
};

struct LwwMap {
  static constexpr uint8_t kVersion = 1;
  std::map<std::string, LwwRegister> items;

  bool is_tombstone() const { return false; }  // a map is never collected; its registers may be deleted
  void merge(const LwwMap& o);
  std::string encode() const;
  static absl::StatusOr<LwwMap> decode(std::string_view bytes);
  bool operator==(const LwwMap&) const = default;
};

}  // namespace garage
