// Simulation of membership under every fault: the checkers hold over many seeds, the run is a
// pure function of its seed, and a planted bug is caught (so the checkers can fail).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sim/scenario.h"
#include "tests/sim_sweep.h"

namespace garage::sim {
namespace {

// These tests are about membership alone: its workload is the fastest way to run them (the
// table workload runs membership too, and tests/sim_table_test.cc covers it).
SimResult run_ok(SimOptions o) {
  o.workload = "membership";
  absl::StatusOr<SimResult> r = run_simulation(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SimResult{};
}

std::string describe(const SimResult& r) {
  std::string out = r.last_line();
  for (const auto& v : r.violations) out += "\n  " + v;
  return out;
}

TEST(SimMembership, EveryLiveNodeSeesEveryOtherUpAfterHeal_200Seeds) {
  for (uint64_t seed = 1; seed <= sweep_of(200).seeds; ++seed) {
    SimOptions o;
    o.seed = seed;
    const SimResult r = run_ok(o);
    ASSERT_TRUE(r.violations.empty()) << describe(r);
  }
}

TEST(SimMembership, HoldsForOtherClusterShapes) {
  struct Shape {
    int nodes, zones;
  };
  for (Shape shape : {Shape{3, 3}, Shape{9, 3}, Shape{4, 2}, Shape{20, 3}, Shape{1, 1}}) {
    for (uint64_t seed = 1000; seed < 1000 + sweep_of(10).seeds; ++seed) {
      SimOptions o;
      o.seed = seed;
      o.nodes = shape.nodes;
      o.zones = shape.zones;
      o.duration = absl::Seconds(180);
      const SimResult r = run_ok(o);
      ASSERT_TRUE(r.violations.empty()) << shape.nodes << " nodes, " << shape.zones << " zones: " << describe(r);
    }
  }
}

TEST(SimMembership, SameSeedSameTraceByteForByte) {
  SimOptions o;
  o.seed = 4242;
  const SimResult a = run_ok(o), b = run_ok(o);
  EXPECT_EQ(a.last_line(), b.last_line());
  ASSERT_EQ(a.checkpoints.size(), b.checkpoints.size());
  for (size_t i = 0; i < a.checkpoints.size(); ++i) EXPECT_EQ(a.checkpoints[i].hash, b.checkpoints[i].hash);
  EXPECT_GT(a.events, 1000u);
}

TEST(SimMembership, DifferentSeedsGiveDifferentTraces) {
  std::set<uint64_t> hashes;
  const Sweep sweep = sweep_of(100);
  for (uint64_t seed = 1; seed <= sweep.seeds; ++seed) {
    SimOptions o;
    o.seed = seed;
    hashes.insert(run_ok(o).trace_hash);
  }
  EXPECT_EQ(hashes.size(), sweep.seeds);
}

TEST(SimMembership, PlantedStickyDownBugIsCaughtWithinFiveSeeds) {
  int caught = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SimOptions o;
    o.seed = seed;
    o.plant_bug = "sticky-down";
    caught += run_ok(o).violations.empty() ? 0 : 1;
  }
  EXPECT_GE(caught, 1);
}

TEST(SimMembership, InvalidOptionsAreRefusedClearly) {
  SimOptions o;
  o.faults = {"meteor"};
  EXPECT_EQ(run_simulation(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = SimOptions{};
  o.plant_bug = "no-such-bug";
  EXPECT_EQ(run_simulation(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = SimOptions{};
  o.zones = 9;
  o.nodes = 3;
  EXPECT_EQ(run_simulation(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace garage::sim

namespace garage::sim {
namespace {

// The checkers only mean something if the rare paths they guard actually happen: over a modest
// number of seeds the simulator must reach each of these.
TEST(SimCoverage, RarePathsAreReachedAcrossSeeds) {
  std::map<std::string, uint64_t> reached;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SimOptions o;
    o.seed = seed;
    absl::StatusOr<SimResult> r = run_simulation(o);
    ASSERT_TRUE(r.ok());
    for (const auto& [name, count] : r->probes) reached[name] += count;
  }
  for (const char* name :
       {"membership.peer_down_detected", "membership.peer_up", "membership.peer_learned_by_gossip",
        "membership.peer_list_corrupt", "layout.merged_from_peer", "layout.newer_version_from_peer"}) {
    EXPECT_GT(reached[name], 0u) << name << " never reached in 60 seeds";
  }
}

}  // namespace
}  // namespace garage::sim
