// Node: every service a garage node runs, wired once. `garage server` builds it over the real
// ports (Asio, TLS, RocksDB, files); the simulator is to build the very same over simulated
// ports (issue 26). Whatever the daemon runs, the node runs: membership, the layout manager,
// the cluster directory, the replicated tables, follow-ups, the block manager, the model, the
// write journal, the admin and debug RPCs and the S3 API object. The HTTP servers around it
// belong to the caller.
//
//   absl::StatusOr<std::unique_ptr<Node>> node = Node::create(env, meta_kv, data_disk, spawner, options);
//   transport.set_handler((*node)->rpc_handler());
//   (*node)->start();
//
// Ownership: the caller keeps the ports (Env, the metadata Kv, the data Disk) and the Spawner
// alive for the Node's lifetime, and destroys the spawner's frames (Spawner::destroy_all)
// before the Node: their locals refer to the services. Members are declared in construction
// order; schemas come before their tables, which refer to them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "node/block/block_manager.h"
#include "node/cluster_directory.h"
#include "node/config.h"
#include "node/env.h"
#include "node/layout/layout_manager.h"
#include "node/membership.h"
#include "node/model/admin.h"
#include "node/model/block_ref_schema.h"
#include "node/model/model.h"
#include "node/model/write_journal.h"
#include "node/rpc.h"
#include "node/runtime/spawner.h"
#include "node/table/debug_kv.h"
#include "node/table/follow_ups.h"
#include "node/table/lww.h"
#include "node/table/table.h"
#include "s3/api.h"

namespace garage {

// What a node needs to know, with the defaults of each part (the daemon fills it from its
// Config; the simulator passes its own values, e.g. a short gc_delay and small parts).
struct NodeOptions {
  NodeStatus self;  // id (the transport's), advertised address, zone, version
  std::vector<BootstrapPeer> bootstrap_peers;
  int replication_factor = 3;
  MembershipOptions membership;
  TableOptions tables;  // every replicated table (quorums, fsync, timeouts)
  BlockOptions blocks;
  WriteJournalOptions journal;
  s3::S3Settings s3;
  // Simulation only (no config key reaches it): see LayoutManager.
  bool planted_retire_before_sync = false;
  // Simulation only: see Admin.
  bool planted_unalias_does_nothing = false;
};

// The node's part of the daemon's configuration, with the values the daemon derives from it
// (quorums from the replication factor and consistency mode, the journal's rollback delay).
// `self_id` is the transport's: the id its certificate proves.
NodeOptions node_options_from_config(const Config& config, NodeId self_id);

class Node {
 public:
  // Fails if the metadata store cannot be read (the one-time block count rebuild).
  static absl::StatusOr<std::unique_ptr<Node>> create(Env env, Kv& meta, Disk& data, Spawner& spawner,
                                                      NodeOptions options);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Every RPC of every service; give it to the transport before start().
  RpcHandler rpc_handler() { return router_.handler(); }
  // Loads the layout and starts every background loop.
  void start();
  // What this node runs, as it reports it: "rpc:<method>" for each RPC it answers, "table:<name>"
  // for each replicated table, "s3" for the S3 API, then each background loop start() began
  // ("loop:membership", ...). The daemon logs it at start and the simulator reports it, so a
  // test can show that the simulated node runs every service the daemon runs.
  std::vector<std::string> services() const;

  Membership& membership() { return membership_; }
  LayoutManager& layout() { return layout_; }
  ModelTables model_tables() const { return tables_.model(); }
  std::vector<Table*> tables() const { return tables_.all(); }  // every replicated table
  Table& debug_kv_table() { return *tables_.debug_kv; }         // the simulator's table workload uses it
  FollowUpWorker& follow_ups() { return follow_ups_; }
  BlockManager& blocks() { return blocks_; }
  Model& model() { return model_; }
  WriteJournal& journal() { return journal_; }
  s3::S3Api& s3() { return s3_; }

 private:
  // Every replicated table, by name: declared here once. Schemas outlive their tables.
  class Tables {
   public:
    Tables(Env env, Kv& meta, Spawner& spawner, ClusterDirectory& directory, const NodeOptions& options);
    ModelTables model() const { return ModelTables{*bucket, *key, *alias, *object, *version, *block_ref, *mpu}; }
    std::vector<Table*> all() const;

    const CrdtSchema<LwwRegister> debug_kv_schema{kDebugKvTable};
    const CrdtSchema<LwwMap> bucket_schema{kBucketTable};
    const CrdtSchema<LwwMap> key_schema{kKeyTable};
    const CrdtSchema<LwwRegister> alias_schema{kAliasTable};
    const CrdtSchema<ObjectEntry> object_schema{kObjectTable};
    const CrdtSchema<VersionEntry> version_schema{kVersionTable};
    const BlockRefSchema block_ref_schema;
    const CrdtSchema<UploadEntry> mpu_schema{kMpuTable};
    std::unique_ptr<Table> debug_kv, bucket, key, alias, object, version, block_ref, mpu;
  };

  Node(Env env, Kv& meta, Disk& data, Spawner& spawner, NodeOptions options);

  Env env_;
  Spawner& spawner_;
  NodeOptions options_;
  RpcRouter router_;
  Membership membership_;
  LayoutManager layout_;
  ClusterDirectory directory_;
  Tables tables_;
  TableRpc table_rpc_;
  FollowUpWorker follow_ups_;
  DebugKv debug_kv_;
  BlockManager blocks_;
  Model model_;
  Admin admin_;
  WriteJournal journal_;
  s3::S3Api s3_;
  std::vector<std::string> loops_started_;
};

}  // namespace garage
