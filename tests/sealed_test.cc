#include "node/sealed.h"

#include <gtest/gtest.h>

namespace garage {
namespace {

TEST(Sealed, RoundTripsAndDetectsEverySingleBitFlip) {
  const std::string payload = "peer list: 10.0.0.1:3901, 10.0.0.2:3901";
  const std::string record = seal(payload);
  ASSERT_EQ(*unseal(record), payload);
  for (size_t bit = 0; bit < record.size() * 8; ++bit) {
    std::string damaged = record;
    damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_EQ(unseal(damaged).status().code(), absl::StatusCode::kDataLoss) << "bit " << bit;
  }
  EXPECT_EQ(unseal(record.substr(0, record.size() - 1)).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(unseal("ab").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(*unseal(seal("")), "");
}

}  // namespace
}  // namespace garage
