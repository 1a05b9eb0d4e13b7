// The S3 stack under simulation (garage-sim --workload s3): signed requests through the real
// S3 handlers on a 3-zone cluster with partitions, crashes, clock skew, message loss, disk read
// corruption and a layout change; no acknowledged object is lost or corrupted and reads follow
// acknowledged writes, and the space of overwritten and deleted objects comes back. The
// integrity and space checkers are each shown to fail with a planted bug.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sim/scenario.h"

namespace garage::sim {
namespace {

SimResult run(SimOptions o) {
  o.workload = "s3";
  absl::StatusOr<SimResult> r = run_simulation(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SimResult{};
}

std::string describe(const SimResult& r) {
  return absl::StrCat(r.last_line(), "\n  ", absl::StrJoin(r.violations, "\n  "), "\n  log: ",
                      absl::StrJoin(r.log, "\n  "));
}

TEST(SimS3, NoViolationOver60SeedsWithEveryFault) {
  uint64_t puts = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SimOptions o;
    o.seed = seed;
    SimResult r = run(o);
    EXPECT_TRUE(r.violations.empty()) << describe(r);
    for (const std::string& line : r.log) {
      uint64_t n = 0;
      if (std::sscanf(line.c_str(), "s3 workload: %lu puts", &n) == 1) puts += n;
    }
  }
  EXPECT_GT(puts, 60u * 40) << "the workload should acknowledge dozens of PUTs per seed";
}

TEST(SimS3, HoldsForOtherShapesAndReplicationFactors) {
  for (auto [nodes, zones, rf] : {std::tuple{3, 3, 3}, std::tuple{4, 2, 2}, std::tuple{7, 3, 3}, std::tuple{5, 3, 1}}) {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      SimOptions o;
      o.seed = seed;
      o.nodes = nodes;
      o.zones = zones;
      o.replication_factor = rf;
      SimResult r = run(o);
      EXPECT_TRUE(r.violations.empty()) << nodes << " nodes, " << zones << " zones, rf " << rf << ": " << describe(r);
    }
  }
}

TEST(SimS3, ServingUnverifiedBlocksIsCaught) {
  int caught = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimOptions o;
    o.seed = seed;
    o.plant_bug = "serve-unverified-blocks";
    caught += !run(o).violations.empty();
  }
  EXPECT_GT(caught, 0);
}

// The space check: with follow-ups lost, overwritten and deleted objects keep their block lists
// and references, and the end-of-run check names them.
TEST(SimS3, LosingFollowUpsIsCaught) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    SimOptions o;
    o.seed = seed;
    o.plant_bug = "lose-follow-ups";
    SimResult r = run(o);
    bool named = false;
    for (const std::string& v : r.violations) named = named || v.find("which no object names any more") != std::string::npos;
    EXPECT_TRUE(named) << "seed " << seed << ": " << describe(r);
  }
}

}  // namespace
}  // namespace garage::sim
