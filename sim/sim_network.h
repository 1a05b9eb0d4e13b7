// SimNetwork: the simulated links between nodes, and SimTransport, each node's endpoint on it.
//
// Fault model:
// - Latency from a zone-pair matrix: `intra_zone_latency` inside a zone; between two zones a
//   fixed base drawn per pair in [inter_zone_latency_min, inter_zone_latency_max], each message
//   getting +/- `jitter_percent` of it.
// - Each message may be lost (`loss_ppm`), duplicated (`duplicate_ppm`, the copy travelling
//   with its own delay) or held back by up to twice its latency (`reorder_ppm`).
// - Partitions are sets of cut directed links (a zone cut off, a node isolated, a one-way cut);
//   a message crossing a cut link, when sent or when it would arrive, is dropped.
// - A crashed node's endpoint is gone: messages to it are dropped, even once it restarts (each
//   restart is a new incarnation, as a new TCP connection would be).
// - Connections (`connections`): a node's calls to a peer go through the same Dialer as the
//   real transport (node/runtime/dialer.h): the first call dials (a handshake: one round trip
//   through the same links), callers during the dial wait for it, a failed or cancelled dial
//   backs off. A peer's crash or restart closes the connections to it.
// Limits: no bandwidth or congestion model, no per-connection ordering (every message travels
// on its own, which is harsher than TCP), no TLS cost; a dial to a crashed node is never
// refused, it goes unanswered (as to a host that is down).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "node/env.h"
#include "node/runtime/dialer.h"
#include "node/runtime/oneshot.h"
#include "node/runtime/spawner.h"
#include "sim/event_loop.h"

namespace garage::sim {

struct NetworkConfig {
  absl::Duration intra_zone_latency = absl::Microseconds(200);
  absl::Duration inter_zone_latency_min = absl::Milliseconds(10);
  absl::Duration inter_zone_latency_max = absl::Milliseconds(150);
  int64_t jitter_percent = 20;
  uint32_t loss_ppm = 0;
  uint32_t duplicate_ppm = 0;
  uint32_t reorder_ppm = 0;
  bool connections = false;  // calls go through a Dialer (see above); off: each call on its own
  DialerOptions dialer;      // planted bugs of the Dialer
};

class SimTransport;

class SimNetwork {
 public:
  SimNetwork(EventLoop& loop, Rng& rng, NetworkConfig config, std::vector<int> zone_of_node);

  static std::string address_of(int node);        // "node3:3901"
  int node_of(const std::string& address) const;  // -1 if no such node
  int zone_of(int node) const { return zone_of_node_[node]; }
  size_t node_count() const { return zone_of_node_.size(); }
  absl::Duration base_latency(int from, int to) const;

  // Partitions: sets of cut directed links. Cuts are counted, so two overlapping partitions
  // heal independently.
  using Link = std::pair<int, int>;
  std::vector<Link> links_isolating_node(int node) const;
  std::vector<Link> links_isolating_zone(int zone) const;
  void cut(const std::vector<Link>& links);
  void uncut(const std::vector<Link>& links);
  void cut(int from, int to) { cut(std::vector<Link>{{from, to}}); }
  void isolate_node(int node) { cut(links_isolating_node(node)); }
  void isolate_zone(int zone) { cut(links_isolating_zone(zone)); }
  void heal_all() { cut_.clear(); }
  // Ends loss, duplication and reordering from now on (latency and jitter stay).
  void stop_message_faults() {
    config_.loss_ppm = 0;
    config_.duplicate_ppm = 0;
    config_.reorder_ppm = 0;
  }
  bool is_cut(int from, int to) const { return cut_.count({from, to}) > 0; }

  // Endpoints: one live endpoint per node incarnation. Detaching a node (its crash, before any
  // restart) closes the other endpoints' connections to it.
  void attach(int node, SimTransport* endpoint);
  void detach(int node);
  const NetworkConfig& config() const { return config_; }

  // Sends a message; `deliver` runs on arrival with the receiving endpoint (if still live).
  void send(int from, int to, std::string kind, size_t bytes, std::function<void(SimTransport&)> deliver);

  uint64_t messages_sent() const { return sent_; }
  uint64_t messages_dropped() const { return dropped_; }

 private:
  absl::Duration draw_delay(int from, int to);
  EventLoop& loop_;
  Rng& rng_;
  NetworkConfig config_;
  std::vector<int> zone_of_node_;
  std::map<std::pair<int, int>, absl::Duration> zone_latency_;
  std::map<Link, int> cut_;  // link -> how many partitions cut it
  std::vector<SimTransport*> endpoints_;
  std::vector<uint64_t> incarnation_;
  uint64_t sent_ = 0, dropped_ = 0;
};

// One node's Transport in the simulation. Incoming requests run as tasks on `spawner`.
class SimTransport final : public Transport {
 public:
  SimTransport(SimNetwork& network, int node, NodeId id, Clock& clock, Spawner& spawner);
  ~SimTransport() override;

  const NodeId& self_id() const override { return id_; }
  Task<absl::StatusOr<RpcReply>> call(std::string address, std::string body, CallOptions options) override;
  void set_handler(RpcHandler handler) override { handler_ = std::move(handler); }

  // Called by the network on arrival.
  void receive_request(int from, uint64_t call_id, std::string body, NodeId from_id);
  void receive_reply(uint64_t call_id, absl::StatusOr<RpcReply> reply);
  void receive_hello(int from, uint64_t dial_id);
  void receive_hello_ack(uint64_t dial_id);
  // `node` crashed or restarted: the connections to it are closed.
  void close_connections_to(int node);

  uint64_t dials_started() const { return dialer_.dials_started(); }

 private:
  struct Connection {
    bool closed = false;
    int peer = -1;
  };
  Task<absl::StatusOr<RpcReply>> call_once(int target, std::string body);
  Task<absl::StatusOr<std::shared_ptr<Connection>>> dial(std::string address);
  Task<> serve(int from, uint64_t call_id, std::string body, NodeId from_id);
  SimNetwork& network_;
  int node_;
  NodeId id_;
  Clock& clock_;
  Spawner& spawner_;
  RpcHandler handler_;
  uint64_t next_call_id_ = 1;
  std::map<uint64_t, Oneshot<absl::StatusOr<RpcReply>>> pending_;
  std::map<uint64_t, Oneshot<bool>> handshakes_;  // dial id -> answered
  Dialer<Connection> dialer_;
};

}  // namespace garage::sim
