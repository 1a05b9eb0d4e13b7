#include "s3/aws_chunked.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "s3/errors.h"

namespace garage::s3 {

namespace {
constexpr size_t kMaxLine = 4096;
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
}  // namespace

AwsChunkedBody::AwsChunkedBody(BodySource& inner, const AuthContext& auth)
    : inner_(inner),
      auth_(auth),
      signed_(auth.mode == PayloadMode::kStreamingSigned || auth.mode == PayloadMode::kStreamingSignedTrailer),
      trailer_(auth.mode == PayloadMode::kStreamingSignedTrailer || auth.mode == PayloadMode::kStreamingUnsignedTrailer),
      previous_signature_(auth.seed_signature) {}

Task<absl::Status> AwsChunkedBody::fill(size_t need) {
  while (buffer_.size() < need) {
    absl::StatusOr<std::string> piece = co_await inner_.read(std::max<size_t>(need - buffer_.size(), 64 * 1024));
    if (!piece.ok()) co_return piece.status();
    if (piece->empty()) co_return s3_error("IncompleteBody", "the aws-chunked body ended early");
    buffer_ += *piece;
  }
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::string>> AwsChunkedBody::line() {
  for (;;) {
    const size_t end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string l = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      co_return l;
    }
    if (buffer_.size() > kMaxLine) co_return s3_error("InvalidRequest", "aws-chunked: line too long");
    absl::Status s = co_await fill(buffer_.size() + 1);
    if (!s.ok()) co_return s;
  }
}

std::string AwsChunkedBody::chunk_string_to_sign(absl::string_view data_hash_hex) const {
  return absl::StrCat("AWS4-HMAC-SHA256-PAYLOAD\n", auth_.amz_date, "\n", auth_.scope.to_string(), "\n",
                      previous_signature_, "\n", kEmptySha256, "\n", data_hash_hex);
}

Task<absl::Status> AwsChunkedBody::next_chunk() {
  absl::StatusOr<std::string> header = co_await line();
  if (!header.ok()) co_return header.status();
  absl::string_view h = *header;
  absl::string_view size_hex = h.substr(0, h.find(';'));
  std::string signature;
  if (const size_t semi = h.find(';'); semi != absl::string_view::npos) {
    absl::string_view ext = h.substr(semi + 1);
    if (absl::ConsumePrefix(&ext, "chunk-signature=")) signature = std::string(ext);
  }
  uint64_t size = 0;
  if (size_hex.empty() || size_hex.size() > 16 || !absl::SimpleHexAtoi(size_hex, &size)) {
    co_return s3_error("InvalidRequest", "aws-chunked: bad chunk size");
  }
  if (size > kMaxChunk) co_return s3_error("InvalidRequest", "aws-chunked: chunk larger than 16 MiB");
  if (signed_ && signature.size() != 64) co_return s3_error("SignatureDoesNotMatch", "aws-chunked: chunk has no signature");
  if (size > 0 || !trailer_) {
    absl::Status s = co_await fill(size + 2);
    if (!s.ok()) co_return s;
    if (buffer_.compare(size, 2, "\r\n") != 0) co_return s3_error("InvalidRequest", "aws-chunked: chunk not followed by CRLF");
  }
  std::string data = buffer_.substr(0, size);
  if (size > 0 || !trailer_) buffer_.erase(0, size + 2);
  if (signed_) {
    const std::string expected = signature_hex(auth_.signing_key, chunk_string_to_sign(sha256_hex(data)));
    if (!constant_time_equal(expected, signature)) {
      co_return s3_error("SignatureDoesNotMatch", "aws-chunked: a chunk signature does not match");
    }
    previous_signature_ = expected;
  }
  if (size == 0) {
    if (trailer_) {
      absl::Status s = co_await read_trailers();
      if (!s.ok()) co_return s;
    }
    done_ = true;
    co_return absl::OkStatus();
  }
  ready_ = std::move(data);
  ready_pos_ = 0;
  co_return absl::OkStatus();
}

Task<absl::Status> AwsChunkedBody::read_trailers() {
  std::string canonical;
  std::string trailer_signature;
  for (int lines = 0;; ++lines) {
    if (lines > 16) co_return s3_error("InvalidRequest", "aws-chunked: too many trailer lines");
    absl::StatusOr<std::string> l = co_await line();
    if (!l.ok()) co_return l.status();
    if (l->empty()) break;
    const size_t colon = l->find(':');
    if (colon == std::string::npos) co_return s3_error("InvalidRequest", "aws-chunked: bad trailer line");
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(l->substr(0, colon)));
    std::string value(absl::StripAsciiWhitespace(l->substr(colon + 1)));
    if (name == "x-amz-trailer-signature") {
      trailer_signature = value;
      continue;
    }
    absl::StrAppend(&canonical, name, ":", value, "\n");
    trailers_.emplace_back(std::move(name), std::move(value));
  }
  if (signed_) {
    const std::string to_sign = absl::StrCat("AWS4-HMAC-SHA256-TRAILER\n", auth_.amz_date, "\n", auth_.scope.to_string(),
                                             "\n", previous_signature_, "\n", sha256_hex(canonical));
    if (!constant_time_equal(signature_hex(auth_.signing_key, to_sign), trailer_signature)) {
      co_return s3_error("SignatureDoesNotMatch", "aws-chunked: the trailer signature does not match");
    }
  }
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::string>> AwsChunkedBody::read(size_t max) {
  while (ready_pos_ >= ready_.size()) {
    if (done_) co_return std::string();
    absl::Status s = co_await next_chunk();
    if (!s.ok()) co_return s;
  }
  std::string out = ready_.substr(ready_pos_, max);
  ready_pos_ += out.size();
  co_return out;
}

}  // namespace garage::s3
