// Content hashes: SHA-256 (OpenSSL's libcrypto, a pure computation: no I/O).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace garage {

using Hash256 = std::array<uint8_t, 32>;

Hash256 sha256(std::string_view data);
std::string hash_bytes(const Hash256& h);         // the 32 raw bytes as a string
Hash256 hash_from_bytes(std::string_view bytes);  // first 32 bytes (zero-padded if shorter)
Hash256 xor_hash(const Hash256& a, const Hash256& b);
inline bool is_zero(const Hash256& h) {
  for (uint8_t b : h)
    if (b != 0) return false;
  return true;
}

// Hex of raw bytes (lowercase), and the inverse (empty on bad input).
std::string to_hex(std::string_view raw);
std::string from_hex(std::string_view hex);

}  // namespace garage
