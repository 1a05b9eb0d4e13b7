// The persisted peer list: a node restarted while its bootstrap peer is down finds the cluster
// from what it saved on disk; without that file it cannot (so the test depends on it); a
// corrupt file is reported and ignored, and the node rejoins once its bootstrap peer returns.
#include <gtest/gtest.h>

#include "sim/cluster.h"

namespace garage::sim {
namespace {

ClusterConfig four_nodes_two_zones() {
  ClusterConfig config;
  config.nodes = 4;
  config.zones = 2;
  return config;
}

struct PeerListWorld {
  PeerListWorld() : cluster(loop, 7, four_nodes_two_zones()) {
    for (int i = 0; i < 4; ++i) cluster.start(i);
    loop.run_until(absl::Seconds(10));
    for (int i = 1; i < 4; ++i) EXPECT_TRUE(cluster.node(i).membership->sees_up(cluster.id_of(0)));
    for (int i = 0; i < 4; ++i) cluster.crash(i);  // everyone loses their memory
  }
  bool others_see_each_other() {
    for (int a = 1; a < 4; ++a) {
      for (int b = 1; b < 4; ++b) {
        if (a != b && !cluster.node(a).membership->sees_up(cluster.id_of(b))) return false;
      }
    }
    return true;
  }
  void restart_all_but_bootstrap() {
    for (int i = 1; i < 4; ++i) cluster.start(i);  // node 0, everyone's bootstrap peer, stays down
    loop.run_until(loop.now() + absl::Seconds(15));
  }
  EventLoop loop;
  Cluster cluster;
};

TEST(SimPeerList, RestartedNodesFindEachOtherWithoutTheirBootstrapPeer) {
  PeerListWorld w;
  for (int i = 1; i < 4; ++i) ASSERT_TRUE(w.cluster.disk_storage(i).files().count("peer_list"));
  w.restart_all_but_bootstrap();
  EXPECT_TRUE(w.others_see_each_other());
}

TEST(SimPeerList, WithoutTheFileTheyCannot) {
  PeerListWorld w;
  for (int i = 1; i < 4; ++i) w.cluster.disk_storage(i).files().erase("peer_list");
  w.restart_all_but_bootstrap();
  EXPECT_FALSE(w.others_see_each_other());
}

TEST(SimPeerList, CorruptFileIsIgnoredAndTheNodeRejoinsViaBootstrap) {
  PeerListWorld w;
  for (int i = 1; i < 4; ++i)
    ASSERT_TRUE(w.cluster.disk_storage(i).corrupt_at_rest("peer_list", 3));  // the version byte
  w.restart_all_but_bootstrap();
  w.cluster.start(0);
  w.loop.run_until(w.loop.now() + absl::Seconds(15));
  EXPECT_TRUE(w.others_see_each_other());
  EXPECT_EQ(w.cluster.error_events(), 0u);
}

}  // namespace
}  // namespace garage::sim
