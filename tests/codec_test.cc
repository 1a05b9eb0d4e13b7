// The RPC codec: round trips (property-based), canonical encoding, and refusal of bad bytes.
#include "node/codec.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "node/membership_messages.h"
#include "node/rpc.h"

namespace rc {
template <>
struct Arbitrary<garage::NodeId> {
  static Gen<garage::NodeId> arbitrary() {
    return gen::map(gen::container<std::vector<uint8_t>>(32, gen::arbitrary<uint8_t>()), [](std::vector<uint8_t> v) {
      garage::NodeId id;
      std::copy(v.begin(), v.end(), id.bytes.begin());
      return id;
    });
  }
};
template <>
struct Arbitrary<garage::NodeStatus> {
  static Gen<garage::NodeStatus> arbitrary() {
    return gen::build<garage::NodeStatus>(gen::set(&garage::NodeStatus::id), gen::set(&garage::NodeStatus::address),
                                          gen::set(&garage::NodeStatus::zone), gen::set(&garage::NodeStatus::version));
  }
};
template <>
struct Arbitrary<garage::PeerAddress> {
  static Gen<garage::PeerAddress> arbitrary() {
    return gen::build<garage::PeerAddress>(gen::set(&garage::PeerAddress::id), gen::set(&garage::PeerAddress::address));
  }
};
template <>
struct Arbitrary<garage::PeerView> {
  static Gen<garage::PeerView> arbitrary() {
    return gen::build<garage::PeerView>(gen::set(&garage::PeerView::status), gen::set(&garage::PeerView::up),
                                        gen::set(&garage::PeerView::last_seen_ms_ago));
  }
};
}  // namespace rc

namespace garage {
namespace {

RC_GTEST_PROP(Codec, PingRoundTripsAndIsCanonical, (NodeStatus sender, std::vector<PeerAddress> peers)) {
  PingMessage m{sender, peers, LayoutDigest{7, 2, 0xabcdef}};
  const std::string bytes = m.encode();
  absl::StatusOr<PingMessage> back = PingMessage::decode(bytes);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == m);
  RC_ASSERT(back->encode() == bytes);
}

RC_GTEST_PROP(Codec, ClusterStatusRoundTrips, (NodeStatus self, std::vector<PeerView> peers)) {
  ClusterStatusReply r{self, peers};
  absl::StatusOr<ClusterStatusReply> back = ClusterStatusReply::decode(r.encode());
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == r);
}

RC_GTEST_PROP(Codec, EveryTruncationIsRefused, (NodeStatus sender, std::vector<PeerAddress> peers)) {
  const std::string bytes = PingMessage{sender, peers}.encode();
  const size_t cut = *rc::gen::inRange<size_t>(0, bytes.size());
  RC_ASSERT(!PingMessage::decode(std::string_view(bytes).substr(0, cut)).ok());
}

TEST(Codec, RefusesTrailingBytesBadBooleansAndUnknownVersions) {
  PingMessage m;
  m.sender.address = "127.0.0.1:3901";
  std::string bytes = m.encode();
  EXPECT_TRUE(PingMessage::decode(bytes).ok());
  EXPECT_EQ(PingMessage::decode(bytes + "x").status().code(), absl::StatusCode::kInvalidArgument);

  std::string future = bytes;
  future[0] = 9;
  absl::Status s = PingMessage::decode(future).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unsupported version 9"), std::string::npos) << s;

  ClusterStatusReply r;
  r.peers.push_back(PeerView{});
  std::string status_bytes = r.encode();
  // The peer's `up` boolean sits 8 bytes (its i64) before the end.
  status_bytes[status_bytes.size() - 9] = 2;
  EXPECT_NE(ClusterStatusReply::decode(status_bytes).status().message().find("boolean"), std::string::npos);
}

TEST(Codec, PingVersion1WithoutLayoutDigestStillDecodes) {
  // Version 1 (before layouts): version byte, sender status, known peers; nothing after.
  Encoder v1;
  v1.u8(1);
  v1.node_id(NodeId{});
  v1.str("10.0.0.1:3901");
  v1.str("dc1");
  v1.str("garage-cpp 0.0.9");
  v1.u32(0);
  absl::StatusOr<PingMessage> m = PingMessage::decode(v1.take());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->sender.address, "10.0.0.1:3901");
  EXPECT_EQ(m->layout, LayoutDigest{});
  EXPECT_EQ(m->encode()[0], PingMessage::kVersion);  // re-encoded as the current version
}

TEST(Codec, RefusesHugeLengthsWithoutAllocating) {
  Encoder e;
  e.u8(PingMessage::kVersion);
  e.node_id(NodeId{});
  e.u32(0xffffffffu);  // an address "4 GiB long"
  EXPECT_EQ(PingMessage::decode(e.take()).status().code(), absl::StatusCode::kInvalidArgument);

  Encoder many;
  many.u8(PersistedPeers::kVersion);
  many.u32(kMaxPeers + 1);
  EXPECT_NE(PersistedPeers::decode(many.take()).status().message().find("list too long"), std::string::npos);
}

TEST(Codec, FixedWidthLittleEndianLayoutIsPinned) {
  Encoder e;
  e.u16(0x0102);
  e.u32(0x03040506);
  e.i64(-2);
  e.str("ab");
  EXPECT_EQ(e.take(), std::string("\x02\x01\x06\x05\x04\x03\xfe\xff\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00"
                                  "ab",
                                  20));
}

TEST(Codec, NodeIdHexRoundTrips) {
  NodeId id;
  for (size_t i = 0; i < 32; ++i) id.bytes[i] = static_cast<uint8_t>(i * 7);
  EXPECT_EQ(NodeId::from_hex(id.hex()), id);
  EXPECT_EQ(id.short_hex().size(), 16u);
  EXPECT_FALSE(NodeId::from_hex("zz").has_value());
  EXPECT_FALSE(NodeId::from_hex(std::string(64, 'g')).has_value());
}

TEST(Rpc, EnvelopeCarriesTheMethod) {
  const std::string req = encode_rpc(RpcMethod::kClusterStatus, "payload");
  EXPECT_EQ(req.size(), 3 + 7u);
  EXPECT_EQ(req[0], 1);
  EXPECT_EQ(req[1], 2);
  EXPECT_EQ(req.substr(3), "payload");
}

}  // namespace
}  // namespace garage
