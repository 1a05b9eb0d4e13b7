// The software version nodes report to each other and `garage status` shows.
#pragma once

namespace garage {
inline constexpr char kGarageVersion[] = "garage-cpp 0.1.0";
}  // namespace garage
