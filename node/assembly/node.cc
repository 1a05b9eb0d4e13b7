#include "node/assembly/node.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "node/version.h"

namespace garage {

NodeOptions node_options_from_config(const Config& config, NodeId self_id) {
  NodeOptions o;
  o.self = NodeStatus{self_id, config.advertised_address(), config.zone, kGarageVersion};
  o.bootstrap_peers = config.bootstrap_peers;
  o.replication_factor = config.replication_factor;
  o.tables.quorums = quorums_for(config.replication_factor, config.consistency_mode);
  o.tables.fsync = config.metadata_fsync;
  o.blocks.block_size = config.block_size;
  o.blocks.quorums = o.tables.quorums;
  o.blocks.fsync = config.data_fsync;
  o.blocks.gc_delay = absl::Seconds(config.block_gc_delay_secs);
  o.s3.region = config.s3_api.s3_region;
  o.s3.root_domain = config.s3_api.root_domain;
  o.s3.web_root_domain = config.s3_web.root_domain;
  o.s3.read_buffer_bytes = config.s3_api.read_buffer_max;
  o.s3.write_buffer_bytes = config.block_ram_buffer_max;
  o.journal.fsync = config.metadata_fsync;
  // Several RPC timeouts, and never below the journal's own default.
  o.journal.rollback_delay = std::max(WriteJournalOptions{}.rollback_delay, 4 * o.tables.rpc_timeout);
  return o;
}

Node::Tables::Tables(Env env, Kv& meta, Spawner& spawner, ClusterDirectory& directory, const NodeOptions& options)
    : block_ref_schema(options.blocks.gc_delay) {
  auto make = [&](const TableSchema& schema) {
    return std::make_unique<Table>(env, meta, spawner, schema, directory.view_for(schema.name()), options.tables);
  };
  debug_kv = make(debug_kv_schema);
  bucket = make(bucket_schema);
  key = make(key_schema);
  alias = make(alias_schema);
  object = make(object_schema);
  version = make(version_schema);
  block_ref = make(block_ref_schema);
  mpu = make(mpu_schema);
}

std::vector<Table*> Node::Tables::all() const {
  return {debug_kv.get(), bucket.get(),  key.get(),       alias.get(),
          object.get(),   version.get(), block_ref.get(), mpu.get()};
}

absl::StatusOr<std::unique_ptr<Node>> Node::create(Env env, Kv& meta, Disk& data, Spawner& spawner,
                                                   NodeOptions options) {
  std::unique_ptr<Node> node(new Node(env, meta, data, spawner, std::move(options)));
  // Counts for a store written before they existed, before anything can change a block_ref
  // (nothing runs before start()).
  if (absl::Status s = build_block_refcounts_once(node->tables_.block_ref->store(), meta); !s.ok()) return s;
  return node;
}

Node::Node(Env env, Kv& meta, Disk& data, Spawner& spawner, NodeOptions options)
    : env_(env),
      spawner_(spawner),
      options_(std::move(options)),
      membership_(env, spawner, options_.self, options_.bootstrap_peers, options_.membership),
      layout_(env, spawner, options_.self.id, options_.replication_factor, options_.planted_retire_before_sync),
      directory_(layout_, membership_),
      tables_(env, meta, spawner, directory_, options_),
      follow_ups_(env, spawner, tables_.all()),
      debug_kv_(env, *tables_.debug_kv),
      blocks_(env, data, meta, spawner, directory_, options_.blocks),
      model_(env, tables_.model()),
      admin_(model_, options_.planted_unalias_does_nothing),
      journal_(env, meta, spawner, model_, options_.journal),
      s3_(env, spawner, model_, blocks_, journal_, options_.s3) {
  membership_.register_rpcs(router_);
  layout_.register_rpcs(router_);
  membership_.set_layout_hooks([this] { return layout_.digest(); },
                               [this](const std::string& a, const LayoutDigest& d) { layout_.on_peer_digest(a, d); });
  for (Table* t : tables_.all()) table_rpc_.add(*t);
  table_rpc_.register_rpcs(router_);
  debug_kv_.register_rpcs(router_);
  blocks_.register_rpcs(router_);
  admin_.register_rpcs(router_);
}

void Node::start() {
  spawner_.spawn(layout_.load());
  membership_.start();
  for (Table* t : tables_.all()) t->start();
  follow_ups_.start();
  blocks_.start();
  journal_.start();
  loops_started_ = {"loop:layout_load", "loop:membership", "loop:tables",
                    "loop:follow_ups",  "loop:blocks",     "loop:journal"};
}

std::vector<std::string> Node::services() const {
  std::vector<std::string> out;
  for (RpcMethod m : router_.methods()) out.push_back("rpc:" + std::string(rpc_method_name(m)));
  for (Table* t : tables_.all()) out.push_back(absl::StrCat("table:", t->name()));
  out.push_back("s3");
  out.insert(out.end(), loops_started_.begin(), loops_started_.end());
  return out;
}

}  // namespace garage
