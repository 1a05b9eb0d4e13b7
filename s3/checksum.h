// Streaming checksums of request bodies: the x-amz-checksum-* algorithms S3 clients send
// (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256, base64 of the big-endian digest) and MD5 (ETag,
// Content-MD5).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace garage::s3 {

enum class ChecksumAlgo { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256, kMd5 };

// "crc32" / "CRC32C" / "x-amz-checksum-sha1" ... -> algorithm (nullopt if unknown).
std::optional<ChecksumAlgo> checksum_algo_from_name(absl::string_view name);
std::string checksum_header_name(ChecksumAlgo algo);  // "x-amz-checksum-crc32", ...
std::string checksum_s3_name(ChecksumAlgo algo);      // "CRC32", "CRC64NVME", "SHA256"... (S3's own)

class Checksummer {
 public:
  explicit Checksummer(ChecksumAlgo algo);
  ~Checksummer();
  Checksummer(Checksummer&&) noexcept;
  Checksummer& operator=(Checksummer&&) noexcept;
  ChecksumAlgo algo() const { return algo_; }
  void update(absl::string_view data);
  std::string digest();         // raw bytes (the object is finished with)
  std::string digest_base64();  // as sent in headers and trailers

 private:
  ChecksumAlgo algo_;
  uint32_t crc_ = 0;
  uint64_t crc64_ = 0;
  struct Evp;
  std::unique_ptr<Evp> evp_;
};

// CRC-32C (Castagnoli), reflected, as iSCSI and S3 define it. Written here because Debian 12
// has no C/C++ package for it (zlib has CRC-32 only); table-driven, checked against the
// standard test vector in tests/s3_checksum_test.cc.
uint32_t crc32c_update(uint32_t crc, absl::string_view data);
// CRC-64/NVME (reflected, polynomial 0xAD93D23594C93659, init and final xor all ones), the
// default checksum of S3's newest SDKs. Written here for the same reason (no Debian 12 package
// has it; aws-checksums is older there); checked against its standard test vector.
uint64_t crc64nvme_update(uint64_t crc, absl::string_view data);

// The CRC (CRC32, CRC32C or CRC64NVME; raw big-endian digests, as digest() gives them) of A
// followed by B, from A's, B's and B's length: how a multipart upload's FULL_OBJECT checksum is
// made from its parts' without reading them again. nullopt for other algorithms (SHA-1/256 do
// not combine) or digests of the wrong size. CRC32 uses zlib's crc32_combine; CRC32C and
// CRC64NVME, which zlib does not have, the same method (multiplying by x^(8 len) modulo the
// polynomial) written here.
std::optional<std::string> combine_crc(ChecksumAlgo algo, absl::string_view crc_a, absl::string_view crc_b,
                                       uint64_t length_b);

}  // namespace garage::s3
