// CRDT laws for every table entry type: merge is commutative, associative and idempotent, on
// the typed values and on their encodings (what replicas actually compare).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "node/table/lww.h"

namespace garage {
namespace {

// Small domains so that equal stamps, equal tiebreaks and equal keys actually collide.
rc::Gen<LwwRegister> gen_register() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange<int64_t>(0, 4), rc::gen::inRange<uint64_t>(0, 3), rc::gen::inRange(0, 5)),
      [](const std::tuple<int64_t, uint64_t, int>& t) {
        static const char* kValues[] = {"a", "b", "", "zz"};
        const int v = std::get<2>(t);
        return LwwRegister{std::get<0>(t), std::get<1>(t),
                           v < 4 ? std::optional<std::string>(kValues[v]) : std::nullopt};
      });
}

rc::Gen<LwwMap> gen_map() {
  return rc::gen::map(rc::gen::resize(6, rc::gen::container<std::vector<std::pair<int, LwwRegister>>>(
                                             rc::gen::pair(rc::gen::inRange(0, 3), gen_register()))),
                      [](const std::vector<std::pair<int, LwwRegister>>& pairs) {
                        LwwMap m;
                        for (const auto& [k, v] : pairs) m.items.emplace("k" + std::to_string(k), v);
                        return m;
                      });
}

template <class E>
E merged(E a, const E& b) {
  a.merge(b);
  return a;
}

template <class E>
void check_laws(const E& a, const E& b, const E& c) {
  RC_ASSERT(merged(a, b) == merged(b, a));
  RC_ASSERT(merged(merged(a, b), c) == merged(a, merged(b, c)));
  RC_ASSERT(merged(a, a) == a);
  // The encoding is canonical: equal values, equal bytes; and it round-trips.
  RC_ASSERT(merged(a, b).encode() == merged(b, a).encode());
  auto back = E::decode(a.encode());
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == a);
}

RC_GTEST_PROP(CrdtLaws, LwwRegister, ()) { check_laws(*gen_register(), *gen_register(), *gen_register()); }

RC_GTEST_PROP(CrdtLaws, LwwMap, ()) { check_laws(*gen_map(), *gen_map(), *gen_map()); }

TEST(Lww, NewerStampWinsThenTiebreakThenValue) {
  LwwRegister old{10, 5, "old"}, newer{11, 0, "new"};
  EXPECT_EQ(merged(old, newer).value, "new");
  EXPECT_EQ(merged(newer, old).value, "new");
  LwwRegister tomb{11, 1, std::nullopt};
  EXPECT_TRUE(merged(newer, tomb).is_tombstone());
  // Same stamp and tiebreak: a value beats a tombstone, the same way on both sides.
  LwwRegister same_tomb{11, 0, std::nullopt};
  EXPECT_EQ(merged(same_tomb, newer), newer);
  EXPECT_EQ(merged(newer, same_tomb), newer);
}

TEST(Lww, DecodeRefusesGarbage) {
  EXPECT_FALSE(LwwRegister::decode("").ok());
  EXPECT_FALSE(LwwRegister::decode(std::string("\x02", 1)).ok());  // unknown version
  std::string ok = LwwRegister{1, 2, "x"}.encode();
  EXPECT_FALSE(LwwRegister::decode(ok + "!").ok());  // trailing bytes
  LwwMap m;
  m.items["a"] = LwwRegister{1, 1, "v"};
  m.items["b"] = LwwRegister{1, 1, "v"};
  std::string enc = m.encode();
  // Swap the two keys: not canonical any more, refused.
  size_t pa = enc.find('a'), pb = enc.find('b');
  std::swap(enc[pa], enc[pb]);
  EXPECT_FALSE(LwwMap::decode(enc).ok());
}

}  // namespace
}  // namespace garage
