// Human-readable byte sizes, for capacities on the command line and in output.
//   parse_size("1T") == 1e12;  parse_size("500GiB") == 500 * 2^30;  format_size(1.5e12) == "1.5 TB"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace garage {

// A number (decimals allowed) with an optional unit: K, M, G, T, P (powers of 1000, optionally
// followed by "B") or KiB, MiB, GiB, TiB, PiB (powers of 1024). No unit: bytes.
absl::StatusOr<uint64_t> parse_size(std::string_view text);
std::string format_size(uint64_t bytes);

}  // namespace garage
