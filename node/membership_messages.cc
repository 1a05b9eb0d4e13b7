#include "node/membership_messages.h"

#include "node/codec.h"

namespace garage {
namespace {

void put_status(Encoder& e, const NodeStatus& s) {
  e.node_id(s.id);
  e.str(s.address);
  e.str(s.zone);
  e.str(s.version);
}

NodeStatus get_status(Decoder& d) {
  NodeStatus s;
  s.id = d.node_id();
  s.address = d.str(kMaxShortString);
  s.zone = d.str(kMaxShortString);
  s.version = d.str(kMaxShortString);
  return s;
}

void put_peer(Encoder& e, const PeerAddress& p) {
  e.node_id(p.id);
  e.str(p.address);
}

PeerAddress get_peer(Decoder& d) {
  PeerAddress p;
  p.id = d.node_id();
  p.address = d.str(kMaxShortString);
  return p;
}

}  // namespace

std::string PingMessage::encode() const {
  Encoder e;
  e.u8(kVersion);
  put_status(e, sender);
  e.list(known_peers, put_peer);
  e.u64(layout.version);
  e.u64(layout.staging_epoch);
  e.u64(layout.hash);
  return e.take();
}

absl::StatusOr<PingMessage> PingMessage::decode(std::string_view bytes) {
  Decoder d(bytes);
  const uint8_t version = d.version(1, kVersion);
  PingMessage m;
  m.sender = get_status(d);
  m.known_peers = d.list<PeerAddress>(kMaxPeers, get_peer);
  if (version >= 2) {
    m.layout.version = d.u64();
    m.layout.staging_epoch = d.u64();
    m.layout.hash = d.u64();
  }
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return m;
}

std::string ClusterStatusReply::encode() const {
  Encoder e;
  e.u8(kVersion);
  put_status(e, self);
  e.list(peers, [](Encoder& enc, const PeerView& p) {
    put_status(enc, p.status);
    enc.boolean(p.up);
    enc.i64(p.last_seen_ms_ago);
  });
  return e.take();
}

absl::StatusOr<ClusterStatusReply> ClusterStatusReply::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(1, kVersion);
  ClusterStatusReply r;
  r.self = get_status(d);
  r.peers = d.list<PeerView>(kMaxPeers, [](Decoder& dec) {
    PeerView p;
    p.status = get_status(dec);
    p.up = dec.boolean();
    p.last_seen_ms_ago = dec.i64();
    return p;
  });
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return r;
}

std::string PersistedPeers::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.list(peers, put_peer);
  return e.take();
}

absl::StatusOr<PersistedPeers> PersistedPeers::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(1, kVersion);
  PersistedPeers p;
  p.peers = d.list<PeerAddress>(kMaxPeers, get_peer);
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return p;
}

}  // namespace garage
