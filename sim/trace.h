// TraceRecorder: the fingerprint of a simulation run.
//
// Every event the simulator or a node reports is one line; the lines are folded into a 64-bit
// FNV-1a hash. Every `checkpoint_every` lines the running hash is kept as a checkpoint, so two
// runs that should be identical can be compared to find the first window where they diverge.
// Optionally every line is also written to a file for reading.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace garage::sim {

struct Checkpoint {
  uint64_t line_count;
  uint64_t hash;
};

class TraceRecorder {
 public:
  explicit TraceRecorder(uint64_t checkpoint_every = 10'000) : checkpoint_every_(checkpoint_every) {}

  void record(std::string_view line);
  uint64_t hash() const { return hash_; }
  uint64_t lines() const { return lines_; }
  const std::vector<Checkpoint>& checkpoints() const { return checkpoints_; }
  // Also write every line to `path` (for debugging a divergence). Returns false if not writable.
  bool write_lines_to(const std::string& path);

 private:
  uint64_t checkpoint_every_;
  uint64_t hash_ = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  uint64_t lines_ = 0;
  std::vector<Checkpoint> checkpoints_;
  std::unique_ptr<std::ofstream> out_;
};

std::string hex64(uint64_t v);

}  // namespace garage::sim
