#include "node/sealed.h"

#include <zlib.h>

namespace garage {
namespace {
uint32_t crc_of(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}
}  // namespace

std::string seal(std::string_view payload) {
  std::string out(payload);
  const uint32_t crc = crc_of(payload);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

absl::StatusOr<std::string_view> unseal(std::string_view record) {
  if (record.size() < 4) return absl::DataLossError("record shorter than its checksum");
  const std::string_view payload = record.substr(0, record.size() - 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i)
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(record[payload.size() + i])) << (8 * i);
  if (stored != crc_of(payload)) return absl::DataLossError("checksum mismatch: the record is corrupt");
  return payload;
}

}  // namespace garage
