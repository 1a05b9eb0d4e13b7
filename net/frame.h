// The RPC wire frame inside a TLS connection: a u32 little-endian length, then this body:
//   u8 version (1), u8 kind (0 request, 1 response), u64 call id,
//   response only: u8 status code (absl::StatusCode) and the status message (u32 length + bytes),
//   then the payload (the rest of the frame).
// Frames over kMaxFrameBytes are refused before reading them, so a peer cannot make us allocate.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace garage {

inline constexpr uint32_t kMaxFrameBytes = 32u << 20;
// A frame's body is read (and allocated) in steps of this much, as its bytes arrive.
inline constexpr size_t kFrameReadStep = 256u << 10;

struct Frame {
  enum class Kind : uint8_t { kRequest = 0, kResponse = 1 };
  Kind kind = Kind::kRequest;
  uint64_t call_id = 0;
  absl::Status status;  // responses only
  std::string payload;
};

// The frame with its length prefix, ready to write.
std::string encode_frame(const Frame& frame);
// Decodes a frame body (without its length prefix).
absl::StatusOr<Frame> decode_frame(std::string_view body);
// Reads the length prefix; fails if the announced frame is too large or empty.
absl::StatusOr<uint32_t> decode_frame_length(const unsigned char header[4]);

}  // namespace garage
