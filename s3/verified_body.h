// VerifiedBody: the one place where a request body is checked against what the request says of
// it, for every endpoint, present and future: the signed x-amz-content-sha256, Content-MD5, an
// x-amz-checksum-* (in a header or, with aws-chunked, in the trailer) and
// x-amz-decoded-content-length. Bytes pass through as they stream; the read that reaches the
// end fails instead of ending if anything does not match. A handler that reads its body to the
// end before acting (read_all, or ingest's last read before it commits) therefore never acts
// on a body that was not the one signed.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "s3/auth.h"
#include "s3/checksum.h"
#include "s3/http.h"

namespace garage::s3 {

class AwsChunkedBody;

class VerifiedBody final : public BodySource {
 public:
  // What an x-amz-checksum-<algorithm> header is the checksum of: the request's body (every
  // endpoint but one), or the object a CompleteMultipartUpload makes (the handler checks it).
  enum class ChecksumHeader : uint8_t { kOfThisBody, kOfTheObject };
  // InvalidDigest / InvalidRequest if the request's own claims are malformed. `chunked` is the
  // aws-chunked decoder `inner` is, if it is one (its trailers carry the checksum).
  static absl::StatusOr<std::unique_ptr<VerifiedBody>> make(BodySource& inner, const HttpRequest& http,
                                                            const AuthContext& auth, const AwsChunkedBody* chunked,
                                                            ChecksumHeader checksum_header);
  Task<absl::StatusOr<std::string>> read(size_t max) override;
  uint64_t bytes_read() const { return size_; }
  // The x-amz-checksum-* the body was sent with (a header or a trailer), once the read that
  // reached the end found it matching; nullopt before, or if none was sent.
  struct VerifiedChecksum {
    ChecksumAlgo algo;
    std::string base64;
  };
  const std::optional<VerifiedChecksum>& verified_checksum() const { return verified_checksum_; }

 private:
  explicit VerifiedBody(BodySource& inner) : inner_(inner) {}
  absl::Status check_at_end();

  BodySource& inner_;
  const AwsChunkedBody* chunked_ = nullptr;
  std::optional<Checksummer> sha256_;
  std::string expected_sha256_hex_;
  std::optional<Checksummer> md5_;
  std::string expected_md5_base64_;
  std::optional<Checksummer> checksum_;
  std::optional<std::string> expected_checksum_;  // nullopt: in the trailer
  std::optional<uint64_t> decoded_length_;
  uint64_t size_ = 0;
  std::optional<absl::Status> ended_;  // the verdict, once the end was reached
  std::optional<VerifiedChecksum> verified_checksum_;
};

}  // namespace garage::s3
