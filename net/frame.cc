#include "net/frame.h"

#include "absl/strings/str_cat.h"
#include "node/codec.h"

namespace garage {
namespace {
constexpr uint8_t kFrameVersion = 1;
constexpr uint32_t kMaxStatusMessage = 4096;
}  // namespace

std::string encode_frame(const Frame& frame) {
  Encoder e;
  e.u32(0);  // length, patched below
  e.u8(kFrameVersion);
  e.u8(static_cast<uint8_t>(frame.kind));
  e.u64(frame.call_id);
  if (frame.kind == Frame::Kind::kResponse) {
    e.u8(static_cast<uint8_t>(frame.status.code()));
    const absl::string_view message = frame.status.message().substr(0, kMaxStatusMessage);
    e.str(std::string_view(message.data(), message.size()));
  }
  std::string out = e.take();
  out += frame.payload;
  const uint32_t len = static_cast<uint32_t>(out.size() - 4);
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  return out;
}

absl::StatusOr<uint32_t> decode_frame_length(const unsigned char header[4]) {
  const uint32_t len = header[0] | (header[1] << 8) | (header[2] << 16) | (static_cast<uint32_t>(header[3]) << 24);
  if (len == 0 || len > kMaxFrameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("frame length ", len, " outside 1..", kMaxFrameBytes));
  }
  return len;
}

absl::StatusOr<Frame> decode_frame(std::string_view body) {
  Decoder d(body);
  Frame f;
  d.version(kFrameVersion, kFrameVersion);
  const uint8_t kind = d.u8();
  if (d.ok() && kind > 1) d.fail("unknown frame kind");
  f.kind = static_cast<Frame::Kind>(kind);
  f.call_id = d.u64();
  size_t header = 10;
  if (f.kind == Frame::Kind::kResponse) {
    const uint8_t code = d.u8();
    const std::string message = d.str(kMaxStatusMessage);
    if (d.ok() && code > static_cast<uint8_t>(absl::StatusCode::kUnauthenticated)) d.fail("unknown status code");
    if (d.ok() && code == 0 && !message.empty()) d.fail("an OK status carries no message");
    f.status = absl::Status(static_cast<absl::StatusCode>(code), message);
    header += 1 + 4 + message.size();
  }
  if (!d.ok()) return d.finish();
  f.payload = std::string(body.substr(header));
  return f;
}

}  // namespace garage
