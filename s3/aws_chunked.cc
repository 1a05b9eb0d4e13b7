#include "s3/aws_chunked.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "node/hash.h"
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
      trailer_(auth.mode == PayloadMode::kStreamingSignedTrailer ||
               auth.mode == PayloadMode::kStreamingUnsignedTrailer),
      previous_signature_(auth.seed_signature) {}

void AwsChunkedBody::consume(size_t n) {
  buffer_pos_ += n;
  if (buffer_pos_ == buffer_.size()) {
    buffer_.clear();
    buffer_pos_ = 0;
  }
}

Task<absl::Status> AwsChunkedBody::fill(size_t need) {
  while (pending().size() < need) {
    absl::StatusOr<std::string> piece = co_await inner_.read(std::max(need - pending().size(), kLinePiece));
    if (!piece.ok()) co_return piece.status();
    if (piece->empty()) co_return s3_error(S3Code::kIncompleteBody, "the aws-chunked body ended early");
    buffer_.erase(0, buffer_pos_);
    buffer_pos_ = 0;
    buffer_ += *piece;
  }
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::string>> AwsChunkedBody::line() {
  for (;;) {
    const size_t end = pending().find("\r\n");
    if (end != absl::string_view::npos) {
      std::string l(pending().substr(0, end));
      consume(end + 2);
      co_return l;
    }
    if (pending().size() > kMaxLine) co_return s3_error(S3Code::kInvalidRequest, "aws-chunked: line too long");
    absl::Status s = co_await fill(pending().size() + 1);
    if (!s.ok()) co_return s;
  }
}

absl::Status AwsChunkedBody::check_signature(absl::string_view data_hash_hex) {
  if (!signed_) return absl::OkStatus();
  const std::string to_sign = absl::StrCat("AWS4-HMAC-SHA256-PAYLOAD\n", auth_.amz_date, "\n", auth_.scope.to_string(),
                                           "\n", previous_signature_, "\n", kEmptySha256, "\n", data_hash_hex);
  std::string expected = signature_hex(auth_.signing_key, to_sign);
  if (!constant_time_equal(expected, chunk_signature_)) {
    return s3_error(S3Code::kSignatureDoesNotMatch, "aws-chunked: a chunk signature does not match");
  }
  previous_signature_ = std::move(expected);
  return absl::OkStatus();
}

Task<absl::Status> AwsChunkedBody::start_chunk() {
  absl::StatusOr<std::string> header = co_await line();
  if (!header.ok()) co_return header.status();
  absl::string_view h = *header;
  absl::string_view size_hex = h.substr(0, h.find(';'));
  chunk_signature_.clear();
  if (const size_t semi = h.find(';'); semi != absl::string_view::npos) {
    absl::string_view ext = h.substr(semi + 1);
    if (absl::ConsumePrefix(&ext, "chunk-signature=")) chunk_signature_ = std::string(ext);
  }
  uint64_t size = 0;
  if (size_hex.empty() || size_hex.size() > 16 || !absl::SimpleHexAtoi(size_hex, &size)) {
    co_return s3_error(S3Code::kInvalidRequest, "aws-chunked: bad chunk size");
  }
  if (size > kMaxChunk) co_return s3_error(S3Code::kInvalidRequest, "aws-chunked: chunk larger than 5 GiB");
  if (signed_ && chunk_signature_.size() != 64) {
    co_return s3_error(S3Code::kSignatureDoesNotMatch, "aws-chunked: chunk has no signature");
  }
  if (size > 0) {
    chunk_left_ = size;
    if (signed_) chunk_sha256_.emplace(ChecksumAlgo::kSha256);
    co_return absl::OkStatus();
  }
  // The last chunk: signed over no data; without trailers, a CRLF ends the body.
  absl::Status s = check_signature(kEmptySha256);
  if (!s.ok()) co_return s;
  if (trailer_) {
    s = co_await read_trailers();
  } else {
    absl::StatusOr<std::string> end = co_await line();
    if (!end.ok()) co_return end.status();
    if (!end->empty()) co_return s3_error(S3Code::kInvalidRequest, "aws-chunked: the last chunk not followed by CRLF");
  }
  if (!s.ok()) co_return s;
  done_ = true;
  co_return absl::OkStatus();
}

Task<absl::Status> AwsChunkedBody::finish_chunk() {
  absl::Status s = co_await fill(2);
  if (!s.ok()) co_return s;
  if (!absl::StartsWith(pending(), "\r\n"))
    co_return s3_error(S3Code::kInvalidRequest, "aws-chunked: chunk not followed by CRLF");
  consume(2);
  if (!signed_) co_return absl::OkStatus();
  const std::string hash_hex = to_hex(chunk_sha256_->digest());
  chunk_sha256_.reset();
  co_return check_signature(hash_hex);
}

Task<absl::Status> AwsChunkedBody::read_trailers() {
  std::string canonical;
  std::string trailer_signature;
  for (int lines = 0;; ++lines) {
    if (lines > 16) co_return s3_error(S3Code::kInvalidRequest, "aws-chunked: too many trailer lines");
    absl::StatusOr<std::string> l = co_await line();
    if (!l.ok()) co_return l.status();
    if (l->empty()) break;
    const size_t colon = l->find(':');
    if (colon == std::string::npos) co_return s3_error(S3Code::kInvalidRequest, "aws-chunked: bad trailer line");
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
    const std::string to_sign =
        absl::StrCat("AWS4-HMAC-SHA256-TRAILER\n", auth_.amz_date, "\n", auth_.scope.to_string(), "\n",
                     previous_signature_, "\n", sha256_hex(canonical));
    if (!constant_time_equal(signature_hex(auth_.signing_key, to_sign), trailer_signature)) {
      co_return s3_error(S3Code::kSignatureDoesNotMatch, "aws-chunked: the trailer signature does not match");
    }
  }
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::string>> AwsChunkedBody::read(size_t max) {
  while (chunk_left_ == 0) {
    if (done_) co_return std::string();
    absl::Status s = co_await start_chunk();
    if (!s.ok()) co_return s;
  }
  const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max<size_t>(max, 1), chunk_left_));
  std::string out;
  if (!pending().empty()) {  // bytes that came in with the header
    out = std::string(pending().substr(0, want));
    consume(out.size());
  } else {
    absl::StatusOr<std::string> piece = co_await inner_.read(want);
    if (!piece.ok()) co_return piece.status();
    if (piece->empty()) co_return s3_error(S3Code::kIncompleteBody, "the aws-chunked body ended early");
    if (piece->size() > want) {  // a source that gave more than asked: keep the rest for later
      buffer_.assign(*piece, want);
      buffer_pos_ = 0;
      piece->resize(want);
    }
    out = std::move(*piece);
  }
  chunk_left_ -= out.size();
  if (chunk_sha256_) chunk_sha256_->update(out);
  if (chunk_left_ == 0) {
    // The chunk's last bytes go out only with its signature checked.
    absl::Status s = co_await finish_chunk();
    if (!s.ok()) co_return s;
  }
  co_return out;
}

}  // namespace garage::s3
