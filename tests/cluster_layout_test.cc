// ClusterLayout: staging, apply, revert, the encoding, and the CRDT laws of merge.
#include "node/layout/cluster_layout.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace garage {
namespace {

constexpr uint64_t kTB = 1'000'000'000'000;

NodeId id_of(int i) {
  NodeId id;
  id.bytes[0] = static_cast<uint8_t>(i);
  return id;
}

NodeRole role(std::string zone, std::optional<uint64_t> tb) {
  return NodeRole{std::move(zone), tb ? std::optional<uint64_t>(*tb * kTB) : std::nullopt, {}};
}

TEST(ClusterLayout, StageApplyRevertAndVersionChecks) {
  ClusterLayout l;
  EXPECT_EQ(l.current_version(), 0u);
  for (int i = 1; i <= 3; ++i) l.stage(id_of(i), role("dc" + std::to_string(i), 1), 10, id_of(9));
  EXPECT_EQ(l.apply(2, 3).code(), absl::StatusCode::kFailedPrecondition);  // wrong version number
  ASSERT_TRUE(l.apply(1, 3).ok());
  EXPECT_EQ(l.current_version(), 1u);
  EXPECT_TRUE(l.staged().empty());
  EXPECT_EQ(l.current()->assignment.partitions_on(id_of(2)), kPartitions);
  EXPECT_EQ(l.apply(2, 3).code(), absl::StatusCode::kFailedPrecondition);  // nothing staged

  l.stage(id_of(4), role("dc1", 2), 20, id_of(9));
  l.revert();
  EXPECT_TRUE(l.staged().empty());
  l.stage(id_of(3), std::nullopt, 30, id_of(9));  // removing a zone's only node: RF 3 needs 3 nodes
  EXPECT_EQ(l.apply(2, 3).code(), absl::StatusCode::kFailedPrecondition);
  l.stage(id_of(4), role("dc3", 2), 31, id_of(9));
  absl::StatusOr<LayoutVersion> preview = l.preview(3);
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(preview->assignment.moved_replicas, kPartitions);  // node 3's copies all go to node 4
  ASSERT_TRUE(l.apply(2, 3).ok());
  EXPECT_EQ(l.versions().size(), 2u);
}

TEST(ClusterLayout, EncodingRoundTripsAndRefusesGarbage) {
  ClusterLayout l;
  for (int i = 1; i <= 4; ++i)
    l.stage(id_of(i), role("z" + std::to_string(i % 2), i == 4 ? std::nullopt : std::optional<uint64_t>(i)), i,
            id_of(1));
  ASSERT_TRUE(l.apply(1, 2).ok());
  l.stage(id_of(5), role("z1", 3), 99, id_of(2));
  const std::string bytes = l.encode();
  absl::StatusOr<ClusterLayout> back = ClusterLayout::decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, l);
  EXPECT_EQ(back->encode(), bytes);
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_FALSE(ClusterLayout::decode(std::string_view(bytes).substr(0, cut)).ok());
  }
  std::string future = bytes;
  future[0] = ClusterLayout::kEncodingVersion + 1;
  EXPECT_FALSE(ClusterLayout::decode(future).ok());
}

TEST(ClusterLayout, Version1EncodingStillDecodes) {
  ClusterLayout l;
  for (int i = 1; i <= 3; ++i) l.stage(id_of(i), role("z" + std::to_string(i), 1), i, id_of(1));
  ASSERT_TRUE(l.apply(1, 3).ok());
  std::string v1 = l.encode();  // no trackers yet: v2 adds two empty counts at the end
  v1[0] = 1;
  v1.resize(v1.size() - 8);
  absl::StatusOr<ClusterLayout> back = ClusterLayout::decode(v1);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, l);
}

TEST(ClusterLayout, OldVersionsStayActiveUntilEveryStorageNodeSynced) {
  ClusterLayout l;
  for (int i = 1; i <= 3; ++i) l.stage(id_of(i), role("z" + std::to_string(i), 1), i, id_of(1));
  l.stage(id_of(9), role("z1", std::nullopt), 1, id_of(1));  // a gateway
  ASSERT_TRUE(l.apply(1, 3).ok());
  ASSERT_EQ(l.active_versions().size(), 1u);
  l.stage(id_of(4), role("z3", 1), 10, id_of(1));
  l.stage(id_of(3), std::nullopt, 10, id_of(1));
  ASSERT_TRUE(l.apply(2, 3).ok());
  ASSERT_EQ(l.active_versions().size(), 2u);  // nobody has synced version 2
  EXPECT_EQ(l.min_ack(), 0u);
  for (int i : {1, 2, 3, 4, 9}) l.set_ack(id_of(i), 2);
  EXPECT_EQ(l.min_ack(), 2u);
  for (int i : {1, 2}) l.set_synced(id_of(i), 2);
  EXPECT_EQ(l.active_versions().size(), 2u);  // node 4, the new replica, has not
  // Trackers only grow, and merging carries them.
  EXPECT_FALSE(l.set_synced(id_of(1), 1));
  ClusterLayout other = l;
  other.set_synced(id_of(4), 2);
  EXPECT_TRUE(l.merge(other));
  ASSERT_EQ(l.active_versions().size(), 1u);  // gateways and removed nodes need not sync
  EXPECT_EQ(l.active_versions()[0]->version, 2u);
  absl::StatusOr<ClusterLayout> back = ClusterLayout::decode(l.encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, l);
}

// Random layouts built by random operations on three "admins" sharing history through merges.
rc::Gen<ClusterLayout> random_layout() {
  return rc::gen::exec([] {
    ClusterLayout l;
    const int ops = *rc::gen::inRange(0, 8);
    for (int i = 0; i < ops; ++i) {
      switch (*rc::gen::inRange(0, 8)) {
        case 0:
          l.revert();
          break;
        case 6:
          l.set_ack(id_of(*rc::gen::inRange(1, 5)), *rc::gen::inRange<uint64_t>(0, 4));
          break;
        case 7:
          l.set_synced(id_of(*rc::gen::inRange(1, 5)), *rc::gen::inRange<uint64_t>(0, 4));
          break;
        case 1:
          (void)l.apply(l.current_version() + 1, 1);
          break;
        default: {
          const int node = *rc::gen::inRange(1, 5);
          const bool remove = *rc::gen::inRange(0, 5) == 0;
          l.stage(id_of(node),
                  remove ? std::nullopt : std::optional(role("z" + std::to_string(node % 2), *rc::gen::inRange(1, 4))),
                  *rc::gen::inRange(0, 5), id_of(*rc::gen::inRange(1, 3)));
        }
      }
    }
    return l;
  });
}

ClusterLayout merged(ClusterLayout a, const ClusterLayout& b) {
  a.merge(b);
  return a;
}

RC_GTEST_PROP(ClusterLayoutCrdt, MergeIsCommutativeAssociativeIdempotent, ()) {
  const ClusterLayout a = *random_layout(), b = *random_layout(), c = *random_layout();
  RC_ASSERT(merged(a, b) == merged(b, a));
  RC_ASSERT(merged(merged(a, b), c) == merged(a, merged(b, c)));
  RC_ASSERT(merged(a, a) == a);
  RC_ASSERT(!merged(a, b).merge(b));  // merging again changes nothing
}

}  // namespace
}  // namespace garage
