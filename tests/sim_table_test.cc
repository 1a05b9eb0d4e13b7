// The replicated table under simulation: the consistency checkers hold for many seeds (with a
// layout change mid-run in every one), and each planted bug is caught.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sim/scenario.h"
#include "tests/sim_sweep.h"

namespace garage::sim {
namespace {

SimResult run_ok(SimOptions o) {
  o.workload = "table";
  absl::StatusOr<SimResult> r = run_simulation(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SimResult{};
}

std::string describe(const SimResult& r) {
  return absl::StrCat(r.last_line(), "\n  ", absl::StrJoin(r.violations, "\n  "),
                      "\n  log: ", absl::StrJoin(r.log, "\n  "));
}

TEST(SimTable, NoViolationOver100SeedsWithEveryFault) {
  for (uint64_t seed = 1; seed <= sweep_of(100).seeds; ++seed) {
    SimOptions o;
    o.seed = seed;
    SimResult r = run_ok(o);
    EXPECT_TRUE(r.violations.empty()) << describe(r);
  }
}

// The same seeds, with no layout change, a zone joining, or a node leaving mid-run.
TEST(SimTable, SameSeedsHoldWithAndWithoutALayoutChange) {
  for (const char* change : {"none", "add-zone", "remove-node"}) {
    for (uint64_t seed = 1; seed <= sweep_of(30).seeds; ++seed) {
      SimOptions o;
      o.seed = seed;
      o.layout_change = change;
      SimResult r = run_ok(o);
      EXPECT_TRUE(r.violations.empty()) << change << ": " << describe(r);
    }
  }
}

TEST(SimTable, RetiringTheOldLayoutEarlyIsCaughtForEachKindOfChange) {
  for (const char* change : {"capacity", "add-zone", "remove-node"}) {
    int caught = 0;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      SimOptions o;
      o.seed = seed;
      o.layout_change = change;
      o.plant_bug = "retire-layout-before-sync";
      caught += !run_ok(o).violations.empty();
    }
    EXPECT_GT(caught, 0) << change;
  }
}

TEST(SimTable, HoldsForOtherClusterShapes) {
  struct Shape {
    int nodes, zones;
  };
  for (Shape s : {Shape{3, 1}, Shape{3, 3}, Shape{4, 2}, Shape{7, 3}, Shape{9, 3}}) {
    for (uint64_t seed = 1; seed <= sweep_of(10).seeds; ++seed) {
      SimOptions o;
      o.seed = seed;
      o.nodes = s.nodes;
      o.zones = s.zones;
      SimResult r = run_ok(o);
      EXPECT_TRUE(r.violations.empty()) << s.nodes << " nodes, " << s.zones << " zones: " << describe(r);
    }
  }
}

TEST(SimTable, HoldsForReplicationFactors1To5) {
  for (int rf : {1, 2, 5}) {
    for (uint64_t seed = 1; seed <= sweep_of(10).seeds; ++seed) {
      SimOptions o;
      o.seed = seed;
      o.nodes = 7;
      o.replication_factor = rf;
      SimResult r = run_ok(o);
      EXPECT_TRUE(r.violations.empty()) << "rf " << rf << ": " << describe(r);
    }
  }
}

// The checkers can fail: each planted bug is caught within the first 10 seeds (measured on
// seeds 1-20: write-quorum-1 17/20, read-quorum-1 19/20, skip-read-repair 18/20,
// retire-layout-before-sync 8/20, merkle-skip-tombstones 18/20).
TEST(SimTable, EveryPlantedBugIsCaught) {
  for (const char* bug :
       {"write-quorum-1", "read-quorum-1", "skip-read-repair", "retire-layout-before-sync", "merkle-skip-tombstones"}) {
    int caught_at = 0;
    for (uint64_t seed = 1; seed <= 10 && caught_at == 0; ++seed) {
      SimOptions o;
      o.seed = seed;
      o.plant_bug = bug;
      if (!run_ok(o).violations.empty()) caught_at = static_cast<int>(seed);
    }
    EXPECT_GT(caught_at, 0) << bug << " was not caught in 10 seeds";
  }
}

// The interesting paths are reached, so passing is not for lack of trying.
TEST(SimTable, RunsReachRepairSyncCollectionAndTransitions) {
  std::map<std::string, uint64_t> probes;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimOptions o;
    o.seed = seed;
    for (const auto& [name, n] : run_ok(o).probes) probes[name] += n;
  }
  for (const char* p :
       {"table.read_repair", "table.tombstones_collected", "table.sync_for_new_layout", "layout.acked"}) {
    EXPECT_GT(probes[p], 0u) << p;
  }
}

TEST(SimTable, SameSeedSameTrace) {
  SimOptions o;
  o.seed = 42;
  EXPECT_EQ(run_ok(o).trace_hash, run_ok(o).trace_hash);
}

}  // namespace
}  // namespace garage::sim
