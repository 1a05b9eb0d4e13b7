#include "sim/scenario.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "node/rng.h"
#include "sim/cluster.h"
#include "sim/event_loop.h"
#include "sim/s3_workload.h"
#include "sim/table_workload.h"

namespace garage::sim {
namespace {

constexpr absl::Duration kWarmup = absl::Seconds(10);
// The membership workload's checks come after heal: peers seen up again within kUpAfterHealBound,
// then every node holding the same layout, trackers included. The trackers settle last: every
// table of every node must finish a sync pass with each peer for the newest version, and the
// 2% message loss that goes on after heal costs an RPC or dial timeout (5 s) per lost message at
// each stage (acks gossiped, passes, syncs gossiped). Measured over seeds 1-900 with a 60 s tail:
// settled within 20 s on 892, the slowest at 29.5 s (seed 785). 40 s leaves margin.
constexpr absl::Duration kQuietTail = absl::Seconds(40);
static_assert(kQuietTail > kUpAfterHealBound);
constexpr absl::Duration kTableQuietTail = absl::Seconds(60);  // sweep, repair check, sync, collection

absl::Duration quiet_tail(const SimOptions& o) { return o.workload == "membership" ? kQuietTail : kTableQuietTail; }

std::string at(absl::Duration t) { return absl::StrCat(absl::ToInt64Milliseconds(t), "ms"); }

ClusterConfig make_config(const SimOptions& o, Rng& rng) {
  ClusterConfig c;
  c.nodes = o.nodes;
  c.zones = o.zones;
  // On even seeds the S3 and membership workloads' calls go through the real transport's Dialer
  // (each S3 request must end: a hang is a violation; a healed peer must be seen up within the
  // bound, dial backoff included). Odd seeds keep one message per call, whose failures land
  // part-way through writes more often (a Complete's partial block list, for one). The table
  // workload's read-repair check does not allow for the dial backoff yet (seed 44).
  c.network.connections = o.connections || ((o.workload == "s3" || o.workload == "membership") && o.seed % 2 == 0);
  c.network.dialer.planted_shared_waiter_slot = o.plant_bug == "shared-dial-waiter";
  if (o.faults.count("loss")) {
    c.network.loss_ppm = 20'000;       // 2% of messages lost
    c.network.duplicate_ppm = 10'000;  // 1% duplicated
    c.network.reorder_ppm = 20'000;    // 2% held back up to 2x their latency
  }
  if (o.faults.count("skew")) {
    for (int i = 0; i < o.nodes; ++i) {
      // Within ±5 s: tombstone collection assumes clocks closer than gc_delay (see TableOptions).
      c.clocks.push_back(ClockFaults{.skew = uniform_duration(rng, absl::Seconds(-5), absl::Seconds(5)),
                                     .drift_ppm = uniform_range(rng, -200, 200)});
    }
  }
  if (o.faults.count("disk")) c.disk.read_bitflip_ppm = 10'000;  // 1% of reads corrupted
  c.membership.planted_bug_sticky_down = o.plant_bug == "sticky-down";
  c.planted_retire_before_sync = o.plant_bug == "retire-layout-before-sync";
  c.blocks = S3Workload::block_options(o.replication_factor);
  c.journal = S3Workload::journal_options();
  c.journal.planted_skip_rollback = o.plant_bug == "skip-write-rollback";
  c.blocks.planted_skip_verify = o.plant_bug == "serve-unverified-blocks";
  c.blocks.planted_stale_gc = o.plant_bug == "stale-block-gc";
  c.planted_complete_reuses_upload_uuid = o.plant_bug == "complete-reuses-upload-uuid";
  c.planted_copy_without_references = o.plant_bug == "copy-without-references";
  c.planted_unalias_does_nothing = o.plant_bug == "unalias-does-nothing";
  c.replication_factor = o.replication_factor;
  c.upgrade_restarts = o.workload == "s3";
  c.table = TableWorkload::options(o.plant_bug, o.replication_factor);
  return c;
}

// Schedules random partitions and crashes in [kWarmup, heal_at), all ended by heal_at.
class FaultSchedule {
 public:
  FaultSchedule(EventLoop& loop, Cluster& cluster, Rng& rng, const SimOptions& o, SimResult& result)
      : loop_(loop), cluster_(cluster), rng_(rng), options_(o), result_(result) {}

  void plan(absl::Duration heal_at) {
    std::vector<std::string> kinds;
    if (options_.faults.count("partition") && options_.nodes >= 2)
      kinds = {"isolate-zone", "isolate-node", "one-way-cut"};
    if (options_.faults.count("crash")) kinds.push_back("crash");
    if (kinds.empty()) return;
    for (absl::Duration t = kWarmup; t < heal_at; t += uniform_duration(rng_, absl::Seconds(1), absl::Seconds(8))) {
      const std::string& kind = kinds[uniform(rng_, kinds.size())];
      const absl::Duration end = std::min(heal_at, t + uniform_duration(rng_, absl::Seconds(2), absl::Seconds(25)));
      if (kind == "crash") {
        plan_crash(t, end);
      } else {
        plan_partition(kind, t, end);
      }
    }
  }

  // Down-detection checks to run: (time, crashed node) pairs.
  std::vector<std::pair<absl::Duration, int>> down_checks;

 private:
  void plan_partition(const std::string& kind, absl::Duration start, absl::Duration end) {
    SimNetwork& net = cluster_.network();
    std::vector<SimNetwork::Link> links;
    std::string what;
    if (kind == "isolate-zone") {
      const int zone = static_cast<int>(uniform(rng_, options_.zones));
      links = net.links_isolating_zone(zone);
      what = absl::StrCat("zone", zone, " cut off");
    } else if (kind == "isolate-node") {
      const int node = static_cast<int>(uniform(rng_, options_.nodes));
      links = net.links_isolating_node(node);
      what = absl::StrCat("n", node, " isolated");
    } else {
      const int a = static_cast<int>(uniform(rng_, options_.nodes));
      const int b = static_cast<int>((a + 1 + uniform(rng_, options_.nodes - 1)) % options_.nodes);
      links = {{a, b}};
      what = absl::StrCat("one-way cut n", a, "->n", b);
    }
    result_.log.push_back(absl::StrCat("partition ", what, " from ", at(start), " to ", at(end)));
    loop_.at(start, [this, links, what] {
      cluster_.network().cut(links);
      loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " sim partition ", what));
    });
    loop_.at(end, [this, links] { cluster_.network().uncut(links); });
  }

  void plan_crash(absl::Duration start, absl::Duration end) {
    const int node = static_cast<int>(uniform(rng_, options_.nodes));
    if (busy_until_.size() < static_cast<size_t>(options_.nodes)) busy_until_.resize(options_.nodes);
    if (busy_until_[node] > start) return;  // already down then
    busy_until_[node] = end;
    result_.log.push_back(absl::StrCat("crash n", node, " from ", at(start), " to ", at(end)));
    loop_.at(start, [this, node] { cluster_.crash(node); });
    loop_.at(end, [this, node] { cluster_.start(node); });
    const absl::Duration check = start + kDownDetectionBound;
    if (check < end) down_checks.push_back({check, node});
  }

 public:
  // A crashed node is seen down by everyone within down_after plus one message delay.
  static constexpr absl::Duration kDownDetectionBound = absl::Seconds(6);

 private:
  EventLoop& loop_;
  Cluster& cluster_;
  Rng& rng_;
  const SimOptions& options_;
  SimResult& result_;
  std::vector<absl::Duration> busy_until_;
};

absl::Status validate(const SimOptions& o) {
  if (o.nodes < 1 || o.nodes > 64) return absl::InvalidArgumentError("--nodes must be in 1..64");
  if (o.zones < 1 || o.zones > o.nodes) return absl::InvalidArgumentError("--zones must be in 1..nodes");
  if (o.duration < kWarmup + quiet_tail(o) + absl::Seconds(5)) {
    return absl::InvalidArgumentError(absl::StrCat("--duration must be at least ",
                                                   absl::ToInt64Seconds(kWarmup + quiet_tail(o) + absl::Seconds(5)),
                                                   " seconds for this workload"));
  }
  if (o.replication_factor < 1 || o.replication_factor > 7) {
    return absl::InvalidArgumentError("--replication-factor must be in 1..7");
  }
  if (o.workload != "membership" && o.nodes < std::max(3, o.replication_factor)) {
    return absl::InvalidArgumentError("the table and s3 workloads need --nodes >= max(3, --replication-factor)");
  }
  for (const std::string& f : o.faults) {
    if (!all_fault_kinds().count(f)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown fault '", f, "' (known: ", absl::StrJoin(all_fault_kinds(), ","), ")"));
    }
  }
  if (!all_workloads().count(o.workload))
    return absl::InvalidArgumentError(absl::StrCat("unknown workload '", o.workload, "'"));
  if (!o.plant_bug.empty() && !all_planted_bugs().count(o.plant_bug)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown planted bug '", o.plant_bug, "' (known: ", absl::StrJoin(all_planted_bugs(), ","), ")"));
  }
  return absl::OkStatus();
}

// Every running node sees every other running node as up.
void check_all_up(Cluster& cluster, absl::Duration now, SimResult& result) {
  for (int a = 0; a < cluster.size(); ++a) {
    if (!cluster.is_running(a)) continue;
    for (int b = 0; b < cluster.size(); ++b) {
      if (a == b || !cluster.is_running(b)) continue;
      if (!cluster.node(a).membership->sees_up(cluster.id_of(b))) {
        result.violations.push_back(absl::StrCat("at ", at(now), ": n", a, " does not see n", b, " up after heal"));
      }
    }
  }
}

// Every running node holds the same layout, at least `min_version`.
void check_layouts_converged(Cluster& cluster, uint64_t min_version, absl::Duration now, SimResult& result) {
  std::optional<LayoutDigest> first;
  for (int a = 0; a < cluster.size(); ++a) {
    if (!cluster.is_running(a)) continue;
    const LayoutDigest d = cluster.node(a).layout->digest();
    if (d.version < min_version) {
      result.violations.push_back(absl::StrCat("at ", at(now), ": n", a, " has layout version ", d.version,
                                               ", expected at least ", min_version));
    }
    if (!first) first = d;
    if (d != *first) result.violations.push_back(absl::StrCat("at ", at(now), ": n", a, " holds a different layout"));
  }
}

// Applies the staged layout on a node and counts it applied once it is durable there (a crash
// before that loses the change, as it would for an operator whose `layout apply` failed).
Task<> apply_durably(LayoutManager* layout, uint64_t version, uint64_t* applied, SimResult* result, EventLoop* loop,
                     int node) {
  // A named request: GCC 12 destroys a non-trivial temporary in a co_await expression twice.
  LayoutAdminRequest apply{LayoutAdminRequest::Op::kApply, {}, {}, version};
  absl::Status s = co_await layout->admin_durably(std::move(apply));
  if (s.ok()) *applied = std::max(*applied, version);
  result->log.push_back(absl::StrCat("layout v", version, " apply on n", node, ": ",
                                     s.ok() ? "ok" : std::string(s.message()), " at ", at(loop->now())));
}

// The operator's layouts: v1 after warm-up, then mid-run, while faults go on, one change drawn
// from the seed (or forced): a capacity change, a new zone joining (its nodes are left out of
// v1), or a node removed.
absl::Status plan_layouts(EventLoop& loop, Cluster& cluster, Rng& rng, absl::Duration heal_at, uint64_t* applied,
                          int rf, const std::string& forced, SimResult& result) {
  std::vector<std::string> kinds = {"capacity"};
  const int last_zone = cluster.size() >= 2 ? cluster.zone_of(cluster.size() - 1) : 0;
  int outside_last_zone = 0;
  for (int i = 0; i < cluster.size(); ++i) outside_last_zone += cluster.zone_of(i) != last_zone;
  if (last_zone > 0 && outside_last_zone >= rf) kinds.push_back("add-zone");
  if (cluster.size() >= rf + 1) kinds.push_back("remove-node");
  std::string kind = kinds[uniform(rng, kinds.size())];  // drawn even when forced: same schedule
  if (!forced.empty()) {
    if (forced != "none" && std::find(kinds.begin(), kinds.end(), forced) == kinds.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--layout-change ", forced,
                       " is not possible on this cluster (possible: ", absl::StrJoin(kinds, ","), ",none)"));
    }
    kind = forced;
  }
  const absl::Duration when =
      uniform_duration(rng, absl::Seconds(15), std::max(absl::Seconds(16), heal_at - absl::Seconds(10)));
  const int target = static_cast<int>(uniform(rng, cluster.size()));
  result.log.push_back(absl::StrCat("layout change '", kind, "' at ", at(when)));
  auto role_of = [&cluster](int i, uint64_t gb) {
    return NodeRole{absl::StrCat("zone", cluster.zone_of(i)), gb << 30, {}};
  };
  loop.at(absl::Seconds(5), [&cluster, &loop, &result, applied, kind, last_zone, role_of] {
    LayoutManager& layout = *cluster.node(0).layout;
    for (int i = 0; i < cluster.size(); ++i) {
      if (kind == "add-zone" && cluster.zone_of(i) == last_zone) continue;
      (void)layout.admin(LayoutAdminRequest{LayoutAdminRequest::Op::kAssign, cluster.id_of(i), role_of(i, 1000), 0});
    }
    cluster.node(0).spawner->spawn(apply_durably(&layout, 1, applied, &result, &loop, 0));
  });
  if (kind == "none") return absl::OkStatus();
  loop.at(when, [&cluster, &loop, &result, applied, kind, last_zone, target, role_of] {
    int op_node = -1;
    for (int i = 0; i < cluster.size() && op_node < 0; ++i)
      if (cluster.is_running((target + i) % cluster.size())) op_node = (target + i) % cluster.size();
    if (op_node < 0) return;
    LayoutManager& layout = *cluster.node(op_node).layout;
    if (kind == "capacity") {
      (void)layout.admin(
          LayoutAdminRequest{LayoutAdminRequest::Op::kAssign, cluster.id_of(target), role_of(target, 3000), 0});
    } else if (kind == "add-zone") {
      for (int i = 0; i < cluster.size(); ++i) {
        if (cluster.zone_of(i) != last_zone) continue;
        (void)layout.admin(LayoutAdminRequest{LayoutAdminRequest::Op::kAssign, cluster.id_of(i), role_of(i, 1000), 0});
      }
    } else {
      (void)layout.admin(LayoutAdminRequest{LayoutAdminRequest::Op::kRemove, cluster.id_of(target), {}, 0});
    }
    cluster.node(op_node).spawner->spawn(
        apply_durably(&layout, layout.layout().current_version() + 1, applied, &result, &loop, op_node));
  });
  return absl::OkStatus();
}

void check_seen_down(Cluster& cluster, int crashed, absl::Duration now, SimResult& result) {
  for (int a = 0; a < cluster.size(); ++a) {
    if (a == crashed || !cluster.is_running(a)) continue;
    if (cluster.node(a).membership->sees_up(cluster.id_of(crashed))) {
      result.violations.push_back(absl::StrCat("at ", at(now), ": n", a, " still sees crashed n", crashed, " up"));
    }
  }
}

}  // namespace

std::string SimResult::last_line() const {
  return absl::StrCat("seed=", seed, " trace_hash=", hex64(trace_hash), " events=", events,
                      " violations=", violations.size());
}

absl::StatusOr<SimResult> run_simulation(const SimOptions& options) {
  if (absl::Status s = validate(options); !s.ok()) return s;
  SimResult result;
  result.seed = options.seed;
  EventLoop loop;
  if (!options.trace_path.empty() && !loop.trace().write_lines_to(options.trace_path)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write trace to ", options.trace_path));
  }
  Xoshiro256 schedule_rng(options.seed);
  Cluster cluster(loop, options.seed, make_config(options, schedule_rng));
  for (int i = 0; i < cluster.size(); ++i) cluster.start(i);

  const absl::Duration heal_at = options.duration - quiet_tail(options);
  FaultSchedule faults(loop, cluster, schedule_rng, options, result);
  faults.plan(heal_at);
  if (options.data_disk_dies && options.workload == "s3") {
    loop.at(kWarmup + absl::Seconds(5), [&cluster, &result, &options] {
      const int victim = static_cast<int>(options.seed % static_cast<uint64_t>(cluster.size()));
      cluster.data_disk_storage(victim).kill();
      result.log.push_back(absl::StrCat("data disk of n", victim, " dies at ", at(kWarmup + absl::Seconds(5))));
    });
  }
  for (const auto& [when, node] : faults.down_checks) {
    loop.at(when, [&cluster, &result, &loop, node = node] { check_seen_down(cluster, node, loop.now(), result); });
  }
  loop.at(heal_at, [&] {
    cluster.network().heal_all();
    // The table workload checks read repair right after heal: no message may be lost then.
    if (options.workload != "membership") cluster.network().stop_message_faults();
    for (int i = 0; i < cluster.size(); ++i) {
      if (!cluster.is_running(i)) cluster.start(i);
    }
  });
  uint64_t layout_applied = 0;
  std::unique_ptr<TableWorkload> table;
  std::unique_ptr<S3Workload> s3_workload;
  if (options.nodes >= 3) {
    absl::Status planned =
        plan_layouts(loop, cluster, schedule_rng, heal_at, &layout_applied,
                     std::min(options.replication_factor, options.nodes), options.layout_change, result);
    if (!planned.ok()) return planned;
  }
  if (options.workload == "table") {
    table = std::make_unique<TableWorkload>(loop, cluster, options.seed, result);
    table->plan(heal_at, options.duration);
  }
  if (options.workload == "s3") {
    s3_workload = std::make_unique<S3Workload>(loop, cluster, options.seed, result);
    s3_workload->plan(heal_at, options.duration);
  }
  loop.at(heal_at + kUpAfterHealBound, [&] { check_all_up(cluster, loop.now(), result); });
  loop.at(options.duration, [&] {
    check_all_up(cluster, loop.now(), result);
    check_layouts_converged(cluster, layout_applied, loop.now(), result);
  });

  loop.run_until(options.duration);
  for (int i = 0; i < cluster.size() && result.services.empty(); ++i) {
    if (cluster.is_running(i) && cluster.node(i).node) result.services = cluster.node(i).node->services();
  }
  for (int i = 0; i < cluster.size(); ++i) {
    if (cluster.is_running(i)) cluster.crash(i);  // collects error counts, frees every frame
  }
  if (cluster.error_events() > 0) {
    result.violations.push_back(absl::StrCat(cluster.error_events(), " error-severity trace events"));
  }
  for (const auto& [name, n] : cluster.chaos().probes()) result.probes[name] += n;  // beside the workload's own
  result.trace_hash = loop.trace().hash();
  result.events = loop.events_run();
  result.checkpoints = loop.trace().checkpoints();
  return result;
}

}  // namespace garage::sim
