#include "sim/sim_network.h"

#include <cassert>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "node/rng.h"
#include "node/runtime/combinators.h"

namespace garage::sim {

SimNetwork::SimNetwork(EventLoop& loop, Rng& rng, NetworkConfig config, std::vector<int> zone_of_node)
    : loop_(loop),
      rng_(rng),
      config_(config),
      zone_of_node_(std::move(zone_of_node)),
      endpoints_(zone_of_node_.size(), nullptr),
      incarnation_(zone_of_node_.size(), 0) {
  int zones = 0;
  for (int z : zone_of_node_) zones = std::max(zones, z + 1);
  for (int a = 0; a < zones; ++a) {
    for (int b = a + 1; b < zones; ++b) {
      absl::Duration d = uniform_duration(rng_, config_.inter_zone_latency_min, config_.inter_zone_latency_max);
      zone_latency_[{a, b}] = d;
      zone_latency_[{b, a}] = d;
    }
  }
}

std::string SimNetwork::address_of(int node) { return absl::StrCat("node", node, ":3901"); }

int SimNetwork::node_of(const std::string& address) const {
  if (address.rfind("node", 0) != 0) return -1;
  const size_t colon = address.find(':');
  int node = -1;
  if (!absl::SimpleAtoi(address.substr(4, colon - 4), &node)) return -1;
  if (node < 0 || static_cast<size_t>(node) >= zone_of_node_.size()) return -1;
  return node;
}

absl::Duration SimNetwork::base_latency(int from, int to) const {
  const int za = zone_of_node_[from], zb = zone_of_node_[to];
  if (za == zb) return config_.intra_zone_latency;
  return zone_latency_.at({za, zb});
}

std::vector<SimNetwork::Link> SimNetwork::links_isolating_node(int node) const {
  std::vector<Link> links;
  for (int other = 0; other < static_cast<int>(zone_of_node_.size()); ++other) {
    if (other == node) continue;
    links.push_back({node, other});
    links.push_back({other, node});
  }
  return links;
}

std::vector<SimNetwork::Link> SimNetwork::links_isolating_zone(int zone) const {
  std::vector<Link> links;
  const int n = static_cast<int>(zone_of_node_.size());
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      if ((zone_of_node_[a] == zone) != (zone_of_node_[b] == zone)) links.push_back({a, b});
    }
  }
  return links;
}

void SimNetwork::cut(const std::vector<Link>& links) {
  for (const Link& l : links) ++cut_[l];
}

void SimNetwork::uncut(const std::vector<Link>& links) {
  for (const Link& l : links) {
    auto it = cut_.find(l);
    if (it != cut_.end() && --it->second == 0) cut_.erase(it);
  }
}

void SimNetwork::attach(int node, SimTransport* endpoint) {
  assert(endpoints_[node] == nullptr);
  endpoints_[node] = endpoint;
  ++incarnation_[node];
}

void SimNetwork::detach(int node) {
  endpoints_[node] = nullptr;
  for (SimTransport* other : endpoints_)
    if (other != nullptr) other->close_connections_to(node);
}

absl::Duration SimNetwork::draw_delay(int from, int to) {
  const absl::Duration base = base_latency(from, to);
  const int64_t base_us = absl::ToInt64Microseconds(base);
  const int64_t jitter_us = base_us * config_.jitter_percent / 100;
  int64_t us = base_us + uniform_range(rng_, -jitter_us, jitter_us);
  if (config_.reorder_ppm > 0 && chance_ppm(rng_, config_.reorder_ppm)) us += uniform_range(rng_, 0, 2 * base_us);
  return absl::Microseconds(std::max<int64_t>(us, 1));
}

void SimNetwork::send(int from, int to, std::string kind, size_t bytes, std::function<void(SimTransport&)> deliver) {
  ++sent_;
  const auto now_us = absl::ToInt64Microseconds(loop_.now());
  if (is_cut(from, to) || (config_.loss_ppm > 0 && chance_ppm(rng_, config_.loss_ppm))) {
    ++dropped_;
    loop_.trace().record(absl::StrCat(now_us, " net drop ", from, "->", to, " ", kind));
    return;
  }
  const int copies = (config_.duplicate_ppm > 0 && chance_ppm(rng_, config_.duplicate_ppm)) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    const uint64_t incarnation = incarnation_[to];
    loop_.after(draw_delay(from, to), [this, from, to, kind, bytes, incarnation, deliver] {
      const auto at_us = absl::ToInt64Microseconds(loop_.now());
      if (is_cut(from, to) || endpoints_[to] == nullptr || incarnation_[to] != incarnation) {
        ++dropped_;
        loop_.trace().record(absl::StrCat(at_us, " net lost ", from, "->", to, " ", kind));
        return;
      }
      loop_.trace().record(absl::StrCat(at_us, " net deliver ", from, "->", to, " ", kind, " ", bytes));
      deliver(*endpoints_[to]);
    });
  }
}

SimTransport::SimTransport(SimNetwork& network, int node, NodeId id, Clock& clock, Spawner& spawner)
    : network_(network),
      node_(node),
      id_(id),
      clock_(clock),
      spawner_(spawner),
      dialer_(
          clock, [this](std::string address) { return dial(std::move(address)); }, network.config().dialer) {
  network_.attach(node_, this);
}

SimTransport::~SimTransport() { network_.detach(node_); }

Task<absl::StatusOr<RpcReply>> SimTransport::call(std::string address, std::string body, CallOptions options) {
  const int target = network_.node_of(address);
  if (target < 0) co_return absl::UnavailableError(absl::StrCat("no route to ", address));
  if (!network_.config().connections) co_return co_await with_timeout(clock_, options.timeout, call_once(target, body));
  // As TlsTransport: the timeout covers the wait for a connection and the call on it.
  auto on_connection = [](SimTransport* self, std::string address, int target,
                          std::string body) -> Task<absl::StatusOr<RpcReply>> {
    absl::StatusOr<std::shared_ptr<Connection>> conn = co_await self->dialer_.connection_to(std::move(address));
    if (!conn.ok()) co_return conn.status();
    co_return co_await self->call_once(target, std::move(body));
  };
  co_return co_await with_timeout(clock_, options.timeout,
                                  on_connection(this, std::move(address), target, std::move(body)));
}

Task<absl::StatusOr<RpcReply>> SimTransport::call_once(int target, std::string body) {
  const uint64_t call_id = next_call_id_++;
  Oneshot<absl::StatusOr<RpcReply>> reply;
  pending_.emplace(call_id, reply);
  const NodeId from_id = id_;
  const int from = node_;
  network_.send(from, target, "req", body.size(), [from, call_id, body, from_id](SimTransport& dest) {
    dest.receive_request(from, call_id, body, from_id);
  });
  std::optional<absl::StatusOr<RpcReply>> v = co_await reply.wait();
  pending_.erase(call_id);
  if (!v.has_value()) co_return absl::CancelledError("call cancelled");
  co_return std::move(*v);
}

Task<absl::StatusOr<std::shared_ptr<SimTransport::Connection>>> SimTransport::dial(std::string address) {
  const int target = network_.node_of(address);
  if (target < 0) co_return absl::UnavailableError(absl::StrCat("no route to ", address));
  const uint64_t dial_id = next_call_id_++;
  Oneshot<bool> answered;
  handshakes_.emplace(dial_id, answered);
  const int from = node_;
  network_.send(from, target, "hello", 0, [from, dial_id](SimTransport& dest) { dest.receive_hello(from, dial_id); });
  std::optional<bool> done = co_await answered.wait();
  handshakes_.erase(dial_id);
  if (!done.has_value()) co_return absl::CancelledError("dial cancelled");
  auto conn = std::make_shared<Connection>();
  conn->peer = target;
  co_return conn;
}

void SimTransport::receive_hello(int from, uint64_t dial_id) {
  network_.send(node_, from, "hello-ack", 0, [dial_id](SimTransport& dest) { dest.receive_hello_ack(dial_id); });
}

void SimTransport::receive_hello_ack(uint64_t dial_id) {
  auto it = handshakes_.find(dial_id);
  if (it != handshakes_.end()) it->second.set(true);
}

void SimTransport::close_connections_to(int node) {
  for (const std::shared_ptr<Connection>& c : dialer_.connections()) {
    if (c->peer != node) continue;
    c->closed = true;
    dialer_.forget(SimNetwork::address_of(node), c.get());
  }
}

void SimTransport::receive_request(int from, uint64_t call_id, std::string body, NodeId from_id) {
  spawner_.spawn(serve(from, call_id, std::move(body), from_id));
}

Task<> SimTransport::serve(int from, uint64_t call_id, std::string body, NodeId from_id) {
  absl::StatusOr<std::string> result = absl::UnimplementedError("no handler");
  // Simulated nodes hold node certificates: never administrators.
  RpcCaller caller{from_id, /*administrator=*/false};
  if (handler_) result = co_await handler_(std::move(caller), std::move(body));
  absl::StatusOr<RpcReply> reply = result.ok() ? absl::StatusOr<RpcReply>(RpcReply{id_, std::move(*result)})
                                               : absl::StatusOr<RpcReply>(result.status());
  const size_t bytes = reply.ok() ? reply->body.size() : 0;
  network_.send(node_, from, "resp", bytes,
                [call_id, reply](SimTransport& dest) { dest.receive_reply(call_id, reply); });
}

void SimTransport::receive_reply(uint64_t call_id, absl::StatusOr<RpcReply> reply) {
  auto it = pending_.find(call_id);
  if (it == pending_.end()) return;  // late or duplicated reply
  it->second.set(std::move(reply));
}

}  // namespace garage::sim
