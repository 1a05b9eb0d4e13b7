// A simulation run: a cluster, a fault schedule, a workload and its checkers, from one seed.
//
// Timeline of a run of length D: [0, 10s) warm-up without faults; [10s, D - T) faults start
// and heal at random (partitions, crashes); at D - T every partition heals and every crashed
// node restarts; the checkers then verify what must hold once the cluster is whole again.
// T is 20 s for the membership workload, 60 s for the table workload (sim/table_workload.h).
// Loss, duplication, reordering, clock skew and disk bit flips (when enabled) last the whole run.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sim/trace.h"

namespace garage::sim {

inline const std::set<std::string>& all_fault_kinds() {
  static const std::set<std::string> kinds = {"partition", "loss", "crash", "skew", "disk"};
  return kinds;
}
inline const std::set<std::string>& all_workloads() {
  static const std::set<std::string> workloads = {"membership", "table", "s3"};
  return workloads;
}
inline const std::set<std::string>& all_planted_bugs() {
  static const std::set<std::string> bugs = {"sticky-down",
                                             "write-quorum-1",
                                             "read-quorum-1",
                                             "skip-read-repair",
                                             "retire-layout-before-sync",
                                             "merkle-skip-tombstones",
                                             "serve-unverified-blocks",
                                             "lose-follow-ups",
                                             "stale-block-gc",
                                             "skip-write-rollback",
                                             "shared-dial-waiter",
                                             "live-range-trusts-senders",
                                             "complete-reuses-upload-uuid",
                                             "copy-without-references",
                                             "unalias-does-nothing"};
  return bugs;
}

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 5;
  int zones = 3;
  int replication_factor = 3;
  absl::Duration duration = absl::Seconds(120);
  std::set<std::string> faults = all_fault_kinds();
  std::string workload = "table";  // membership runs under every workload; "s3" runs the whole S3 stack
  std::string plant_bug;           // empty: none
  // The mid-run layout change (clusters of 3+ nodes). Empty: drawn from the seed among those
  // the cluster allows; or "none", "capacity", "add-zone", "remove-node".
  std::string layout_change;
  std::string trace_path;  // empty: trace lines are only hashed
  // Calls through the real transport's Dialer (sim/sim_network.h, NetworkConfig::connections).
  // On for even seeds of the s3 and membership workloads; off by default for the table workload
  // until its read-repair check allows for the dial backoff.
  bool connections = false;
  // s3 workload: one node's data disk (its blocks, not its metadata) dies for good 5 s into the
  // fault window. Its reads and writes of blocks fail; other holders must serve them.
  bool data_disk_dies = false;
};

struct SimResult {
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  uint64_t events = 0;
  std::vector<std::string> violations;
  std::vector<Checkpoint> checkpoints;
  std::vector<std::string> log;            // human-readable summary of the schedule and checks
  std::map<std::string, uint64_t> probes;  // rare paths reached (node/chaos.h), with counts
  // What a node of the s3 workload runs (Node::services(), the first one running at the end):
  // the list the daemon logs at start, for the tests to compare.
  std::vector<std::string> services;

  std::string last_line() const;  // "seed=N trace_hash=HEX events=E violations=V"
};

// Fails only for invalid options; violations are part of a successful result.
absl::StatusOr<SimResult> run_simulation(const SimOptions& options);

}  // namespace garage::sim
