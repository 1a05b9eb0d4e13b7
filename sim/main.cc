// garage-sim: runs one simulated cluster from a seed and prints its fingerprint.
//
//   garage-sim --seed 7                          # every fault, the most complete workload
//   garage-sim --seed 7 --faults partition,crash --nodes 9 --zones 3 --duration 300
//   garage-sim --seed 7 --checkpoints-out a.txt  # then --compare-checkpoints a.txt on another build
//
// The last line is always: seed=N trace_hash=HEX events=E violations=V. Exit 1 on violations.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sim/scenario.h"

namespace {

using garage::sim::Checkpoint;

bool write_checkpoints(const std::string& path, const std::vector<Checkpoint>& cps) {
  std::ofstream out(path);
  for (const auto& c : cps) out << c.line_count << " " << garage::sim::hex64(c.hash) << "\n";
  return out.good();
}

// Prints the first checkpoint where this run and a recorded one differ.
int compare_checkpoints(const std::string& path, const std::vector<Checkpoint>& cps) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  uint64_t previous = 0;
  std::string line;
  for (size_t i = 0; std::getline(in, line); ++i) {
    std::istringstream fields(line);
    uint64_t count = 0;
    std::string hash;
    fields >> count >> hash;
    if (i >= cps.size() || cps[i].line_count != count || garage::sim::hex64(cps[i].hash) != hash) {
      std::cout << "first divergence between trace lines " << previous << " and " << count
                << " (rerun both with --trace-out and compare that range)\n";
      return 1;
    }
    previous = count;
  }
  std::cout << "checkpoints identical (" << cps.size() << " compared)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"garage-sim: deterministic simulation of a Garage cluster"};
  garage::sim::SimOptions options;
  int64_t duration_s = 120;
  std::string faults = "all", checkpoints_out, compare_with;
  bool verbose = false;
  app.add_option("--seed", options.seed, "random seed; the run is a pure function of it")->required();
  app.add_option("--nodes", options.nodes, "number of nodes")->capture_default_str();
  app.add_option("--zones", options.zones, "number of zones (sites)")->capture_default_str();
  app.add_option("--duration", duration_s, "simulated seconds")->capture_default_str();
  app.add_option("--faults", faults, "comma list of partition,loss,crash,skew,disk; 'all' or 'none'")
      ->capture_default_str();
  app.add_option("--workload", options.workload,
                 "workload: table (default), s3 (signed S3 requests through the real handlers) or membership")
      ->capture_default_str();
  app.add_option(
      "--layout-change", options.layout_change,
      "table workload's mid-run layout change: none, capacity, add-zone, remove-node (default: from the seed)");
  app.add_option("--replication-factor", options.replication_factor, "replicas per partition (table workload)")
      ->capture_default_str();
  app.add_option("--plant-bug", options.plant_bug,
                 "deliberately break the node (checker self-test): sticky-down, write-quorum-1, read-quorum-1, "
                 "skip-read-repair, retire-layout-before-sync, merkle-skip-tombstones, serve-unverified-blocks, "
                 "lose-follow-ups, stale-block-gc, skip-write-rollback, live-range-trusts-senders, "
                 "complete-reuses-upload-uuid, shared-dial-waiter, copy-without-references, unalias-does-nothing");
  app.add_flag("--data-disk-dies", options.data_disk_dies,
               "s3 workload: one node's data disk dies for good 5 s into the fault window");
  app.add_flag("--connections", options.connections,
               "calls go through the real transport's Dialer: one dial per peer, backoff after a failure");
  app.add_option("--trace-out", options.trace_path, "write every trace line to this file");
  app.add_option("--checkpoints-out", checkpoints_out, "write the checkpoint hashes to this file");
  app.add_option("--compare-checkpoints", compare_with, "compare this run's checkpoints with a file");
  app.add_flag("-v,--verbose", verbose, "print the fault schedule");
  CLI11_PARSE(app, argc, argv);

  options.duration = absl::Seconds(duration_s);
  options.faults.clear();
  if (faults == "all") {
    options.faults = garage::sim::all_fault_kinds();
  } else if (faults != "none") {
    for (absl::string_view f : absl::StrSplit(faults, ',', absl::SkipEmpty())) options.faults.insert(std::string(f));
  }

  absl::StatusOr<garage::sim::SimResult> result = garage::sim::run_simulation(options);
  if (!result.ok()) {
    std::cerr << "garage-sim: " << result.status().message() << "\n";
    return 2;
  }
  if (verbose) {
    for (const auto& line : result->log) std::cout << line << "\n";
    for (const auto& [name, count] : result->probes) std::cout << "probe " << name << " reached " << count << "x\n";
    if (!result->services.empty()) std::cout << "services: " << absl::StrJoin(result->services, " ") << "\n";
  }
  for (const auto& v : result->violations) std::cout << "VIOLATION " << v << "\n";
  if (!checkpoints_out.empty() && !write_checkpoints(checkpoints_out, result->checkpoints)) {
    std::cerr << "cannot write " << checkpoints_out << "\n";
    return 2;
  }
  if (!compare_with.empty()) compare_checkpoints(compare_with, result->checkpoints);
  std::cout << result->last_line() << std::endl;
  return result->violations.empty() ? 0 : 1;
}
