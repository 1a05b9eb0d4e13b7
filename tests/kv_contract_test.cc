// One contract for every Kv implementation (RocksDB for production, MemKv for simulation), a
// model-based property that they agree, and each one's own failure behaviour.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

#include "store/mem_kv.h"
#include "store/rocks_kv.h"

namespace garage {
namespace {

KvWrite put(std::string key, std::string value) { return KvWrite::put(std::move(key), std::move(value)); }
KvWrite del(std::string key) { return KvWrite::remove(std::move(key)); }

std::string make_temp_dir() {
  char tmpl[] = "/tmp/garage-kv-XXXXXX";
  return mkdtemp(tmpl);
}

// A Kv under test, and a way to "restart" it (the process stops and comes back).
class KvUnderTest {
 public:
  virtual ~KvUnderTest() = default;
  virtual Kv& kv() = 0;
  virtual void restart() = 0;
};

class RocksUnderTest : public KvUnderTest {
 public:
  RocksUnderTest() : dir_(make_temp_dir()) { restart(); }
  ~RocksUnderTest() override {
    kv_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }
  Kv& kv() override { return *kv_; }
  void restart() override {
    kv_.reset();
    auto opened = RocksKv::open(dir_ + "/db");
    EXPECT_TRUE(opened.ok()) << opened.status();
    kv_ = std::move(*opened);
  }

 private:
  std::string dir_;
  std::unique_ptr<RocksKv> kv_;
};

class MemUnderTest : public KvUnderTest {
 public:
  MemUnderTest() : kv_(std::make_unique<MemKv>(storage_)) {}
  Kv& kv() override { return *kv_; }
  void restart() override {
    storage_.crash(0);  // the harshest restart: every unsynced batch is gone
    kv_ = std::make_unique<MemKv>(storage_);
  }

 private:
  MemKvStorage storage_;
  std::unique_ptr<MemKv> kv_;
};

using Factory = std::unique_ptr<KvUnderTest> (*)();
std::unique_ptr<KvUnderTest> make_rocks() { return std::make_unique<RocksUnderTest>(); }
std::unique_ptr<KvUnderTest> make_mem() { return std::make_unique<MemUnderTest>(); }

class KvContract : public ::testing::TestWithParam<Factory> {
 protected:
  void SetUp() override { t_ = GetParam()(); }
  Kv& kv() { return t_->kv(); }
  std::vector<std::string> keys(std::string_view start, std::string_view end, size_t limit) {
    std::vector<std::string> out;
    auto entries = kv().scan(start, end, limit);  // keep the StatusOr alive while iterating
    EXPECT_TRUE(entries.ok()) << entries.status();
    for (auto& [k, v] : *entries) out.push_back(k);
    return out;
  }
  std::unique_ptr<KvUnderTest> t_;
};

TEST_P(KvContract, PutGetDelete) {
  EXPECT_FALSE(kv().get("k")->has_value());
  ASSERT_TRUE(kv().write({put("k", "v1")}, false).ok());
  EXPECT_EQ(kv().get("k")->value(), "v1");
  ASSERT_TRUE(kv().write({put("k", "v2")}, false).ok());
  EXPECT_EQ(kv().get("k")->value(), "v2");
  ASSERT_TRUE(kv().write({del("k")}, false).ok());
  EXPECT_FALSE(kv().get("k")->has_value());
}

TEST_P(KvContract, BatchAppliesInOrderAsAWhole) {
  ASSERT_TRUE(kv().write({put("a", "1"), put("b", "2"), del("a"), put("c", "3")}, false).ok());
  EXPECT_EQ(keys("", "", 10), (std::vector<std::string>{"b", "c"}));
}

TEST_P(KvContract, ScansAreOrderedBytewiseBoundedAndLimited) {
  const std::string nul("\0", 1), high("\xff", 1), a_nul("a\0", 2);
  ASSERT_TRUE(
      kv().write({put("b", ""), put("a", ""), put(high, ""), put(nul, ""), put(a_nul, ""), put("c", ""), put("d", "")},
                 false)
          .ok());
  EXPECT_EQ(keys("", "", 100), (std::vector<std::string>{nul, "a", a_nul, "b", "c", "d", high}));
  EXPECT_EQ(keys("b", "d", 100), (std::vector<std::string>{"b", "c"}));  // end is exclusive
  EXPECT_EQ(keys("a", "", 2), (std::vector<std::string>{"a", a_nul}));
  EXPECT_EQ(keys("e", "f", 100), std::vector<std::string>{});
  EXPECT_EQ(keys("", "", 0), std::vector<std::string>{});
}

TEST_P(KvContract, SyncedWritesSurviveARestart) {
  ASSERT_TRUE(kv().write({put("synced-by-flag", "1")}, true).ok());
  ASSERT_TRUE(kv().write({put("synced-later", "2")}, false).ok());
  ASSERT_TRUE(kv().sync().ok());
  t_->restart();
  EXPECT_EQ(kv().get("synced-by-flag")->value(), "1");
  EXPECT_EQ(kv().get("synced-later")->value(), "2");
}

INSTANTIATE_TEST_SUITE_P(Both, KvContract, ::testing::Values(&make_rocks, &make_mem),
                         [](const auto& info) { return info.index == 0 ? "RocksKv" : "MemKv"; });

// Model-based: any sequence of batches leaves RocksKv and MemKv with the same contents.
RC_GTEST_PROP(KvAgreement, RocksAndMemAgreeOnAnyBatches, ()) {
  using Op = std::tuple<uint8_t, bool, std::string>;  // key, is a delete, value
  const auto batches = *rc::gen::container<std::vector<std::vector<Op>>>(rc::gen::container<std::vector<Op>>(
      rc::gen::tuple(rc::gen::inRange<uint8_t>(0, 16), rc::gen::arbitrary<bool>(), rc::gen::string<std::string>())));
  RocksUnderTest rocks;
  MemUnderTest mem;
  for (const auto& b : batches) {
    std::vector<KvWrite> batch;
    for (const auto& [k, is_delete, v] : b) {
      batch.push_back({std::string(1, static_cast<char>('a' + k)), is_delete ? std::nullopt : std::optional(v)});
    }
    RC_ASSERT(rocks.kv().write(batch, false).ok());
    RC_ASSERT(mem.kv().write(batch, false).ok());
  }
  RC_ASSERT(*rocks.kv().scan("", "", 1000) == *mem.kv().scan("", "", 1000));
}

TEST(MemKv, CrashKeepsAPrefixOfUnsyncedBatchesAndEverythingSynced) {
  MemKvStorage storage;
  {
    MemKv kv(storage);
    ASSERT_TRUE(kv.write({put("synced", "s")}, true).ok());
    ASSERT_TRUE(kv.write({put("b1", "1")}, false).ok());
    ASSERT_TRUE(kv.write({put("b2", "2"), del("synced")}, false).ok());
    ASSERT_TRUE(kv.write({put("b3", "3")}, false).ok());
    EXPECT_EQ(storage.unsynced_batches(), 3u);
  }
  storage.crash(1);
  MemKv kv(storage);
  EXPECT_EQ(kv.get("synced")->value(), "s");  // b2's delete of it was lost with b2
  EXPECT_EQ(kv.get("b1")->value(), "1");
  EXPECT_FALSE(kv.get("b2")->has_value());
  EXPECT_FALSE(kv.get("b3")->has_value());
}

TEST(RocksKv, CorruptDatabaseIsRefusedWithAClearError) {
  const std::string dir = make_temp_dir();
  {
    auto kv = RocksKv::open(dir + "/db");
    ASSERT_TRUE(kv.ok());
    ASSERT_TRUE((*kv)->write({put("k", "v")}, true).ok());
  }
  std::ofstream(dir + "/db/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";  // points at nothing
  auto reopened = RocksKv::open(dir + "/db");
  EXPECT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find(dir + "/db"), std::string::npos) << reopened.status();
  std::system(("rm -rf " + dir).c_str());
}

// A scan that steps over many deleted keys queues a compaction of what it crossed; after it the
// same scan finds no markers to step over (else it would queue another).
TEST(RocksKv, AScanAcrossManyDeletedKeysCompactsThemAway) {
  const std::string dir = make_temp_dir();
  {
    auto opened = RocksKv::open(dir + "/db");
    ASSERT_TRUE(opened.ok());
    RocksKv& kv = **opened;
    const int n = 3 * static_cast<int>(RocksKv::kCompactAfterSkippedDeletes);
    std::vector<KvWrite> puts, dels;
    for (int i = 0; i < n; ++i) {
      const std::string k = "l" + std::to_string(100000 + i);
      puts.push_back(put(k, ""));
      dels.push_back(del(k));
    }
    ASSERT_TRUE(kv.write(puts, false).ok());
    ASSERT_TRUE(kv.write(dels, false).ok());
    ASSERT_TRUE(kv.write({put("m-live", "1")}, false).ok());
    auto rows = kv.scan("l", "m", 1);
    ASSERT_TRUE(rows.ok());
    EXPECT_TRUE(rows->empty());
    kv.wait_for_compactions();
    EXPECT_EQ(kv.compactions_done(), 1u);
    rows = kv.scan("l", "", 1);  // crosses the same range, then finds the live key
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].first, "m-live");
    kv.wait_for_compactions();
    EXPECT_EQ(kv.compactions_done(), 1u);  // nothing left to step over
    // A few deletes are not worth a compaction.
    ASSERT_TRUE(kv.write({put("a1", ""), put("a2", "")}, false).ok());
    ASSERT_TRUE(kv.write({del("a1"), del("a2")}, false).ok());
    ASSERT_TRUE(kv.scan("a", "b", 10).ok());
    kv.wait_for_compactions();
    EXPECT_EQ(kv.compactions_done(), 1u);
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST(RocksKv, UnwritableLocationIsReported) {
  auto kv = RocksKv::open("/proc/garage-cannot-be-here/db");
  ASSERT_FALSE(kv.ok());
  EXPECT_NE(kv.status().message().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace garage
