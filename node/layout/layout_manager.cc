#include "node/layout/layout_manager.h"

#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "node/codec.h"
#include "node/planted.h"
#include "node/runtime/combinators.h"
#include "node/sealed.h"

namespace garage {
namespace {
constexpr char kLayoutFile[] = "cluster_layout";
}  // namespace

std::string LayoutAdminRequest::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.u8(static_cast<uint8_t>(op));
  e.node_id(node);
  encode_role(e, role);
  e.u64(version);
  return e.take();
}

absl::StatusOr<LayoutAdminRequest> LayoutAdminRequest::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(1, kVersion);
  LayoutAdminRequest r;
  const uint8_t op = d.u8();
  if (d.ok() && op > static_cast<uint8_t>(Op::kRevert)) d.fail("unknown layout operation");
  r.op = static_cast<Op>(op);
  r.node = d.node_id();
  r.role = decode_role(d);
  r.version = d.u64();
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return r;
}

LayoutManager::LayoutManager(Env env, Spawner& spawner, NodeId self, int replication_factor,
                             bool planted_retire_before_sync, LayoutOptions options)
    : env_(env),
      spawner_(spawner),
      self_(self),
      replication_factor_(replication_factor),
      planted_retire_before_sync_(planted_retire_before_sync),
      options_(options) {}

std::vector<std::vector<NodeId>> LayoutManager::replica_sets(uint8_t partition) const {
  std::vector<std::vector<NodeId>> sets;
  std::vector<const LayoutVersion*> active = layout_.active_versions();
  if (planted(planted_retire_before_sync_) && !active.empty()) active = {active.back()};
  for (const LayoutVersion* v : active) {
    if (partition < v->assignment.replicas.size()) sets.push_back(v->assignment.replicas[partition]);
  }
  return sets;
}

std::vector<std::vector<NodeId>> LayoutManager::retired_replica_sets(uint8_t partition) const {
  const std::vector<const LayoutVersion*> active = layout_.active_versions();
  std::vector<std::vector<NodeId>> sets;
  const std::vector<LayoutVersion>& all = layout_.versions();
  for (auto v = all.rbegin(); v != all.rend(); ++v) {
    if (std::find(active.begin(), active.end(), &*v) != active.end()) continue;
    if (partition < v->assignment.replicas.size()) sets.push_back(v->assignment.replicas[partition]);
  }
  return sets;
}

void LayoutManager::writes_drained_below(uint64_t oldest_in_flight) {
  write_floor_ = oldest_in_flight;
  maybe_ack();
}

void LayoutManager::maybe_ack() {
  const uint64_t v = std::min({layout_.current_version(), saved_version_, write_floor_});
  if (v > 0 && layout_.set_ack(self_, v)) {
    probe(env_, "layout.acked");
    changed();
  }
}

void LayoutManager::report_synced(uint64_t version) {
  if (layout_.set_synced(self_, version)) {
    env_.tracer->event(Severity::kInfo, "LayoutSynced", absl::StrCat("version ", version));
    changed();
  }
}

void LayoutManager::register_rpcs(RpcRouter& router) {
  router.add(RpcMethod::kLayoutGet, [this](NodeId from, std::string p) { return handle_get(from, std::move(p)); });
  router.add(RpcMethod::kLayoutAdmin, [this](NodeId from, std::string p) { return handle_admin(from, std::move(p)); });
}

Task<> LayoutManager::load() {
  if (env_.disk == nullptr) co_return;
  // A read can come back corrupt once (a transient fault) and right the next time: try thrice
  // before giving up on the file (and waiting for peers to gossip the layout).
  absl::Status last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<std::string> bytes = co_await env_.disk->read_file(kLayoutFile);
    if (!bytes.ok()) {
      if (!absl::IsNotFound(bytes.status())) {
        env_.tracer->event(Severity::kWarn, "LayoutUnreadable", std::string(bytes.status().message()));
      }
      co_return;
    }
    absl::StatusOr<std::string_view> payload = unseal(*bytes);
    absl::StatusOr<ClusterLayout> stored =
        payload.ok() ? ClusterLayout::decode(*payload) : absl::StatusOr<ClusterLayout>(payload.status());
    if (stored.ok()) {
      if (attempt > 0) probe(env_, "layout.file_reread_ok");
      layout_.merge(*stored);
      saved_version_ = layout_.current_version();
      digest_ = layout_.digest();
      env_.tracer->event(Severity::kInfo, "LayoutLoaded", absl::StrCat("version ", layout_.current_version()));
      co_return;
    }
    last_error = stored.status();
  }
  probe(env_, "layout.file_corrupt");
  env_.tracer->event(Severity::kWarn, "LayoutFileCorrupt",
                     absl::StrCat(last_error.message(), "; waiting for peers to gossip the layout"));
}

void LayoutManager::on_peer_digest(const std::string& address, const LayoutDigest& digest) {
  if (pulls_in_flight_.count(address)) return;
  spawner_.spawn(pull(address));
}

Task<> LayoutManager::pull(std::string address) {
  pulls_in_flight_.insert(address);
  absl::StatusOr<RpcReply> reply = co_await env_.transport->call(address, encode_rpc(RpcMethod::kLayoutGet, ""),
                                                                 CallOptions{.timeout = options_.pull_timeout});
  pulls_in_flight_.erase(address);
  if (!reply.ok()) co_return;
  absl::StatusOr<ClusterLayout> theirs = ClusterLayout::decode(reply->body);
  if (!theirs.ok()) {
    env_.tracer->event(Severity::kWarn, "BadLayoutFromPeer", absl::StrCat(address, ": ", theirs.status().message()));
    co_return;
  }
  const uint64_t before = layout_.current_version();
  if (layout_.merge(*theirs)) {
    probe(env_, "layout.merged_from_peer");
    if (layout_.current_version() != before) {
      probe(env_, "layout.newer_version_from_peer");
      env_.tracer->event(Severity::kInfo, "LayoutUpdated", absl::StrCat("version ", layout_.current_version()));
    }
    changed();
  }
}

Task<absl::StatusOr<std::string>> LayoutManager::handle_get(NodeId from, std::string payload) {
  co_return layout_.encode();
}

Task<absl::StatusOr<std::string>> LayoutManager::handle_admin(NodeId from, std::string payload) {
  absl::StatusOr<LayoutAdminRequest> req = LayoutAdminRequest::decode(payload);
  if (!req.ok()) co_return req.status();
  absl::Status s = co_await admin_durably(std::move(*req));
  if (!s.ok()) co_return s;
  co_return layout_.encode();
}

absl::Status LayoutManager::admin(const LayoutAdminRequest& req) {
  const int64_t now_ms = absl::ToUnixMillis(env_.clock->now_wall());
  switch (req.op) {
    case LayoutAdminRequest::Op::kShow:
      return absl::OkStatus();
    case LayoutAdminRequest::Op::kAssign:
      layout_.stage(req.node, req.role, now_ms, self_);
      break;
    case LayoutAdminRequest::Op::kRemove:
      if (!layout_.staged_roles().count(req.node)) {
        return absl::NotFoundError(absl::StrCat("node ", req.node.short_hex(), " has no role in the layout"));
      }
      layout_.stage(req.node, std::nullopt, now_ms, self_);
      break;
    case LayoutAdminRequest::Op::kApply:
      if (absl::Status s = layout_.apply(req.version, replication_factor_); !s.ok()) return s;
      env_.tracer->event(Severity::kInfo, "LayoutApplied", absl::StrCat("version ", layout_.current_version()));
      break;
    case LayoutAdminRequest::Op::kRevert:
      layout_.revert();
      break;
  }
  changed();
  return absl::OkStatus();
}

Task<absl::Status> LayoutManager::admin_durably(LayoutAdminRequest request) {
  if (absl::Status s = admin(request); !s.ok()) co_return s;
  if (env_.disk == nullptr) co_return absl::OkStatus();
  const uint64_t target = changes_;
  for (absl::Duration waited; saved_changes_ < target; waited += options_.durable_poll_interval) {
    if (waited >= options_.durable_wait)
      co_return absl::UnavailableError("layout change made but not yet saved to disk");
    absl::Status slept = co_await sleep_for(*env_.clock, options_.durable_poll_interval);
    if (!slept.ok()) co_return slept;
    if (!saving_ && saved_changes_ < target) changed();  // the last save failed: try again
  }
  co_return absl::OkStatus();
}

void LayoutManager::changed() {
  digest_ = layout_.digest();
  dirty_ = true;
  ++changes_;
  if (!saving_ && env_.disk != nullptr) spawner_.spawn(save());
}

Task<> LayoutManager::save() {
  saving_ = true;
  while (dirty_) {
    dirty_ = false;
    if (buggify(env_, "layout.slow_save")) (void)co_await sleep_for(*env_.clock, kChaosSlowLayoutSave);
    const uint64_t version = layout_.current_version();
    const uint64_t changes = changes_;
    absl::Status s = co_await env_.disk->write_file(kLayoutFile, seal(layout_.encode()));
    if (s.ok()) s = co_await env_.disk->sync_file(kLayoutFile);
    if (s.ok()) saved_changes_ = changes;
    if (s.ok() && version > saved_version_) {
      saved_version_ = version;
      maybe_ack();  // may set dirty_ again: the loop saves the ack too
    }
    if (!s.ok()) {
      if (!absl::IsCancelled(s)) env_.tracer->event(Severity::kWarn, "LayoutSaveFailed", std::string(s.message()));
      break;  // the next change tries again
    }
  }
  saving_ = false;
}

}  // namespace garage
