#include "node/hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cassert>
#include <cstring>

namespace garage {

Hash256 sha256(std::string_view data) {
  Hash256 out{};
  unsigned int len = 0;
  int ok = EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  assert(ok == 1 && len == out.size());
  (void)ok;
  return out;
}

std::string hash_bytes(const Hash256& h) { return std::string(reinterpret_cast<const char*>(h.data()), h.size()); }

Hash256 hash_from_bytes(std::string_view bytes) {
  Hash256 h{};
  std::memcpy(h.data(), bytes.data(), std::min(bytes.size(), h.size()));
  return h;
}

Hash256 xor_hash(const Hash256& a, const Hash256& b) {
  Hash256 r;
  for (size_t i = 0; i < r.size(); ++i) r[i] = a[i] ^ b[i];
  return r;
}

}  // namespace garage
