// MemKv: the Kv port in memory, with the crash semantics of a write-ahead log, for simulation.
//
// Fault model: a batch is atomic. Batches written without sync are volatile; crash() keeps
// a prefix of them (the ones that happened to reach the disk, as many as the caller says: the
// simulator draws it from its seed) and loses the rest, whole batches only. A write with sync,
// or sync(), makes everything before it durable.
// Limits: no I/O latency or I/O errors (the simulated Disk port models those), no corruption
// of the store itself.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "node/env.h"

namespace garage {

// What survives a crash; owned by the simulator, outlives every MemKv view of it.
class MemKvStorage {
 public:
  // Loses every unsynced batch after the first `keep_unsynced` of them.
  void crash(size_t keep_unsynced);
  size_t unsynced_batches() const { return unsynced_.size(); }

 private:
  friend class MemKv;
  void apply(const std::vector<KvWrite>& batch, std::map<std::string, std::string, std::less<>>& to);
  std::map<std::string, std::string, std::less<>> durable_;
  std::map<std::string, std::string, std::less<>> current_;
  std::vector<std::vector<KvWrite>> unsynced_;
};

class MemKv final : public Kv {
 public:
  explicit MemKv(MemKvStorage& storage) : storage_(storage) {}

  absl::StatusOr<std::optional<std::string>> get(std::string_view key) override;
  absl::Status write(const std::vector<KvWrite>& batch, bool sync) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> scan(std::string_view start, std::string_view end,
                                                                        size_t limit) override;
  absl::Status sync() override;

 private:
  MemKvStorage& storage_;
};

}  // namespace garage
