#include "node/size.h"

#include <gtest/gtest.h>

namespace garage {
namespace {

TEST(Size, ParsesDecimalAndBinaryUnits) {
  EXPECT_EQ(*parse_size("1T"), 1'000'000'000'000u);
  EXPECT_EQ(*parse_size("500GB"), 500'000'000'000u);
  EXPECT_EQ(*parse_size("100GiB"), 100ull << 30);
  EXPECT_EQ(*parse_size("1.5 TB"), 1'500'000'000'000u);
  EXPECT_EQ(*parse_size("4096"), 4096u);
  EXPECT_EQ(*parse_size("2k"), 2000u);
  for (const char* bad : {"", "T", "1X", "1TBB", "1.2.3G", "99999999999999P", "-1G"}) {
    EXPECT_FALSE(parse_size(bad).ok()) << bad;
  }
}

TEST(Size, Formats) {
  EXPECT_EQ(format_size(999), "999 B");
  EXPECT_EQ(format_size(1'500'000'000'000), "1.5 TB");
  EXPECT_EQ(format_size(3'906'250'000), "3.9 GB");
}

}  // namespace
}  // namespace garage
