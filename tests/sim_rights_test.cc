// Rights in a simulated cluster.
// - Administrative changes under clock skew (issue 25, point 8): a key deletion, a revocation
//   or a bucket deletion made after a grant or a creation was acknowledged wins over it, even
//   when the node that made the earlier change has a wall clock an hour ahead. Three nodes,
//   RF 3: node 0 runs an hour ahead, node 1 on time, node 2 an hour behind.
// - Blocks are for the nodes of the layout: a running, connected node outside it reads and
//   writes none.
// - The CLI's requests (keys and their secrets among them) answer administration certificates
//   only: a node, holding a node's certificate, is refused.
#include <gtest/gtest.h>

#include "node/hash.h"
#include "node/model/admin.h"
#include "tests/sim_table_harness.h"

namespace garage::sim {
namespace {

constexpr int kAhead = 0, kOnTime = 1, kBehind = 2;

ClusterConfig skewed_cluster() {
  ClusterConfig c;
  c.nodes = 3;
  c.zones = 3;
  c.table = TableCluster::quiet_options();
  c.clocks = {ClockFaults{.skew = absl::Hours(1)}, ClockFaults{}, ClockFaults{.skew = -absl::Hours(1)}};
  return c;
}

KeyInfo must_import(TableCluster& c, int node, const std::string& id, const std::string& secret) {
  absl::StatusOr<KeyInfo> k = c.run(node, c.model(node).import_key("skew", id, secret));
  EXPECT_TRUE(k.ok()) << k.status();
  return k.ok() ? *k : KeyInfo{};
}

BucketInfo must_create(TableCluster& c, int node, const std::string& name) {
  absl::StatusOr<BucketInfo> b = c.run(node, c.model(node).create_bucket(name));
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : BucketInfo{};
}

std::optional<KeyInfo> key_seen_by(TableCluster& c, int node, const std::string& id) {
  absl::StatusOr<std::optional<KeyInfo>> k = c.run(node, c.model(node).get_key(id));
  EXPECT_TRUE(k.ok()) << k.status();
  return k.ok() ? *k : std::nullopt;
}

const Perms kAll{true, true, true};

TEST(AdminUnderSkew, ADeletedKeyStaysDeletedThoughItWasCreatedByANodeAhead) {
  TableCluster c(skewed_cluster());
  must_import(c, kAhead, "GKahead0001", "secret-one");
  ASSERT_TRUE(key_seen_by(c, kOnTime, "GKahead0001").has_value());
  ASSERT_TRUE(c.run(kOnTime, c.model(kOnTime).delete_key("GKahead0001")).ok());
  for (int node : {kAhead, kOnTime, kBehind})
    EXPECT_FALSE(key_seen_by(c, node, "GKahead0001").has_value()) << "node " << node << " still sees the key";
}

TEST(AdminUnderSkew, ARightGrantedByANodeAheadDoesNotSurviveTheKeysDeletion) {
  TableCluster c(skewed_cluster());
  must_import(c, kAhead, "GKgrant0001", "secret-one");
  const BucketInfo bucket = must_create(c, kAhead, "skewed-bucket");
  ASSERT_TRUE(c.run(kAhead, c.model(kAhead).set_permissions(bucket.id, "GKgrant0001", kAll, true)).ok());
  ASSERT_TRUE(c.run(kOnTime, c.model(kOnTime).delete_key("GKgrant0001")).ok());

  // The same id imported again starts a new life with nothing.
  must_import(c, kOnTime, "GKgrant0001", "secret-two");
  for (int node : {kAhead, kOnTime, kBehind}) {
    std::optional<KeyInfo> k = key_seen_by(c, node, "GKgrant0001");
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(k->secret, "secret-two");
    EXPECT_TRUE(k->buckets.empty()) << "node " << node << " still grants " << k->buckets.begin()->second.str();
  }
  absl::StatusOr<std::optional<BucketInfo>> b = c.run(kBehind, c.model(kBehind).get_bucket(bucket.id));
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_TRUE((*b)->keys.empty()) << "the bucket still lists the old key's rights";
}

TEST(AdminUnderSkew, ARevocationAndAGrantAfterItEachWinWhateverTheClocks) {
  TableCluster c(skewed_cluster());
  must_import(c, kOnTime, "GKorder0001", "secret-one");
  const BucketInfo bucket = must_create(c, kOnTime, "ordered-bucket");
  ASSERT_TRUE(c.run(kAhead, c.model(kAhead).set_permissions(bucket.id, "GKorder0001", kAll, true)).ok());
  // Revoked from a node an hour behind the grant's stamp: the revocation still wins.
  ASSERT_TRUE(c.run(kBehind, c.model(kBehind).set_permissions(bucket.id, "GKorder0001", kAll, false)).ok());
  std::optional<KeyInfo> k = key_seen_by(c, kOnTime, "GKorder0001");
  ASSERT_TRUE(k.has_value());
  EXPECT_TRUE(k->buckets.empty());
  // Granted again from the node behind: the new grant wins over the revocation before it.
  const Perms read_only{true, false, false};
  ASSERT_TRUE(c.run(kBehind, c.model(kBehind).set_permissions(bucket.id, "GKorder0001", read_only, true)).ok());
  k = key_seen_by(c, kAhead, "GKorder0001");
  ASSERT_TRUE(k.has_value());
  ASSERT_EQ(k->buckets.count(bucket.id), 1u);
  EXPECT_EQ(k->buckets[bucket.id], read_only);
}

TEST(AdminUnderSkew, ADeletedBucketAndItsNameStayGoneAndTheNameCanBeTakenAgain) {
  TableCluster c(skewed_cluster());
  const BucketInfo first = must_create(c, kAhead, "reused-name");
  ASSERT_TRUE(c.run(kOnTime, c.model(kOnTime).delete_bucket(first.id)).ok());
  absl::StatusOr<std::optional<BucketInfo>> gone = c.run(kBehind, c.model(kBehind).get_bucket(first.id));
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value()) << "the deleted bucket is still there";
  // The name, created an hour ahead and removed on time, is taken again from the node behind.
  const BucketInfo second = must_create(c, kBehind, "reused-name");
  absl::StatusOr<std::optional<BucketInfo>> by_name = c.run(kOnTime, c.model(kOnTime).bucket_by_name("reused-name"));
  ASSERT_TRUE(by_name.ok());
  ASSERT_TRUE(by_name->has_value()) << "the name does not lead to the new bucket";
  EXPECT_EQ((*by_name)->id, second.id);
}

TEST(BlockAccess, ANodeOutsideTheLayoutReadsAndWritesNoBlock) {
  ClusterConfig config;
  config.nodes = 4;
  config.zones = 3;
  config.table = TableCluster::quiet_options();
  TableCluster c(config, /*seed=*/7, /*assigned=*/3);
  constexpr int kOutside = 3;
  const std::string data = "a block written by a node of the layout";
  const std::string hash = hash_bytes(sha256(data));
  auto refused = [&c] {
    const auto& probes = c.cluster().chaos().probes();
    auto it = probes.find("block.refused_caller_outside_layout");
    return it == probes.end() ? uint64_t{0} : it->second;
  };
  const uint64_t refused_before = refused();

  const std::string other = "a block the outside node tries to write";
  const std::string other_hash = hash_bytes(sha256(other));
  absl::Status put = c.run(kOutside, c.cluster().node(kOutside).blocks->put(other_hash, other));
  EXPECT_FALSE(put.ok()) << "a node outside the layout stored a block";
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(c.cluster().data_disk_storage(i).files().count(BlockManager::path_of(other_hash)), 0u)
        << "node " << i << " stored the outside node's block";

  ASSERT_TRUE(c.run(0, c.cluster().node(0).blocks->put(hash, data)).ok());
  absl::StatusOr<std::string> read = c.run(kOutside, c.cluster().node(kOutside).blocks->get(hash));
  EXPECT_FALSE(read.ok()) << "a node outside the layout read a block";

  EXPECT_GE(refused() - refused_before, 2u) << "the holders asked should have refused";
}

TEST(AdminAccess, ANodeCannotReadKeysOnlyAnAdministratorCan) {
  ClusterConfig config = skewed_cluster();
  config.clocks.clear();
  TableCluster c(config);
  must_import(c, 0, "GKsecret0001", "the-secret-itself");
  // The node serves the admin RPC as the daemon does (node/assembly/node.h).
  const std::string request =
      encode_rpc(RpcMethod::kAdmin, AdminRequest{AdminRequest::Op::kKeyInfo, {"GKsecret0001"}}.encode());

  // Node 1 asks node 0 over the (simulated) network, as any node could.
  absl::StatusOr<RpcReply> from_node =
      c.run(1, c.cluster().node(1).transport->call(SimNetwork::address_of(0), request,
                                                   CallOptions{.timeout = absl::Seconds(5)}));
  ASSERT_FALSE(from_node.ok()) << "a node read a key: " << from_node->body;
  EXPECT_EQ(from_node.status().code(), absl::StatusCode::kPermissionDenied) << from_node.status();

  // The same request from an administration certificate is served, secret included.
  RpcHandler dispatch = c.cluster().node(0).rpc_handler();
  RpcCaller administrator{c.cluster().id_of(1), /*administrator=*/true};
  absl::StatusOr<std::string> from_admin = c.run(0, dispatch(administrator, request));
  ASSERT_TRUE(from_admin.ok()) << from_admin.status();
  EXPECT_NE(from_admin->find("the-secret-itself"), std::string::npos);
}

// Issue 17 point 4: the CLI names a bucket by name, id or unique id prefix, and `key info`
// never shows a deleted bucket (by its hex id, as it did).
TEST(AdminNames, ABucketIsNamedByNameIdOrIdPrefixAndDeletedOnesAreNotShown) {
  ClusterConfig config = skewed_cluster();
  config.clocks.clear();
  TableCluster c(config);
  Admin admin(c.model(0));
  auto run = [&](AdminRequest::Op op, std::vector<std::string> args) {
    return c.run(0, admin.execute(AdminRequest{op, std::move(args)}));
  };
  using Op = AdminRequest::Op;
  must_import(c, 0, "GKnames0001", "the-names-secret");
  const BucketInfo kept = must_create(c, 0, "kept-bucket");
  const BucketInfo gone = must_create(c, 0, "gone-bucket");
  for (const BucketInfo& b : {kept, gone}) ASSERT_TRUE(run(Op::kBucketAllow, {b.name, "GKnames0001", "RW"}).ok());
  ASSERT_TRUE(run(Op::kBucketAlias, {gone.id, "gone-local", "GKnames0001"}).ok()) << "named by its id";
  ASSERT_TRUE(run(Op::kBucketDelete, {gone.id.substr(0, 12)}).ok()) << "named by an id prefix";

  for (const std::string& name : {kept.name, kept.id, kept.id.substr(0, 8)}) {
    absl::StatusOr<AdminReply> info = run(Op::kBucketInfo, {name});
    ASSERT_TRUE(info.ok()) << name << ": " << info.status();
    ASSERT_EQ(info->buckets.size(), 1u);
    EXPECT_EQ(info->buckets[0].id, kept.id) << name;
  }
  for (const std::string& name : {gone.name, gone.id, gone.id.substr(0, 12)}) {
    absl::StatusOr<AdminReply> info = run(Op::kBucketInfo, {name});
    EXPECT_EQ(info.status().code(), absl::StatusCode::kNotFound) << name << " names a deleted bucket";
  }

  absl::StatusOr<AdminReply> key = run(Op::kKeyInfo, {"GKnames0001"});
  ASSERT_TRUE(key.ok()) << key.status();
  ASSERT_EQ(key->keys.size(), 1u);
  EXPECT_EQ(key->keys[0].buckets.size(), 1u) << "key info shows a deleted bucket";
  EXPECT_EQ(key->keys[0].buckets.count(kept.id), 1u);
  EXPECT_TRUE(key->keys[0].local_aliases.empty()) << "key info shows a name of a deleted bucket";

  // A name wins over an id prefix; a prefix that two ids share is refused, not guessed.
  std::vector<BucketInfo> many;
  for (int i = 0; i < 40; ++i) many.push_back(must_create(c, 0, "many-" + std::to_string(i)));
  std::map<char, int> first_digits;
  for (const BucketInfo& b : many) ++first_digits[b.id[0]];
  for (const auto& [digit, count] : first_digits) {
    if (count < 2) continue;
    absl::StatusOr<AdminReply> ambiguous = run(Op::kBucketInfo, {std::string(1, digit)});
    EXPECT_EQ(ambiguous.status().code(), absl::StatusCode::kInvalidArgument) << digit;
    break;
  }
  const BucketInfo prefix_named = must_create(c, 0, std::string(kept.id.substr(0, 6)));
  absl::StatusOr<AdminReply> by_name = run(Op::kBucketInfo, {kept.id.substr(0, 6)});
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  EXPECT_EQ(by_name->buckets[0].id, prefix_named.id);
}

TEST(AdminAccess, EveryCliMethodNeedsAnAdministratorAndNoNodeMethodDoes) {
  for (RpcMethod m : {RpcMethod::kClusterStatus, RpcMethod::kLayoutAdmin, RpcMethod::kDebugKv, RpcMethod::kAdmin})
    EXPECT_TRUE(needs_administrator(m)) << static_cast<int>(m);
  for (RpcMethod m : {RpcMethod::kPing, RpcMethod::kLayoutGet, RpcMethod::kTable, RpcMethod::kBlock})
    EXPECT_FALSE(needs_administrator(m)) << static_cast<int>(m);
  EXPECT_TRUE(needs_administrator(static_cast<RpcMethod>(999))) << "a method without a rule must be closed";
}

}  // namespace
}  // namespace garage::sim
