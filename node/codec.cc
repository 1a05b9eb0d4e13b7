#include "node/codec.h"

#include "absl/strings/str_cat.h"

namespace garage {

void Encoder::fixed(uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Encoder::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  out_.append(s.data(), s.size());
}

void Decoder::fail(std::string_view why) {
  if (error_.empty()) error_ = absl::StrCat(std::string(why), " at byte ", pos_);
}

bool Decoder::take(size_t n) {
  if (!ok()) return false;
  if (in_.size() - pos_ < n) {
    fail("truncated message");
    return false;
  }
  return true;
}

uint64_t Decoder::fixed(int bytes) {
  if (!take(static_cast<size_t>(bytes))) return 0;
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
  pos_ += static_cast<size_t>(bytes);
  return v;
}

uint8_t Decoder::u8() { return static_cast<uint8_t>(fixed(1)); }

bool Decoder::boolean() {
  const uint8_t v = u8();
  if (v > 1) fail("boolean is neither 0 nor 1");
  return v == 1;
}

std::string Decoder::str(uint32_t max_length) {
  const uint32_t n = u32();
  if (n > max_length) {
    fail("string too long");
    return {};
  }
  if (!take(n)) return {};
  std::string s(in_.substr(pos_, n));
  pos_ += n;
  return s;
}

NodeId Decoder::node_id() {
  NodeId id;
  if (!take(id.bytes.size())) return id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(in_[pos_ + i]);
  pos_ += id.bytes.size();
  return id;
}

uint8_t Decoder::version(uint8_t min_supported, uint8_t max_supported) {
  const uint8_t v = u8();
  if (ok() && (v < min_supported || v > max_supported)) {
    fail(absl::StrCat("unsupported version ", v, " (this build reads ", min_supported, "..", max_supported, ")"));
  }
  return v;
}

absl::Status Decoder::finish() const {
  if (!ok()) return absl::InvalidArgumentError(absl::StrCat("malformed message: ", error_));
  if (pos_ != in_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed message: ", in_.size() - pos_, " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace garage
