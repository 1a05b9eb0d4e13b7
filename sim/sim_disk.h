// SimDisk: a node's simulated disk (the Disk port), over storage that survives its crashes.
//
// Fault model:
// - Every operation takes a latency drawn in [latency_min, latency_max].
// - fsync semantics: a write or remove is volatile until sync_file(path); crash() reverts every
//   file to its last synced state (unsynced new files vanish, unsynced removals come back).
// - Reads may return the data with one bit flipped (`read_bitflip_ppm`, transient), and
//   corrupt_at_rest() flips a stored bit for good (bit rot).
// - Space: writes beyond `capacity_bytes` fail with ResourceExhausted (ENOSPC).
// - A dead disk fails every operation with DataLoss.
// Limits: whole-file granularity (no torn writes inside a file), no directory fsync distinct from
// the file's, no latency spikes or slow-disk model beyond the uniform range.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "node/env.h"

namespace garage::sim {

struct DiskFaults {
  absl::Duration latency_min = absl::Microseconds(50);
  absl::Duration latency_max = absl::Microseconds(500);
  uint32_t read_bitflip_ppm = 0;
  uint64_t capacity_bytes = uint64_t{1} << 40;
};

// What is physically on the platter; owned by the cluster harness, outlives node crashes.
class SimDiskStorage {
 public:
  struct File {
    std::optional<std::string> durable;  // as of the last sync (nullopt: not on disk)
    std::optional<std::string> current;  // what reads see now
  };

  void crash();  // forget everything not synced
  void kill() { dead_ = true; }
  bool dead() const { return dead_; }
  uint64_t used_bytes() const;
  bool corrupt_at_rest(const std::string& path, uint64_t bit);  // false if no such file

  std::map<std::string, File>& files() { return files_; }

 private:
  std::map<std::string, File> files_;
  bool dead_ = false;
};

class SimDisk final : public Disk {
 public:
  SimDisk(SimDiskStorage& storage, Clock& clock, Rng& rng, DiskFaults faults)
      : storage_(storage), clock_(clock), rng_(rng), faults_(faults) {}

  Task<absl::Status> write_file(std::string path, std::string data) override;
  Task<absl::Status> sync_file(std::string path) override;
  Task<absl::StatusOr<std::string>> read_file(std::string path) override;
  Task<absl::StatusOr<bool>> exists(std::string path) override;
  Task<absl::Status> remove_file(std::string path) override;
  Task<absl::StatusOr<std::vector<std::string>>> list_files(std::string dir) override;
  absl::StatusOr<uint64_t> free_bytes() override;

 private:
  // Waits one operation's latency; returns an error if cancelled or the disk is dead.
  Task<absl::Status> io_delay();
  SimDiskStorage& storage_;
  Clock& clock_;
  Rng& rng_;
  DiskFaults faults_;
};

}  // namespace garage::sim
