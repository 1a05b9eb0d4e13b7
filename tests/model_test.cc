// The S3 data model's entries are CRDTs: merge is commutative, associative and idempotent
// (property-tested), object versions resolve last-writer-wins, and the encodings round-trip and
// refuse garbage.
#include "node/model/model.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <ostream>
#include <set>

#include "absl/strings/str_format.h"
#include "node/model/object.h"
#include "node/model/upload.h"
#include "node/model/version.h"
#include "node/model/write_journal.h"
#include "node/table/table_store.h"

namespace garage {

// RapidCheck prints counterexamples with this.
void showValue(const ObjectEntry& e, std::ostream& os) {
  for (const ObjectVersion& v : e.versions)
    os << "(" << v.timestamp_ms / (kUploadHorizonMs / 2) << "h/2 " << v.uuid << " s" << static_cast<int>(v.state)
       << (v.delete_marker ? " marker" : "") << ") ";
}

namespace {

rc::Gen<ObjectVersion> gen_version() {
  return rc::gen::apply(
      [](int ts, int uuid, int state, bool marker) {
        ObjectVersion v;
        // Timestamps half a horizon apart, so that merges drop uploads past it.
        v.timestamp_ms = ts * (kUploadHorizonMs / 2);
        v.uuid = std::string(1, static_cast<char>('a' + uuid));
        // A version is written complete (a PUT, a delete marker, a completion) or is an upload's
        // record (uploading, then aborted or completed): which one is fixed by its (timestamp,
        // uuid), as the store never completes a record in place.
        static constexpr VersionState kRecordStates[] = {VersionState::kUploading, VersionState::kAborted,
                                                         VersionState::kUploadCompleted};
        v.state = (ts + uuid) % 2 == 0 ? VersionState::kComplete : kRecordStates[state];
        v.delete_marker = v.state == VersionState::kComplete && marker;
        if ((v.state == VersionState::kComplete && !marker) || v.state == VersionState::kUploadCompleted) {
          // Equal (timestamp, uuid) means one upload: the same data on every replica.
          v.meta.size = static_cast<uint64_t>(ts * 31 + uuid);
          v.meta.etag = std::to_string(ts) + std::string(1, static_cast<char>('a' + uuid));
          if (ts % 2 == 0) {  // some with a checksum: the second format
            v.meta.checksum_algorithm = "CRC32";
            v.meta.checksum = v.meta.etag;
          }
        }
        return v;
      },
      rc::gen::inRange(0, 6), rc::gen::inRange(0, 3), rc::gen::inRange(0, 3), rc::gen::arbitrary<bool>());
}

// Tags are set apart from the version (PutObjectTagging): any replica may hold any of them.
rc::Gen<ObjectVersion> gen_tagged_version() {
  return rc::gen::apply(
      [](ObjectVersion v, int set_ms, int which) {
        static const std::vector<std::pair<std::string, std::string>> kSets[] = {
            {}, {{"a", "1"}}, {{"a", "2"}}, {{"b", ""}, {"a", "1"}}};
        v.tags.set_ms = set_ms;
        v.tags.tags = kSets[which];
        return v;
      },
      gen_version(), rc::gen::inRange(0, 3), rc::gen::inRange(0, 4));
}

rc::Gen<ObjectEntry> gen_entry() {
  return rc::gen::map(rc::gen::container<std::vector<ObjectVersion>>(gen_tagged_version()),
                      [](std::vector<ObjectVersion> vs) {
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
  EXPECT_FALSE(e.is_tombstone());  // the upload in progress keeps the entry
  ObjectVersion aborted = uploading;
  aborted.state = VersionState::kAborted;
  e.merge(ObjectEntry{{aborted}});
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

TEST(ObjectEntry, TagsAreALastWriterWinsRegisterBesideTheVersion) {
  ObjectVersion put{100, "u1", VersionState::kComplete, false, {5, "e1"}};
  put.tags = {100, {{"project", "blue"}}};
  ObjectEntry written{{put}};
  // Entries without tags or checksums keep the first format (older builds read them); others
  // the second.
  EXPECT_EQ(
      static_cast<uint8_t>(ObjectEntry{{ObjectVersion{1, "a", VersionState::kComplete, false, {3, "x"}}}}.encode()[0]),
      ObjectEntry::kFirstVersion);
  EXPECT_EQ(static_cast<uint8_t>(written.encode()[0]), ObjectEntry::kVersion);
  absl::StatusOr<ObjectEntry> back = ObjectEntry::decode(written.encode());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, written);
  ObjectVersion checked{100, "u1", VersionState::kComplete, false, {5, "e1"}};
  checked.meta.checksum_algorithm = "CRC32";
  checked.meta.checksum = "yZRlqg==";
  ObjectEntry with_checksum{{checked}};
  EXPECT_EQ(static_cast<uint8_t>(with_checksum.encode()[0]), ObjectEntry::kVersion);
  EXPECT_EQ(*ObjectEntry::decode(with_checksum.encode()), with_checksum);

  // PutObjectTagging writes the version again with later tags: they win, the content stays.
  ObjectVersion retagged = put;
  retagged.tags = {200, {{"project", "red"}, {"team", "a"}}};
  ObjectEntry a = written;
  a.merge(ObjectEntry{{retagged}});
  ASSERT_EQ(a.versions.size(), 1u);
  EXPECT_EQ(a.versions[0].tags, retagged.tags);
  EXPECT_EQ(a.versions[0].meta, put.meta);
  // An older tagging arriving late loses, in either order.
  ObjectEntry b{{retagged}};
  b.merge(written);
  EXPECT_EQ(b, a);
  // DeleteObjectTagging: an empty set, later still.
  ObjectVersion untagged = put;
  untagged.tags = {300, {}};
  a.merge(ObjectEntry{{untagged}});
  EXPECT_TRUE(a.versions[0].tags.tags.empty());
  EXPECT_EQ(a.versions[0].tags.set_ms, 300);
  // A tagging write of a version a newer PUT replaced does not bring it back.
  ObjectVersion newer{400, "u2", VersionState::kComplete, false, {7, "e2"}};
  a.merge(ObjectEntry{{newer}});
  a.merge(ObjectEntry{{retagged}});
  ASSERT_EQ(a.versions.size(), 1u);
  EXPECT_EQ(a.versions[0].uuid, "u2");
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

// ---- follow-ups: what a change of an entry asks of other tables

std::set<std::string> version_tombstones(const std::vector<FollowUp>& fs) {
  std::set<std::string> out;
  for (const FollowUp& f : fs) {
    if (f.table != kVersionTable) continue;
    absl::StatusOr<VersionEntry> v = VersionEntry::decode(f.entry);
    EXPECT_TRUE(v.ok() && v->deleted);
    if (v.ok()) {
      EXPECT_EQ(f.tree_key, make_tree_key(v->uuid, ""));
      out.insert(v->uuid);
    }
  }
  return out;
}

// What the store would queue when `incoming` merges into `before` (absent: nothing stored),
// through the schema, on encoded entries, as TableStore::merge_in calls it.
template <class E>
std::vector<FollowUp> follow_ups_of(const std::optional<E>& before, const E& incoming) {
  const CrdtSchema<E> schema("test");
  std::optional<std::string> b;
  if (before) b = before->encode();
  E m = before.value_or(E{});
  m.merge(incoming);
  absl::StatusOr<std::vector<FollowUp>> fs = schema.follow_ups(b, incoming.encode(), m.encode());
  EXPECT_TRUE(fs.ok()) << fs.status();
  return fs.ok() ? *fs : std::vector<FollowUp>{};
}

std::vector<FollowUp> object_follow_ups(const std::optional<ObjectEntry>& before, const ObjectEntry& incoming) {
  return follow_ups_of(before, incoming);
}

TEST(ObjectFollowUps, AnOverwrittenVersionLosesItsBlockList) {
  ObjectVersion old{100, "u1", VersionState::kComplete, false, {5000, "e1"}};
  ObjectVersion newer{200, "u2", VersionState::kComplete, false, {7000, "e2"}};
  EXPECT_EQ(version_tombstones(object_follow_ups(ObjectEntry{{old}}, ObjectEntry{{newer}})),
            std::set<std::string>{"u1"});
  // The same update again, or the new version alone: nothing more to do.
  EXPECT_TRUE(object_follow_ups(ObjectEntry{{newer}}, ObjectEntry{{newer}}).empty());
  EXPECT_TRUE(object_follow_ups(std::nullopt, ObjectEntry{{newer}}).empty());
}

TEST(ObjectFollowUps, AWriteThatArrivesAlreadyObsoleteLosesItsBlockList) {
  // Every replica saw the newer PUT first: the older one is pruned on arrival, on each of them.
  ObjectVersion old{100, "u1", VersionState::kComplete, false, {5000, "e1"}};
  ObjectVersion newer{200, "u2", VersionState::kComplete, false, {7000, "e2"}};
  EXPECT_EQ(version_tombstones(object_follow_ups(ObjectEntry{{newer}}, ObjectEntry{{old}})),
            std::set<std::string>{"u1"});
}

TEST(ObjectFollowUps, InlineDataAndDeleteMarkersHaveNoBlockList) {
  ObjectVersion small{100, "u1", VersionState::kComplete, false, {5, "e1"}};
  small.meta.inline_data = "hello";
  ObjectVersion marker{200, "u2", VersionState::kComplete, true, {}};
  ObjectVersion big{300, "u3", VersionState::kComplete, false, {7000, "e3"}};
  EXPECT_TRUE(object_follow_ups(ObjectEntry{{small}}, ObjectEntry{{marker}}).empty());
  EXPECT_TRUE(object_follow_ups(ObjectEntry{{marker}}, ObjectEntry{{big}}).empty());
  // A delete marker over a version with blocks deletes them.
  ObjectVersion later_marker{400, "u4", VersionState::kComplete, true, {}};
  EXPECT_EQ(version_tombstones(object_follow_ups(ObjectEntry{{big}}, ObjectEntry{{later_marker}})),
            std::set<std::string>{"u3"});
}

// The uploads whose mpu entry a list of follow-ups marks ended.
std::set<std::string> uploads_ended(const std::vector<FollowUp>& fs) {
  std::set<std::string> out;
  for (const FollowUp& f : fs) {
    if (f.table != kMpuTable) continue;
    absl::StatusOr<UploadEntry> u = UploadEntry::decode(f.entry);
    EXPECT_TRUE(u.ok() && u->ended());
    for (const char* uuid : {"u1", "u2", "u3"})
      if (f.tree_key == make_tree_key(uuid, "")) out.insert(uuid);
  }
  return out;
}

TEST(ObjectFollowUps, AnAbortedUploadKeepsItsBlockListUntilPruned) {
  // An abort may lose a race with CompleteMultipartUpload (complete wins): its block list stays.
  ObjectVersion up{100, "u1", VersionState::kUploading, false, {}};
  ObjectVersion aborted = up;
  aborted.state = VersionState::kAborted;
  EXPECT_TRUE(version_tombstones(object_follow_ups(ObjectEntry{{up}}, ObjectEntry{{aborted}})).empty());
  ObjectVersion newer{200, "u2", VersionState::kComplete, false, {7000, "e2"}};
  EXPECT_TRUE(version_tombstones(object_follow_ups(ObjectEntry{{aborted}}, ObjectEntry{{newer}})).empty());
  ObjectVersion past_horizon{101 + kUploadHorizonMs, "u3", VersionState::kComplete, false, {7000, "e3"}};
  EXPECT_EQ(version_tombstones(object_follow_ups(ObjectEntry{{aborted}}, ObjectEntry{{past_horizon}})),
            std::set<std::string>{"u1"});
}

TEST(ObjectFollowUps, AnUploadThatStopsUploadingEndsItsPartsList) {
  ObjectVersion up{100, "u1", VersionState::kUploading, false, {}};
  ObjectVersion aborted = up;
  aborted.state = VersionState::kAborted;
  ObjectVersion record = up;
  record.state = VersionState::kUploadCompleted;
  record.meta.etag = "e-2";
  ObjectVersion done{300, "u1", VersionState::kComplete, false, {9000, "e-2"}};
  done.meta.parts = 2;
  const ObjectEntry completion{{record, done}};
  // Completed or aborted: ended. Still uploading, or a plain PUT: nothing.
  EXPECT_EQ(uploads_ended(object_follow_ups(ObjectEntry{{up}}, completion)), std::set<std::string>{"u1"});
  EXPECT_EQ(uploads_ended(object_follow_ups(ObjectEntry{{up}}, ObjectEntry{{aborted}})), std::set<std::string>{"u1"});
  EXPECT_TRUE(uploads_ended(object_follow_ups(std::nullopt, ObjectEntry{{up}})).empty());
  ObjectVersion put{200, "u2", VersionState::kComplete, false, {7000, "e2"}};
  EXPECT_TRUE(uploads_ended(object_follow_ups(std::nullopt, ObjectEntry{{put}})).empty());
  // A replica that never saw the upload in progress ends it when the completion arrives.
  EXPECT_EQ(uploads_ended(object_follow_ups(std::nullopt, completion)), std::set<std::string>{"u1"});
  EXPECT_TRUE(uploads_ended(object_follow_ups(completion, completion)).empty());
  // The completed upload's version keeps the block list under the upload's uuid.
  EXPECT_TRUE(version_tombstones(object_follow_ups(ObjectEntry{{up}}, completion)).empty());
}

TEST(ObjectEntry, AnUploadOutlivesANewerPut) {
  // S3: a PUT of the key while an upload is in progress ends nothing; the upload completes
  // later and becomes the current version (stamped above the PUT).
  ObjectVersion up{100, "u1", VersionState::kUploading, false, {}};
  ObjectVersion put{200, "u2", VersionState::kComplete, false, {7000, "e2"}};
  ObjectEntry e{{up}};
  const std::vector<FollowUp> after_put = object_follow_ups(e, ObjectEntry{{put}});
  EXPECT_TRUE(uploads_ended(after_put).empty());
  EXPECT_TRUE(version_tombstones(after_put).empty());
  e.merge(ObjectEntry{{put}});
  ASSERT_NE(e.upload("u1"), nullptr);
  EXPECT_EQ(e.upload("u1")->state, VersionState::kUploading);
  ObjectVersion record = up;
  record.state = VersionState::kUploadCompleted;
  record.meta.etag = "e-2";
  ObjectVersion done{300, "u1", VersionState::kComplete, false, {9000, "e-2"}};
  const ObjectEntry completion{{record, done}};
  // The PUT's version is overwritten and loses its list; the completion keeps its own.
  EXPECT_EQ(version_tombstones(object_follow_ups(e, completion)), std::set<std::string>{"u2"});
  e.merge(completion);
  ASSERT_NE(e.current(), nullptr);
  EXPECT_EQ(e.current()->meta.etag, "e-2");
  ASSERT_NE(e.upload("u1"), nullptr);
  EXPECT_EQ(e.upload("u1")->state, VersionState::kUploadCompleted);  // a repeated Complete sees it
  // An Abort that lost the race with the Complete changes nothing.
  ObjectVersion aborted = up;
  aborted.state = VersionState::kAborted;
  ObjectEntry raced = e;
  raced.merge(ObjectEntry{{aborted}});
  EXPECT_EQ(raced, e);
  // A newer PUT over the completed object: its list goes (the record owns none).
  ObjectVersion later{400, "u3", VersionState::kComplete, false, {7000, "e3"}};
  EXPECT_EQ(version_tombstones(object_follow_ups(e, ObjectEntry{{later}})), std::set<std::string>{"u1"});
}

TEST(ObjectEntry, UploadsArePrunedOnlyPastTheHorizonAndNeverComeBack) {
  ObjectVersion up{100, "u1", VersionState::kUploading, false, {}};
  ObjectVersion put{101 + kUploadHorizonMs, "u2", VersionState::kComplete, false, {7000, "e2"}};
  ObjectEntry e{{up}};
  const std::vector<FollowUp> fs = object_follow_ups(e, ObjectEntry{{put}});
  EXPECT_EQ(uploads_ended(fs), std::set<std::string>{"u1"});
  EXPECT_EQ(version_tombstones(fs), std::set<std::string>{"u1"});  // a list a failed Complete left
  e.merge(ObjectEntry{{put}});
  EXPECT_EQ(e.upload("u1"), nullptr);
  // A replica that still holds the upload in progress cannot bring it back.
  e.merge(ObjectEntry{{up}});
  EXPECT_EQ(e.upload("u1"), nullptr);
  EXPECT_EQ(e.versions.size(), 1u);
}

std::set<std::string> part_tombstones(const std::optional<UploadEntry>& before, const UploadEntry& incoming) {
  return version_tombstones(follow_ups_of(before, incoming));
}

UploadEntry with_part(int number, const std::string& uuid, int64_t stamp) {
  UploadEntry e;
  e.map.items[absl::StrFormat("part:%05d", number)] = LwwRegister{stamp, 0, to_hex(uuid) + "|etag|5"};
  return e;
}

TEST(UploadFollowUps, AReplacedPartAndEveryPartOfAnEndedUploadLoseTheirBlockLists) {
  const UploadEntry one = with_part(1, "p1", 10);
  UploadEntry two = one;
  two.merge(with_part(2, "p2", 11));
  EXPECT_TRUE(part_tombstones(std::nullopt, one).empty());
  EXPECT_TRUE(part_tombstones(one, with_part(2, "p2", 11)).empty());
  // Part 1 uploaded again: the first upload's list goes, whichever order the writes arrive in.
  EXPECT_EQ(part_tombstones(two, with_part(1, "p1b", 20)), std::set<std::string>{"p1"});
  UploadEntry newer = two;
  newer.merge(with_part(1, "p1b", 20));
  EXPECT_EQ(part_tombstones(newer, one), std::set<std::string>{"p1"});
  // The upload ends: every part goes, once.
  EXPECT_EQ(part_tombstones(newer, UploadEntry::ended_mark(30)), (std::set<std::string>{"p1b", "p2"}));
  UploadEntry ended = newer;
  ended.merge(UploadEntry::ended_mark(30));
  EXPECT_TRUE(part_tombstones(ended, UploadEntry::ended_mark(30)).empty());
  // A part that arrives after the end goes as well.
  EXPECT_EQ(part_tombstones(ended, with_part(3, "p3", 40)), std::set<std::string>{"p3"});
  // An ended upload is a tombstone (collectable), and stays one whatever merges into it.
  EXPECT_FALSE(newer.is_tombstone());
  EXPECT_TRUE(ended.is_tombstone());
  UploadEntry later = ended;
  later.merge(with_part(4, "p4", 50));
  later.merge(UploadEntry::ended_mark(5));
  EXPECT_TRUE(later.is_tombstone());
}

TEST(VersionFollowUps, ADeletedVersionDropsTheReferencesOfItsBlocks) {
  VersionEntry live;
  live.uuid = "uuid-1";
  live.blocks[{0, 0}] = BlockInfo{std::string(32, 'a'), 10};
  live.blocks[{0, 10}] = BlockInfo{std::string(32, 'b'), 10};
  live.blocks[{1, 0}] = BlockInfo{std::string(32, 'a'), 10};  // the same block twice: one reference
  VersionEntry gone;
  gone.uuid = "uuid-1";
  gone.deleted = true;
  auto follow = [&](const std::optional<VersionEntry>& before, const VersionEntry& incoming) {
    std::set<std::string> keys;
    for (const FollowUp& f : follow_ups_of(before, incoming)) {
      EXPECT_EQ(f.table, kBlockRefTable);
      absl::StatusOr<BlockRefEntry> r = BlockRefEntry::decode(f.entry);
      EXPECT_TRUE(r.ok() && r->deleted);
      keys.insert(f.tree_key);
    }
    return keys;
  };
  const std::string a(32, 'a'), b(32, 'b');
  const std::set<std::string> both{make_tree_key(a, a + "uuid-1"), make_tree_key(b, b + "uuid-1")};
  EXPECT_EQ(follow(live, gone), both);
  // A block list arriving after its deletion: its references go as well.
  EXPECT_EQ(follow(gone, live), both);
  EXPECT_TRUE(follow(std::nullopt, live).empty());
  EXPECT_TRUE(follow(gone, gone).empty());
  EXPECT_TRUE(follow(std::nullopt, gone).empty());
}

TEST(VersionEntry, TheFirstEncodingStillDecodes) {
  // Format 1 had no uuid: u8 1, bool deleted, u32 count.
  const std::string v1("\x01\x00\x00\x00\x00\x00", 6);
  absl::StatusOr<VersionEntry> v = VersionEntry::decode(v1);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->uuid.empty());
  EXPECT_FALSE(v->deleted);
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

// The write journal's intent record (node/model/write_journal.h) round-trips, and a record cut
// short or of an unknown owner is refused (the journal then keeps it for an operator).
RC_GTEST_PROP(WriteIntent, RoundTripsAndRefusesEveryTruncation, ()) {
  WriteIntent w;
  w.owner = *rc::gen::element(WriteIntent::Owner::kObject, WriteIntent::Owner::kPart);
  w.version_uuid = *rc::gen::container<std::string>(16, rc::gen::arbitrary<char>());
  w.bucket_id = *rc::gen::container<std::string>(32, rc::gen::arbitrary<char>());
  w.key = *rc::gen::string<std::string>();
  w.upload_uuid = *rc::gen::container<std::string>(16, rc::gen::arbitrary<char>());
  w.part_number = *rc::gen::inRange<uint32_t>(0, 10001);
  w.began_ms = *rc::gen::arbitrary<int64_t>();
  const std::string bytes = w.encode();
  absl::StatusOr<WriteIntent> back = WriteIntent::decode(bytes);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == w);
  const size_t cut = *rc::gen::inRange<size_t>(0, bytes.size());
  RC_ASSERT(!WriteIntent::decode(bytes.substr(0, cut)).ok());
  std::string other_owner = bytes;
  other_owner[1] = 7;
  RC_ASSERT(!WriteIntent::decode(other_owner).ok());
}

}  // namespace
}  // namespace garage
