// Sealed records: a payload followed by its CRC-32 (zlib), for everything a node writes to its
// own disk. A torn or bit-flipped file is then refused with DataLoss instead of being decoded
// into plausible garbage (a flipped bit inside an address string would otherwise go unseen).
// CRC-32 detects every single-bit and every burst error up to 32 bits.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace garage {

std::string seal(std::string_view payload);
// The payload, or DataLoss if the checksum does not match (or the record is too short).
absl::StatusOr<std::string_view> unseal(std::string_view record);

}  // namespace garage
