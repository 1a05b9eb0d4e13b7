#include "sim/cluster.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

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
  // Frames first (their locals refer to everything else), then the services, then the ports.
  if (spawner) spawner->destroy_all();
  node.reset();
  spawner.reset();
  transport.reset();
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
    data_storage_.push_back(std::make_unique<SimDiskStorage>());
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

// The daemon's options, with the simulator's choices as values: small parts and buffers.
NodeOptions Cluster::node_options(int i) const {
  NodeOptions o;
  o.self = NodeStatus{ids_[i], SimNetwork::address_of(i), absl::StrCat("zone", network_.zone_of(i)), "garage-cpp-sim"};
  o.bootstrap_peers = {BootstrapPeer{std::nullopt, SimNetwork::address_of(0)}};
  o.replication_factor = config_.replication_factor;
  o.membership = config_.membership;
  o.tables = config_.table;
  o.blocks = config_.blocks;
  o.journal = config_.journal;
  o.s3.min_part_size = 4096;  // the workload's multipart uploads are small
  // Three 4 KiB blocks for the node's readers at once: concurrent GETs and copies wait for
  // each other (probe s3.read_waited_for_budget), as they do on a busy node.
  o.s3.read_buffer_bytes = 3 * 4096;
  o.s3.write_buffer_bytes = 2 * 4096;  // and so do writes (s3.write_waited_for_budget)
  o.s3.planted_complete_reuses_upload_uuid = config_.planted_complete_reuses_upload_uuid;
  o.s3.planted_copy_without_references = config_.planted_copy_without_references;
  o.planted_retire_before_sync = config_.planted_retire_before_sync;
  o.planted_unalias_does_nothing = config_.planted_unalias_does_nothing;
  return o;
}

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
  n->kv = std::make_unique<MemKv>(*kv_storage_[i]);

  Env env{n->clock.get(),  n->rng.get(), n->transport.get(), n->disk.get(), n->offload.get(),
          n->tracer.get(), &chaos_,      n->entropy.get()};
  n->data_disk = std::make_unique<SimDisk>(*data_storage_[i], *n->clock, *n->rng, config_.disk);
  absl::StatusOr<std::unique_ptr<Node>> node = Node::create(env, *n->kv, *n->data_disk, *n->spawner, node_options(i));
  if (!node.ok()) {  // only a metadata store that cannot be read fails this; MemKv always can
    std::fprintf(stderr, "garage-sim: n%d cannot start: %s\n", i, std::string(node.status().message()).c_str());
    std::abort();
  }
  n->node = std::move(*node);
  n->layout = &n->node->layout();
  n->membership = &n->node->membership();
  n->follow_ups = &n->node->follow_ups();
  n->blocks = &n->node->blocks();
  n->model = &n->node->model();
  n->journal = &n->node->journal();
  n->s3 = &n->node->s3();
  n->table = &n->node->debug_kv_table();
  n->transport->set_handler(n->rpc_handler());
  loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " sim start n", i, " #", incarnation));
  nodes_[i] = std::move(n);
  nodes_[i]->node->start();
}

void Cluster::crash(int i) {
  assert(nodes_[i] != nullptr);
  error_events_ += nodes_[i]->tracer->errors();
  std::vector<std::string> tables;  // the node's replicated tables, by name
  for (const Table* t : nodes_[i]->node->tables()) tables.push_back(t->name());
  nodes_[i].reset();
  storage_[i]->crash();
  data_storage_[i]->crash();
  kv_storage_[i]->crash(uniform(world_rng_, kv_storage_[i]->unsynced_batches() + 1));
  // Half the restarts come back as an upgrade from a build before the tables' live index: the
  // node indexes its tables in steps while it serves (probe table.live_index_built_a_step).
  if (config_.upgrade_restarts && uniform(world_rng_, 2) == 0) {
    MemKv view(*kv_storage_[i]);
    for (const std::string& table : tables) {
      if (absl::Status s = TableStore::forget_live_index(view, table); !s.ok())
        loop_.trace().record(absl::StrCat("sim n", i, " forget live index: ", s.message()));
    }
    loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " sim n", i, " restarts as an upgrade"));
  }
  loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " sim crash n", i));
}

}  // namespace garage::sim
