// The RPC wire frame: round trips, bounds, and refusal of malformed frames.
#include "net/frame.h"

#include <gtest/gtest.h>

namespace garage {
namespace {

TEST(Frame, RequestAndResponseRoundTrip) {
  Frame req{Frame::Kind::kRequest, 42, absl::OkStatus(), "hello"};
  std::string bytes = encode_frame(req);
  absl::StatusOr<uint32_t> len = decode_frame_length(reinterpret_cast<const unsigned char*>(bytes.data()));
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(*len, bytes.size() - 4);
  absl::StatusOr<Frame> back = decode_frame(std::string_view(bytes).substr(4));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->call_id, 42u);
  EXPECT_EQ(back->payload, "hello");

  Frame resp{Frame::Kind::kResponse, 7, absl::NotFoundError("no such thing"), ""};
  back = decode_frame(encode_frame(resp).substr(4));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->status, absl::NotFoundError("no such thing"));
}

TEST(Frame, RefusesOversizedEmptyAndMalformedFrames) {
  const unsigned char huge[4] = {0xff, 0xff, 0xff, 0x7f};
  EXPECT_FALSE(decode_frame_length(huge).ok());
  const unsigned char empty[4] = {0, 0, 0, 0};
  EXPECT_FALSE(decode_frame_length(empty).ok());
  EXPECT_FALSE(decode_frame("").ok());
  EXPECT_FALSE(decode_frame(std::string("\x02\x00", 2)).ok());  // unknown version
  std::string bytes = encode_frame(Frame{Frame::Kind::kRequest, 1, absl::OkStatus(), ""}).substr(4);
  bytes[1] = 5;  // unknown kind
  EXPECT_FALSE(decode_frame(bytes).ok());
  std::string resp = encode_frame(Frame{Frame::Kind::kResponse, 1, absl::OkStatus(), ""}).substr(4);
  resp[10] = 99;  // unknown status code
  EXPECT_FALSE(decode_frame(resp).ok());
}

}  // namespace
}  // namespace garage
