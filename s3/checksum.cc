#include "s3/checksum.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace garage::s3 {

namespace {
constexpr uint32_t kCrc32cPoly = 0x82F63B78u;               // reflected
constexpr uint64_t kCrc64NvmePoly = 0x9A6C9329AC4BC9B5ull;  // reflected

// The byte-at-a-time table of a reflected CRC with polynomial `poly`.
template <class Int>
constexpr std::array<Int, 256> make_crc_table(Int poly) {
  std::array<Int, 256> t{};
  for (Int i = 0; i < 256; ++i) {
    Int c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = make_crc_table<uint32_t>(kCrc32cPoly);
constexpr std::array<uint64_t, 256> kCrc64NvmeTable = make_crc_table<uint64_t>(kCrc64NvmePoly);

template <class Int>
std::string big_endian_of(Int v) {
  std::string s(sizeof(Int), '\0');
  for (size_t i = 0; i < sizeof(Int); ++i) s[i] = static_cast<char>((v >> (8 * (sizeof(Int) - 1 - i))) & 0xff);
  return s;
}

template <class Int>
std::optional<Int> from_big_endian(absl::string_view s) {
  if (s.size() != sizeof(Int)) return std::nullopt;
  Int v = 0;
  for (unsigned char c : s) v = static_cast<Int>((v << 8) | c);
  return v;
}

// a(x) * b(x) modulo the polynomial, in the reflected form the tables use: bit width-1 is x^0.
uint64_t multiply_mod(uint64_t a, uint64_t b, uint64_t reflected_poly, int width) {
  uint64_t product = 0;
  for (uint64_t bit = uint64_t{1} << (width - 1); bit != 0; bit >>= 1) {
    if (a & bit) product ^= b;
    b = (b & 1) ? (b >> 1) ^ reflected_poly : b >> 1;  // b *= x
  }
  return product;
}

// x^(8 n) modulo the polynomial: what `n` zero bytes do to a CRC register.
uint64_t x_to_8n(uint64_t n, uint64_t reflected_poly, int width) {
  const uint64_t one = uint64_t{1} << (width - 1);
  uint64_t result = one;
  uint64_t power = one >> 8;  // x^8
  for (; n != 0; n >>= 1) {
    if (n & 1) result = multiply_mod(power, result, reflected_poly, width);
    power = multiply_mod(power, power, reflected_poly, width);
  }
  return result;
}

// For CRCs whose initial value and final xor are equal (all three here): the register of A
// carried through B's length of zeros, plus B's.
uint64_t combine(uint64_t crc_a, uint64_t crc_b, uint64_t length_b, uint64_t reflected_poly, int width) {
  return multiply_mod(x_to_8n(length_b, reflected_poly, width), crc_a, reflected_poly, width) ^ crc_b;
}

}  // namespace

std::optional<std::string> combine_crc(ChecksumAlgo algo, absl::string_view crc_a, absl::string_view crc_b,
                                       uint64_t length_b) {
  if (algo == ChecksumAlgo::kCrc64Nvme) {
    std::optional<uint64_t> a = from_big_endian<uint64_t>(crc_a), b = from_big_endian<uint64_t>(crc_b);
    if (!a || !b) return std::nullopt;
    return big_endian_of(combine(*a, *b, length_b, kCrc64NvmePoly, 64));
  }
  if (algo != ChecksumAlgo::kCrc32 && algo != ChecksumAlgo::kCrc32c) return std::nullopt;
  std::optional<uint32_t> a = from_big_endian<uint32_t>(crc_a), b = from_big_endian<uint32_t>(crc_b);
  if (!a || !b) return std::nullopt;
  if (algo == ChecksumAlgo::kCrc32)
    return big_endian_of(static_cast<uint32_t>(::crc32_combine64(*a, *b, static_cast<z_off64_t>(length_b))));
  return big_endian_of(static_cast<uint32_t>(combine(*a, *b, length_b, kCrc32cPoly, 32)));
}

uint32_t crc32c_update(uint32_t crc, absl::string_view data) {
  crc = ~crc;
  for (unsigned char b : data) crc = kCrc32cTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint64_t crc64nvme_update(uint64_t crc, absl::string_view data) {
  crc = ~crc;
  for (unsigned char b : data) crc = kCrc64NvmeTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::optional<ChecksumAlgo> checksum_algo_from_name(absl::string_view name) {
  std::string n = absl::AsciiStrToLower(name);
  if (absl::StartsWith(n, "x-amz-checksum-")) n = n.substr(15);
  if (n == "crc32") return ChecksumAlgo::kCrc32;
  if (n == "crc32c") return ChecksumAlgo::kCrc32c;
  if (n == "crc64nvme") return ChecksumAlgo::kCrc64Nvme;
  if (n == "sha1") return ChecksumAlgo::kSha1;
  if (n == "sha256") return ChecksumAlgo::kSha256;
  return std::nullopt;
}

std::string checksum_header_name(ChecksumAlgo algo) {
  switch (algo) {
    case ChecksumAlgo::kCrc32:
      return "x-amz-checksum-crc32";
    case ChecksumAlgo::kCrc32c:
      return "x-amz-checksum-crc32c";
    case ChecksumAlgo::kCrc64Nvme:
      return "x-amz-checksum-crc64nvme";
    case ChecksumAlgo::kSha1:
      return "x-amz-checksum-sha1";
    case ChecksumAlgo::kSha256:
      return "x-amz-checksum-sha256";
    case ChecksumAlgo::kMd5:
      return "content-md5";
  }
  return "";
}

std::string checksum_s3_name(ChecksumAlgo algo) {
  std::string name = checksum_header_name(algo);
  if (absl::StartsWith(name, "x-amz-checksum-")) name = name.substr(15);
  return absl::AsciiStrToUpper(name);
}

struct Checksummer::Evp {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Evp() { EVP_MD_CTX_free(ctx); }
};

Checksummer::Checksummer(ChecksumAlgo algo) : algo_(algo) {
  const EVP_MD* md = nullptr;
  if (algo == ChecksumAlgo::kSha1) md = EVP_sha1();
  if (algo == ChecksumAlgo::kSha256) md = EVP_sha256();
  if (algo == ChecksumAlgo::kMd5) md = EVP_md5();
  if (md != nullptr) {
    evp_ = std::make_unique<Evp>();
    EVP_DigestInit_ex(evp_->ctx, md, nullptr);
  }
}
Checksummer::~Checksummer() = default;
Checksummer::Checksummer(Checksummer&&) noexcept = default;
Checksummer& Checksummer::operator=(Checksummer&&) noexcept = default;

void Checksummer::update(absl::string_view data) {
  switch (algo_) {
    case ChecksumAlgo::kCrc32:
      crc_ = static_cast<uint32_t>(
          ::crc32(crc_, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
      break;
    case ChecksumAlgo::kCrc32c:
      crc_ = crc32c_update(crc_, data);
      break;
    case ChecksumAlgo::kCrc64Nvme:
      crc64_ = crc64nvme_update(crc64_, data);
      break;
    default:
      EVP_DigestUpdate(evp_->ctx, data.data(), data.size());
  }
}

std::string Checksummer::digest() {
  if (algo_ == ChecksumAlgo::kCrc32 || algo_ == ChecksumAlgo::kCrc32c) return big_endian_of(crc_);
  if (algo_ == ChecksumAlgo::kCrc64Nvme) return big_endian_of(crc64_);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(evp_->ctx, out, &n);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string Checksummer::digest_base64() { return absl::Base64Escape(digest()); }

}  // namespace garage::s3
