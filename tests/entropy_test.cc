// Secrets and client-visible ids come from the Entropy port (node/env.h): the OS's generator in
// production, a stream of its own in the simulator. Before 2026-12-02 they came from the
// node's Xoshiro Rng, seeded once with 64 bits: one observed id gave away every later secret.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "net/prod_env.h"
#include "node/hash.h"
#include "sim/sim_ports.h"

namespace garage {
namespace {

TEST(OsEntropy, GivesExactlyTheBytesAskedForAndNeverTheSameTwice) {
  OsEntropy entropy;
  for (size_t n : {0, 1, 7, 8, 33, 4096}) EXPECT_EQ(entropy.bytes(n).size(), n);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(entropy.bytes(16)).second);
  // Every bit position takes both values over 1000 draws (a stuck byte would not).
  std::string ones(16, '\0'), zeros(16, '\0');
  for (const std::string& s : seen) {
    for (size_t i = 0; i < 16; ++i) {
      ones[i] |= s[i];
      zeros[i] |= static_cast<char>(~s[i]);
    }
  }
  EXPECT_EQ(to_hex(ones), std::string(32, 'f'));
  EXPECT_EQ(to_hex(zeros), std::string(32, 'f'));
}

TEST(SimEntropy, IsReproducibleFromItsSeedAlone) {
  sim::SimEntropy a(42), b(42), c(43);
  const std::string first = a.bytes(40);
  EXPECT_EQ(first, b.bytes(40));
  EXPECT_NE(first, c.bytes(40));
  EXPECT_EQ(a.bytes(3).size(), 3u);
}

}  // namespace
}  // namespace garage
