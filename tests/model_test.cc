// The S3 data model's entries are CRDTs: merge is commutative, associative and idempotent
// (property-tested), object versions resolve last-writer-wins, and the encodings round-trip and
// refuse garbage.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "node/model/model.h"
#include "node/model/object.h"
#include "node/model/version.h"

namespace garage {
namespace {

rc::Gen<ObjectVersion> gen_version() {
  return rc::gen::apply(
      [](int ts, int uuid, int state, bool marker, int size) {
        ObjectVersion v;
        v.timestamp_ms = ts;
        v.uuid = std::string(1, static_cast<char>('a' + uuid));
        v.state = static_cast<VersionState>(state);
        v.delete_marker = v.state == VersionState::kComplete && marker;
        if (v.state == VersionState::kComplete && !marker) {
          // Equal (timestamp, uuid) means one upload: the same data on every replica.
          v.meta.size = static_cast<uint64_t>(ts * 31 + uuid);
          v.meta.etag = std::to_string(ts) + std::string(1, static_cast<char>('a' + uuid));
        }
        (void)size;
        return v;
      },
      rc::gen::inRange(0, 6), rc::gen::inRange(0, 3), rc::gen::inRange(0, 3), rc::gen::arbitrary<bool>(),
      rc::gen::inRange(0, 100));
}

rc::Gen<ObjectEntry> gen_entry() {
  return rc::gen::map(rc::gen::container<std::vector<ObjectVersion>>(gen_version()), [](std::vector<ObjectVersion> vs) {
    ObjectEntry e;
    for (ObjectVersion& v : vs) {
      ObjectEntry one{{v}};
      e.merge(one);
    }
    return e;
  });
}

ObjectEntry merged(ObjectEntry a, const ObjectEntry& b) {
  a.merge(b);
  return a;
}

RC_GTEST_PROP(ObjectEntry, MergeIsACrdt, ()) {
  const ObjectEntry a = *gen_entry(), b = *gen_entry(), c = *gen_entry();
  RC_ASSERT(merged(a, b) == merged(b, a));
  RC_ASSERT(merged(merged(a, b), c) == merged(a, merged(b, c)));
  RC_ASSERT(merged(a, a) == a);
  absl::StatusOr<ObjectEntry> back = ObjectEntry::decode(a.encode());
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == a);
}

TEST(ObjectEntry, TheNewestCompleteVersionWinsAndOlderOnesArePruned) {
  ObjectVersion old{100, "u1", VersionState::kComplete, false, {5, "e1"}};
  ObjectVersion newer{200, "u2", VersionState::kComplete, false, {7, "e2"}};
  ObjectVersion uploading{300, "u3", VersionState::kUploading, false, {}};
  ObjectEntry e{{old}};
  e.merge(ObjectEntry{{uploading}});
  e.merge(ObjectEntry{{newer}});
  ASSERT_NE(e.current(), nullptr);
  EXPECT_EQ(e.current()->uuid, "u2");
  EXPECT_EQ(e.versions.size(), 2u);  // u1 pruned; the upload in progress kept
  ObjectVersion marker{400, "u4", VersionState::kComplete, true, {}};
  e.merge(ObjectEntry{{marker}});
  EXPECT_EQ(e.current(), nullptr);
  EXPECT_TRUE(e.is_tombstone());
  // A late write with an older timestamp does not resurrect the object.
  e.merge(ObjectEntry{{newer}});
  EXPECT_EQ(e.current(), nullptr);
}

TEST(ObjectEntry, AnUploadMovesForwardOnly) {
  ObjectVersion up{100, "u", VersionState::kUploading, false, {}};
  ObjectVersion done = up;
  done.state = VersionState::kComplete;
  done.meta.size = 10;
  ObjectEntry e{{done}};
  e.merge(ObjectEntry{{up}});
  ASSERT_NE(e.current(), nullptr);
  EXPECT_EQ(e.current()->meta.size, 10u);
}

TEST(ObjectEntry, GarbageDoesNotDecode) {
  EXPECT_FALSE(ObjectEntry::decode("").ok());
  EXPECT_FALSE(ObjectEntry::decode(std::string("\x01\xff\xff\xff\xff", 5)).ok());
  ObjectEntry e{{ObjectVersion{1, "a", VersionState::kComplete, false, {3, "x"}}}};
  std::string bytes = e.encode();
  EXPECT_FALSE(ObjectEntry::decode(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(ObjectEntry::decode(bytes + "x").ok());
}

RC_GTEST_PROP(VersionEntry, MergeIsACrdt, ()) {
  auto gen = [] {
    VersionEntry v;
    v.deleted = *rc::gen::arbitrary<bool>();
    const int n = *rc::gen::inRange(0, 4);
    for (int i = 0; i < n; ++i) {
      const uint32_t part = *rc::gen::inRange(0, 3);
      const uint64_t offset = *rc::gen::inRange(0, 3);
      // A slot holds the one block its upload wrote: derived from the slot.
      v.blocks[{part, offset}] = BlockInfo{std::string(32, static_cast<char>('a' + part * 3 + offset)), part + 1u};
    }
    if (v.deleted) v.blocks.clear();
    return v;
  };
  const VersionEntry a = gen(), b = gen(), c = gen();
  auto m = [](VersionEntry x, const VersionEntry& y) {
    x.merge(y);
    return x;
  };
  RC_ASSERT(m(a, b) == m(b, a));
  RC_ASSERT(m(m(a, b), c) == m(a, m(b, c)));
  RC_ASSERT(m(a, a) == a);
  absl::StatusOr<VersionEntry> back = VersionEntry::decode(a.encode());
  RC_ASSERT(back.ok() && *back == a);
}

TEST(Model, HexAndPartitionKeyEnd) {
  EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(from_hex("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(from_hex("0g"), "");
  EXPECT_EQ(from_hex("abc"), "");
  const std::string start = make_tree_key("bucket", "");
  const std::string end = partition_key_end("bucket");
  EXPECT_LT(start, end);
  EXPECT_LT(make_tree_key("bucket", std::string(2000, '\xff')), end);
  EXPECT_GT(make_tree_key("other", "") < start ? end : make_tree_key("other", ""), start);
}

TEST(Perms, ParseAndPrint) {
  EXPECT_EQ(Perms::parse("RW").str(), "RW");
  EXPECT_EQ(Perms::parse("").str(), "-");
  EXPECT_TRUE(Perms::parse("O").owner);
  EXPECT_FALSE(Perms::parse("-").any());
}

}  // namespace
}  // namespace garage
