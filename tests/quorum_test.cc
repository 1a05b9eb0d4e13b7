// quorum_call: decides as soon as each set has its quorum or one set cannot have it any more,
// lets the other calls finish in the background, and reports every result when all are done.
#include "node/table/quorum.h"

#include <gtest/gtest.h>

#include "tests/runtime_harness.h"

namespace garage {
namespace {

NodeId node(int i) {
  NodeId id;
  id.bytes[0] = static_cast<uint8_t>(i);
  return id;
}

// Node i answers after i * 10 ms; nodes in `failing` answer with an error.
NodeCall delayed(Executor& clock, std::set<int> failing) {
  return [&clock, failing](NodeId n) -> Task<absl::StatusOr<std::string>> {
    const int i = n.bytes[0];
    absl::Status slept = co_await sleep_for(clock, absl::Milliseconds(10 * i));
    if (!slept.ok()) co_return slept;
    if (failing.count(i)) co_return absl::UnavailableError("down");
    co_return std::string(1, static_cast<char>('a' + i));
  };
}

TEST(QuorumCall, ReturnsAtTheQuorumAndSeesTheRestLater) {
  testing::RuntimeHarness h;
  NodeResults all;
  NodeCall call = delayed(h.clock, {});
  std::vector<std::vector<NodeId>> sets = {{node(1), node(2), node(3)}};
  QuorumResult r = h.run(quorum_call(h.spawner, sets, 2, call, [&all](const NodeResults& res) { all = res; }));
  EXPECT_TRUE(r.reached);
  EXPECT_EQ(r.results.size(), 2u);  // decided at the second answer
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(20));
  EXPECT_TRUE(all.empty());
  while (h.loop.step()) {
  }
  EXPECT_EQ(all.size(), 3u);  // the third answered in the background
}

TEST(QuorumCall, FailsAsSoonAsTheQuorumIsImpossible) {
  testing::RuntimeHarness h;
  NodeCall call = delayed(h.clock, {1, 2});
  std::vector<std::vector<NodeId>> sets = {{node(1), node(2), node(3)}};
  QuorumResult r = h.run(quorum_call(h.spawner, sets, 2, call));
  EXPECT_FALSE(r.reached);
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(20));
  EXPECT_NE(r.error.find("down"), std::string::npos);
}

TEST(QuorumCall, NeedsAQuorumInEverySet) {
  testing::RuntimeHarness h;
  // Old set {1,2,3} has its quorum at 20 ms; the new set {3,4,5} only at 40 ms.
  NodeCall call = delayed(h.clock, {});
  std::vector<std::vector<NodeId>> sets = {{node(1), node(2), node(3)}, {node(3), node(4), node(5)}};
  QuorumResult r = h.run(quorum_call(h.spawner, sets, 2, call));
  EXPECT_TRUE(r.reached);
  EXPECT_EQ(h.loop.now(), absl::Milliseconds(40));
  // And a set that cannot reach it fails the whole call even if another could.
  testing::RuntimeHarness h2;
  NodeCall failing = delayed(h2.clock, {4, 5});
  QuorumResult r2 = h2.run(quorum_call(h2.spawner, sets, 2, failing));
  EXPECT_FALSE(r2.reached);
}

TEST(QuorumCall, RefusesImpossibleSetsUpFront) {
  testing::RuntimeHarness h;
  NodeCall call = delayed(h.clock, {});
  EXPECT_FALSE(h.run(quorum_call(h.spawner, {}, 1, call)).reached);
  std::vector<std::vector<NodeId>> small = {{node(1)}};
  QuorumResult r = h.run(quorum_call(h.spawner, small, 2, call));
  EXPECT_FALSE(r.reached);
  EXPECT_NE(r.error.find("smaller than the quorum"), std::string::npos);
}

}  // namespace
}  // namespace garage
