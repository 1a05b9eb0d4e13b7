#include "sim/cluster.h"

#include <cassert>

#include "absl/strings/str_cat.h"

namespace garage::sim {
namespace {

std::vector<int> zones_round_robin(int nodes, int zones) {
  std::vector<int> z;
  for (int i = 0; i < nodes; ++i) z.push_back(i % zones);
  return z;
}

}  // namespace

SimNode::~SimNode() {
  // Explicit order: frames first (they refer to everything else), then the endpoint, then ports.
  s3.reset();
  model.reset();
  blocks.reset();
  model_tables.clear();
  table_rpc.reset();
  table.reset();
  directory.reset();
  membership.reset();
  layout.reset();
  spawner.reset();
  transport.reset();
  router.reset();
  kv.reset();
}

namespace {
// The network's Dialers report their probes to the run's chaos.
NetworkConfig with_probes(NetworkConfig config, Chaos* chaos) {
  config.dialer.chaos = chaos;
  return config;
}
}  // namespace

Cluster::Cluster(EventLoop& loop, uint64_t seed, ClusterConfig config)
    : loop_(loop),
      seed_(seed),
      config_(std::move(config)),
      world_rng_(seed ^ 0x6e6574776f726bULL),
      chaos_(seed),
      network_(loop, world_rng_, with_probes(config_.network, &chaos_),
               zones_round_robin(config_.nodes, config_.zones)),
      incarnations_(config_.nodes, 0),
      nodes_(config_.nodes) {
  uint64_t id_state = seed;
  for (int i = 0; i < config_.nodes; ++i) {
    NodeId id;
    for (size_t w = 0; w < 4; ++w) {
      const uint64_t word = splitmix64(id_state);
      for (int b = 0; b < 8; ++b) id.bytes[w * 8 + b] = static_cast<uint8_t>(word >> (8 * b));
    }
    ids_.push_back(id);
    storage_.push_back(std::make_unique<SimDiskStorage>());
    kv_storage_.push_back(std::make_unique<MemKvStorage>());
  }
}

namespace {
// The entropy stream's seed: mixed apart from the Rng's (seed * 1000003 + ...).
uint64_t splitmix_seed(uint64_t seed, int node, uint64_t incarnation) {
  uint64_t state = seed ^ 0xe7037ed1a0b428dbULL;
  state += static_cast<uint64_t>(node) * 0x9e3779b97f4a7c15ULL + incarnation;
  return splitmix64(state);
}
}  // namespace

void Cluster::start(int i) {
  assert(nodes_[i] == nullptr);
  const uint64_t incarnation = ++incarnations_[i];
  auto n = std::make_unique<SimNode>();
  const ClockFaults clock_faults = i < static_cast<int>(config_.clocks.size()) ? config_.clocks[i] : ClockFaults{};
  n->clock = std::make_unique<SimClock>(loop_, clock_faults);
  n->rng = std::make_unique<Xoshiro256>(seed_ * 1000003 + static_cast<uint64_t>(i) * 7919 + incarnation);
  n->entropy = std::make_unique<SimEntropy>(splitmix_seed(seed_, i, incarnation));
  n->tracer = std::make_unique<SimTracer>(loop_, i);
  n->offload = std::make_unique<SimOffload>(*n->clock, *n->rng);
  n->disk = std::make_unique<SimDisk>(*storage_[i], *n->clock, *n->rng, config_.disk);
  n->spawner = std::make_unique<Spawner>(*n->clock);
  n->transport = std::make_unique<SimTransport>(network_, i, ids_[i], *n->clock, *n->spawner);
  n->router = std::make_unique<RpcRouter>();

  Env env{n->clock.get(),  n->rng.get(), n->transport.get(), n->disk.get(), n->offload.get(),
          n->tracer.get(), &chaos_,      n->entropy.get()};
  NodeStatus self{ids_[i], SimNetwork::address_of(i), absl::StrCat("zone", network_.zone_of(i)), "garage-cpp-sim"};
  n->membership = std::make_unique<Membership>(
      env, *n->spawner, self, std::vector<BootstrapPeer>{BootstrapPeer{std::nullopt, SimNetwork::address_of(0)}},
      config_.membership);
  n->membership->register_rpcs(*n->router);
  n->layout = std::make_unique<LayoutManager>(env, *n->spawner, ids_[i], config_.replication_factor,
                                              config_.planted_retire_before_sync);
  n->layout->register_rpcs(*n->router);
  LayoutManager* layout = n->layout.get();
  n->membership->set_layout_hooks(
      [layout] { return layout->digest(); },
      [layout](const std::string& a, const LayoutDigest& d) { layout->on_peer_digest(a, d); });
  n->kv = std::make_unique<MemKv>(*kv_storage_[i]);
  if (config_.tables) {
    n->directory = std::make_unique<ClusterDirectory>(*n->layout, *n->membership);
    n->table = std::make_unique<Table>(env, *n->kv, *n->spawner, table_schema_, *n->directory, config_.table);
    n->table_rpc = std::make_unique<TableRpc>();
    n->table_rpc->add(*n->table);
    n->table_rpc->register_rpcs(*n->router);
  }
  if (config_.s3) {
    n->directory = std::make_unique<ClusterDirectory>(*n->layout, *n->membership);
    n->table_rpc = std::make_unique<TableRpc>();
    for (const TableSchema* schema :
         std::initializer_list<const TableSchema*>{&bucket_schema_, &key_schema_, &alias_schema_, &object_schema_,
                                                   &version_schema_, &block_ref_schema_, &mpu_schema_}) {
      n->model_tables.push_back(std::make_unique<Table>(env, *n->kv, *n->spawner, *schema,
                                                        n->directory->view_for(schema->name()), config_.table));
      n->table_rpc->add(*n->model_tables.back());
    }
    n->table_rpc->register_rpcs(*n->router);
    auto& t = n->model_tables;
    std::vector<Table*> table_ptrs;
    for (auto& table : t) table_ptrs.push_back(table.get());
    n->follow_ups = std::make_unique<FollowUpWorker>(env, *n->spawner, table_ptrs);
    ModelTables tables{*t[0], *t[1], *t[2], *t[3], *t[4], *t[5], *t[6]};
    if (absl::Status s = build_block_refcounts_once(t[5]->store(), *n->kv); !s.ok()) {
      loop_.trace().record(absl::StrCat("sim n", i, " block refcounts: ", s.message()));
    }
    n->blocks = std::make_unique<BlockManager>(env, *n->disk, *n->kv, *n->spawner, *n->directory, config_.blocks);
    n->blocks->register_rpcs(*n->router);
    n->model = std::make_unique<Model>(env, tables);
    s3::S3Settings s3_settings;
    s3_settings.min_part_size = 4096;  // the workload's multipart uploads are small
    // Three 4 KiB blocks for the node's readers at once: concurrent GETs and copies wait for
    // each other (probe s3.read_waited_for_budget), as they do on a busy node.
    s3_settings.read_buffer_bytes = 3 * 4096;
    s3_settings.write_buffer_bytes = 2 * 4096;  // and so do writes (s3.write_waited_for_budget)
    s3_settings.planted_complete_reuses_upload_uuid = config_.planted_complete_reuses_upload_uuid;
    s3_settings.planted_copy_without_references = config_.planted_copy_without_references;
    n->journal = std::make_unique<WriteJournal>(env, *n->kv, *n->spawner, *n->model, config_.journal);
    n->s3 = std::make_unique<s3::S3Api>(env, *n->spawner, *n->model, *n->blocks, *n->journal, s3_settings);
  }
  n->transport->set_handler(n->router->handler());
  loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " sim start n", i, " #", incarnation));
  nodes_[i] = std::move(n);
  nodes_[i]->spawner->spawn(nodes_[i]->layout->load());
  nodes_[i]->membership->start();
  if (nodes_[i]->table) nodes_[i]->table->start();
  for (auto& t : nodes_[i]->model_tables) t->start();
  if (nodes_[i]->follow_ups) nodes_[i]->follow_ups->start();
  if (nodes_[i]->blocks) nodes_[i]->blocks->start();
  if (nodes_[i]->journal) nodes_[i]->journal->start();
}

void Cluster::crash(int i) {
  assert(nodes_[i] != nullptr);
  error_events_ += nodes_[i]->tracer->errors();
  nodes_[i].reset();
  storage_[i]->crash();
  kv_storage_[i]->crash(uniform(world_rng_, kv_storage_[i]->unsynced_batches() + 1));
  // Half the restarts come back as an upgrade from a build before the tables' live index: the
  // node indexes its tables in steps while it serves (probe table.live_index_built_a_step).
  if (config_.s3 && uniform(world_rng_, 2) == 0) {
    MemKv view(*kv_storage_[i]);
    for (const TableSchema* schema :
         std::initializer_list<const TableSchema*>{&bucket_schema_, &key_schema_, &alias_schema_, &object_schema_,
                                                   &version_schema_, &block_ref_schema_, &mpu_schema_}) {
      if (absl::Status s = TableStore::forget_live_index(view, schema->name()); !s.ok())
        loop_.trace().record(absl::StrCat("sim n", i, " forget live index: ", s.message()));
    }
    loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " sim n", i, " restarts as an upgrade"));
  }
  loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " sim crash n", i));
}

}  // namespace garage::sim
