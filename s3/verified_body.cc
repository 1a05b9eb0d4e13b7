#include "s3/verified_body.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "node/hash.h"
#include "s3/aws_chunked.h"
#include "s3/errors.h"

namespace garage::s3 {

absl::StatusOr<std::unique_ptr<VerifiedBody>> VerifiedBody::make(BodySource& inner, const HttpRequest& http,
                                                                 const AuthContext& auth, const AwsChunkedBody* chunked,
                                                                 ChecksumHeader checksum_header) {
  std::unique_ptr<VerifiedBody> v(new VerifiedBody(inner));
  v->chunked_ = chunked;
  if (auth.mode == PayloadMode::kSignedHash) {
    v->sha256_.emplace(ChecksumAlgo::kSha256);
    v->expected_sha256_hex_ = auth.payload_hash;
  }
  if (std::optional<std::string> md5 = http.header("content-md5")) {
    std::string raw;
    if (!absl::Base64Unescape(*md5, &raw) || raw.size() != 16)
      return s3_error(S3Code::kInvalidDigest, "The Content-MD5 you specified was invalid.");
    v->md5_.emplace(ChecksumAlgo::kMd5);
    v->expected_md5_base64_ = *md5;
  }
  for (const auto& [k, value] : http.headers) {
    if (checksum_header == ChecksumHeader::kOfTheObject) break;
    if (!absl::StartsWith(k, "x-amz-checksum-")) continue;
    std::optional<ChecksumAlgo> a = checksum_algo_from_name(k);
    if (!a) continue;  // x-amz-checksum-mode, -algorithm, -type: not a value to check
    if (v->checksum_) return s3_error(S3Code::kInvalidRequest, "Expecting a single x-amz-checksum- header.");
    v->checksum_.emplace(*a);
    v->expected_checksum_ = value;
  }
  if (std::optional<std::string> trailer = http.header("x-amz-trailer")) {
    std::optional<ChecksumAlgo> a = checksum_algo_from_name(*trailer);
    if (!a) return s3_error(S3Code::kInvalidRequest, absl::StrCat("unsupported trailer ", *trailer));
    if (v->checksum_) return s3_error(S3Code::kInvalidRequest, "Expecting a single x-amz-checksum- header.");
    if (chunked == nullptr) return s3_error(S3Code::kInvalidRequest, "x-amz-trailer needs an aws-chunked body");
    v->checksum_.emplace(*a);
  }
  if (std::optional<std::string> decoded = http.header("x-amz-decoded-content-length")) {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(*decoded, &n))
      return s3_error(S3Code::kInvalidArgument, "x-amz-decoded-content-length is not a number");
    v->decoded_length_ = n;
  }
  return v;
}

Task<absl::StatusOr<std::string>> VerifiedBody::read(size_t max) {
  if (ended_) {
    if (!ended_->ok()) co_return *ended_;
    co_return std::string();
  }
  absl::StatusOr<std::string> piece = co_await inner_.read(max);
  if (!piece.ok()) co_return piece.status();
  if (piece->empty()) {
    ended_ = check_at_end();
    if (!ended_->ok()) co_return *ended_;
    co_return std::string();
  }
  size_ += piece->size();
  if (decoded_length_ && size_ > *decoded_length_)
    co_return s3_error(S3Code::kIncompleteBody, "the body is longer than x-amz-decoded-content-length");
  if (sha256_) sha256_->update(*piece);
  if (md5_) md5_->update(*piece);
  if (checksum_) checksum_->update(*piece);
  co_return piece;
}

absl::Status VerifiedBody::check_at_end() {
  if (decoded_length_ && size_ != *decoded_length_)
    return s3_error(S3Code::kIncompleteBody, "the body length does not match x-amz-decoded-content-length");
  if (sha256_ && to_hex(sha256_->digest()) != expected_sha256_hex_) return s3_error(S3Code::kXAmzContentSHA256Mismatch);
  if (md5_ && md5_->digest_base64() != expected_md5_base64_) return s3_error(S3Code::kBadDigest);
  if (checksum_) {
    std::optional<std::string> expected = expected_checksum_;
    if (!expected && chunked_ != nullptr) {
      for (const auto& [k, v] : chunked_->trailers())
        if (k == checksum_header_name(checksum_->algo())) expected = v;
    }
    if (!expected) return s3_error(S3Code::kInvalidRequest, "the announced checksum trailer is missing");
    if (checksum_->digest_base64() != *expected)
      return s3_error(S3Code::kBadDigest, absl::StrCat("The ", checksum_header_name(checksum_->algo()),
                                                       " you specified did not match the calculated checksum."));
    verified_checksum_ = VerifiedChecksum{checksum_->algo(), *expected};
  }
  return absl::OkStatus();
}

}  // namespace garage::s3
