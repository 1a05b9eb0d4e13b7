// Fuzz target: every byte string a peer could send us, through the frame and message decoders.
// Properties: decoding never crashes or over-allocates, and whatever decodes re-encodes to the
// very same bytes (the encoding is canonical).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/frame.h"
#include "node/membership_messages.h"

namespace {

template <class Message>
void round_trip(std::string_view bytes) {
  auto decoded = Message::decode(bytes);
  if (decoded.ok() && decoded->encode() != bytes) std::abort();  // not canonical
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto frame = garage::decode_frame(bytes);
  if (frame.ok() && garage::encode_frame(*frame).substr(4) != bytes) std::abort();
  if (size >= 4) (void)garage::decode_frame_length(data);
  round_trip<garage::PingMessage>(bytes);
  round_trip<garage::ClusterStatusReply>(bytes);
  round_trip<garage::PersistedPeers>(bytes);
  return 0;
}
