// Fuzz target: every byte string a peer could send us, through the frame and message decoders.
// Properties: decoding never crashes or over-allocates, and whatever decodes re-encodes to the
// very same bytes (the encoding is canonical).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/frame.h"
#include "node/layout/layout_manager.h"
#include "node/membership_messages.h"
#include "node/table/debug_kv.h"
#include "node/table/lww.h"
#include "node/table/table_messages.h"

namespace {

// Canonical: what decodes re-encodes to the same bytes (older versions re-encode as the current
// one, so only current-version inputs are compared).
template <class Message>
void round_trip(std::string_view bytes) {
  auto decoded = Message::decode(bytes);
  if (decoded.ok() && static_cast<uint8_t>(bytes[0]) == Message::kVersion && decoded->encode() != bytes) std::abort();
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
  auto layout = garage::ClusterLayout::decode(bytes);
  if (layout.ok() && bytes[0] == garage::ClusterLayout::kEncodingVersion && layout->encode() != bytes) std::abort();
  round_trip<garage::LayoutAdminRequest>(bytes);
  round_trip<garage::TableRequest>(bytes);
  round_trip<garage::DebugKvRequest>(bytes);
  round_trip<garage::LwwRegister>(bytes);
  round_trip<garage::LwwMap>(bytes);
  // Table replies: no version byte (the request's carries it); they must decode or fail cleanly.
  auto entries = garage::decode_entries(bytes);
  if (entries.ok() && garage::encode_entries(*entries) != bytes) std::abort();
  auto items = garage::decode_items(bytes);
  if (items.ok() && garage::encode_items(*items) != bytes) std::abort();
  (void)garage::decode_hashes(bytes);
  (void)garage::decode_leaves(bytes);
  (void)garage::decode_bools(bytes);
  return 0;
}
