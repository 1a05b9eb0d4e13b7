#include "node/membership.h"

#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "node/planted.h"
#include "node/runtime/combinators.h"
#include "node/sealed.h"

namespace garage {
namespace {
constexpr char kPeerListFile[] = "peer_list";
}  // namespace

Membership::Membership(Env env, Spawner& spawner, NodeStatus self, std::vector<BootstrapPeer> bootstrap_peers,
                       MembershipOptions options)
    : env_(env), spawner_(spawner), self_(std::move(self)), bootstrap_(std::move(bootstrap_peers)), options_(options) {}

void Membership::register_rpcs(RpcRouter& router) {
  router.add(RpcMethod::kPing, [this](NodeId from, std::string p) { return handle_ping(from, std::move(p)); });
  router.add(RpcMethod::kClusterStatus,
             [this](NodeId from, std::string p) { return handle_status(from, std::move(p)); });
}

void Membership::start() { spawner_.spawn(run()); }

Task<> Membership::run() {
  co_await load_peer_list();
  while (true) {
    tick();
    absl::Status slept = co_await sleep_for(*env_.clock, options_.ping_interval);
    if (!slept.ok()) co_return;  // cancelled: the node is shutting down
  }
}

void Membership::tick() {
  std::set<std::string> known_addresses;
  for (auto& [id, peer] : peers_) {
    known_addresses.insert(peer.status.address);
    const bool up = is_up(peer);
    if (up != peer.was_up) {
      probe(env_, up ? "membership.peer_up" : "membership.peer_down_detected");
      env_.tracer->event(Severity::kInfo, up ? "PeerUp" : "PeerDown", id.short_hex());
      peer.was_up = up;
      if (!up && planted(options_.planted_bug_sticky_down)) peer.condemned = true;
    }
    if (pings_in_flight_.count(peer.status.address)) continue;
    if (buggify(env_, "membership.skip_one_ping")) continue;  // a late ping: silence must be tolerated
    spawner_.spawn(ping(peer.status.address, id, /*strict=*/false));
  }
  for (const BootstrapPeer& b : bootstrap_) {
    if (b.address == self_.address || known_addresses.count(b.address) || pings_in_flight_.count(b.address)) continue;
    spawner_.spawn(ping(b.address, b.id, /*strict=*/b.id.has_value()));
  }
  if (env_.disk != nullptr && peer_list_dirty_ && !saving_) spawner_.spawn(save_peer_list());
}

PingMessage Membership::make_ping() const {
  PingMessage m;
  m.sender = self_;
  if (layout_digest_) m.layout = layout_digest_();
  for (const auto& [id, peer] : peers_) {
    if (m.known_peers.size() >= kMaxPeers) break;
    m.known_peers.push_back({id, peer.status.address});
  }
  return m;
}

Task<> Membership::ping(std::string address, std::optional<NodeId> expected, bool strict) {
  pings_in_flight_.insert(address);
  CallOptions options{.timeout = options_.ping_timeout, .priority = RpcPriority::kHigh};
  absl::StatusOr<RpcReply> reply =
      co_await env_.transport->call(address, encode_rpc(RpcMethod::kPing, make_ping().encode()), options);
  pings_in_flight_.erase(address);
  if (!reply.ok()) co_return;  // silence is what failure detection measures; nothing to log per ping
  absl::StatusOr<PingMessage> pong = PingMessage::decode(reply->body);
  if (!pong.ok()) {
    env_.tracer->event(Severity::kWarn, "BadPingReply", absl::StrCat(address, ": ", pong.status().message()));
    co_return;
  }
  if (pong->sender.id != reply->from) {  // a peer may only speak for itself
    env_.tracer->event(Severity::kWarn, "PingIdMismatch", address);
    co_return;
  }
  if (expected.has_value() && *expected != reply->from) {
    if (strict) {
      env_.tracer->event(Severity::kWarn, "BootstrapPeerIdMismatch",
                         absl::StrCat(address, " is ", reply->from.short_hex(), ", not ", expected->short_hex()));
      co_return;
    }
    env_.tracer->event(Severity::kInfo, "PeerAddressReused", address);
  }
  if (pong->sender.address.empty()) pong->sender.address = address;
  heard_from(pong->sender);
  learn_addresses(pong->known_peers);
  check_layout(pong->sender.address, pong->layout);
}

Task<absl::StatusOr<std::string>> Membership::handle_ping(NodeId from, std::string payload) {
  absl::StatusOr<PingMessage> ping = PingMessage::decode(payload);
  if (!ping.ok()) co_return ping.status();
  if (ping->sender.id != from) co_return absl::PermissionDeniedError("ping sender is not the authenticated peer");
  heard_from(ping->sender);
  learn_addresses(ping->known_peers);
  check_layout(ping->sender.address, ping->layout);
  co_return make_ping().encode();
}

Task<absl::StatusOr<std::string>> Membership::handle_status(NodeId from, std::string payload) {
  ClusterStatusReply reply;
  reply.self = self_;
  reply.peers = peers();
  co_return reply.encode();
}

void Membership::check_layout(const std::string& address, const LayoutDigest& theirs) {
  if (!layout_digest_ || !on_peer_digest_ || theirs == LayoutDigest{} || address.empty()) return;
  if (theirs != layout_digest_()) on_peer_digest_(address, theirs);
}

void Membership::heard_from(const NodeStatus& status) {
  if (status.id == self_.id) return;
  auto it = peers_.find(status.id);
  if (it == peers_.end()) {
    if (peers_.size() >= kMaxPeers) return;
    env_.tracer->event(Severity::kInfo, "PeerDiscovered", absl::StrCat(status.id.short_hex(), " ", status.address));
    it = peers_.emplace(status.id, Peer{}).first;
    peer_list_dirty_ = true;
  } else if (it->second.status.address != status.address) {
    peer_list_dirty_ = true;
  }
  it->second.status = status;
  it->second.last_seen = env_.clock->now_monotonic();
}

void Membership::learn_addresses(const std::vector<PeerAddress>& addresses) {
  for (const PeerAddress& p : addresses) {
    if (p.id == self_.id || p.address.empty() || peers_.count(p.id) || peers_.size() >= kMaxPeers) continue;
    Peer peer;
    peer.status.id = p.id;
    peer.status.address = p.address;
    peers_.emplace(p.id, std::move(peer));  // never seen directly yet: pinged at the next tick
    probe(env_, "membership.peer_learned_by_gossip");
    peer_list_dirty_ = true;
  }
}

bool Membership::is_up(const Peer& peer) const {
  if (peer.condemned || !peer.last_seen.has_value()) return false;
  return env_.clock->now_monotonic() - *peer.last_seen <= options_.down_after;
}

std::vector<PeerView> Membership::peers() {
  std::vector<PeerView> out;
  const absl::Duration now = env_.clock->now_monotonic();
  for (const auto& [id, peer] : peers_) {
    PeerView v;
    v.status = peer.status;
    v.up = is_up(peer);
    v.last_seen_ms_ago = peer.last_seen ? absl::ToInt64Milliseconds(now - *peer.last_seen) : -1;
    out.push_back(std::move(v));
  }
  return out;
}

bool Membership::sees_up(const NodeId& id) {
  auto it = peers_.find(id);
  return it != peers_.end() && is_up(it->second);
}

Task<> Membership::load_peer_list() {
  if (env_.disk == nullptr) co_return;
  absl::StatusOr<std::string> bytes = co_await env_.disk->read_file(kPeerListFile);
  if (!bytes.ok()) {
    if (!absl::IsNotFound(bytes.status()) && !absl::IsCancelled(bytes.status())) {
      env_.tracer->event(Severity::kWarn, "PeerListUnreadable", std::string(bytes.status().message()));
    }
    co_return;
  }
  absl::StatusOr<std::string_view> payload = unseal(*bytes);
  absl::StatusOr<PersistedPeers> persisted =
      payload.ok() ? PersistedPeers::decode(*payload) : absl::StatusOr<PersistedPeers>(payload.status());
  if (!persisted.ok()) {  // corrupt: start from bootstrap peers; gossip rebuilds the list
    probe(env_, "membership.peer_list_corrupt");
    env_.tracer->event(Severity::kWarn, "PeerListCorrupt", std::string(persisted.status().message()));
    co_return;
  }
  learn_addresses(persisted->peers);
  peer_list_dirty_ = false;
}

Task<> Membership::save_peer_list() {
  saving_ = true;
  peer_list_dirty_ = false;
  PersistedPeers list;
  for (const auto& [id, peer] : peers_) list.peers.push_back({id, peer.status.address});
  if (buggify(env_, "membership.slow_peer_list_save")) {
    (void)co_await sleep_for(*env_.clock, kChaosSlowPeerListSave);  // a crash may now land before the sync
  }
  absl::Status s = co_await env_.disk->write_file(kPeerListFile, seal(list.encode()));
  if (s.ok()) s = co_await env_.disk->sync_file(kPeerListFile);
  saving_ = false;
  if (!s.ok()) {
    peer_list_dirty_ = true;  // try again at the next tick
    if (!absl::IsCancelled(s)) env_.tracer->event(Severity::kWarn, "PeerListSaveFailed", std::string(s.message()));
  }
}

std::optional<std::string> Membership::address_of(const NodeId& id) const {
  if (id == self_.id) return self_.address;
  auto it = peers_.find(id);
  if (it == peers_.end() || it->second.status.address.empty()) return std::nullopt;
  return it->second.status.address;
}

}  // namespace garage
