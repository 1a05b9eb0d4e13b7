// A canonical binary codec for RPC messages and persisted records.
//
// Canonical: one value has exactly one encoding (fixed-width little-endian integers, u32
// length prefixes, booleans only 0 or 1, no trailing bytes), so encodings can be compared and
// hashed. The Decoder is sticky: after the first error every read returns a zero value and
// finish() reports the error, so decode functions read straight through and check once.
//
//   Encoder e;  e.u8(kVersion);  e.str(name);  std::string bytes = e.take();
//   Decoder d(bytes);  uint8_t v = d.u8();  std::string name = d.str();
//   if (absl::Status s = d.finish(); !s.ok()) return s;
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "node/node_id.h"

namespace garage {

// No single string or list in any message may be longer; bounds what a peer can make us allocate.
inline constexpr uint32_t kMaxCodecLength = 64u << 20;

class Encoder {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { fixed(v, 2); }
  void u32(uint32_t v) { fixed(v, 4); }
  void u64(uint64_t v) { fixed(v, 8); }
  void i64(int64_t v) { fixed(static_cast<uint64_t>(v), 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void str(std::string_view s);
  void node_id(const NodeId& id) { out_.append(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()); }
  template <class T, class F>
  void list(const std::vector<T>& items, F&& encode_one) {
    u32(static_cast<uint32_t>(items.size()));
    for (const T& item : items) encode_one(*this, item);
  }
  std::string take() { return std::move(out_); }

 private:
  void fixed(uint64_t v, int bytes);
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  uint8_t u8();
  uint16_t u16() { return static_cast<uint16_t>(fixed(2)); }
  uint32_t u32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t u64() { return fixed(8); }
  int64_t i64() { return static_cast<int64_t>(fixed(8)); }
  bool boolean();
  std::string str(uint32_t max_length = kMaxCodecLength);
  NodeId node_id();
  // Reads a u32 count (at most `max_items`) then each item with `decode_one(*this)`.
  template <class T, class F>
  std::vector<T> list(uint32_t max_items, F&& decode_one) {
    std::vector<T> items;
    const uint32_t n = u32();
    if (n > max_items) {
      fail("list too long");
      return items;
    }
    for (uint32_t i = 0; i < n && ok(); ++i) items.push_back(decode_one(*this));
    return items;
  }
  // Reads the version tag and checks it is one we understand.
  uint8_t version(uint8_t min_supported, uint8_t max_supported);

  bool ok() const { return error_.empty(); }
  void fail(std::string_view why);
  // OK only if no read failed and every byte was consumed.
  absl::Status finish() const;

 private:
  uint64_t fixed(int bytes);
  bool take(size_t n);
  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace garage
