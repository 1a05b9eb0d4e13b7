// AwsChunkedBody: decodes an aws-chunked request body (Content-Encoding: aws-chunked), as sent
// with the STREAMING-* payload modes, checking every chunk signature as it goes.
//
//   <hex size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n
//   [<trailer name>:<value>\r\n ... x-amz-trailer-signature:<sig>\r\n]\r\n
// Unsigned modes omit ";chunk-signature=..." and the trailer signature. Each chunk's signature
// chains from the previous one (the first from the request's own signature): a chunk is
// released to the reader only once its signature checks, so a tampered stream fails before its
// bytes are used. Chunks are bounded (kMaxChunk); trailer lines too.
#pragma once

#include "absl/strings/string_view.h"
#include <string>

#include "s3/auth.h"
#include "s3/http.h"

namespace garage::s3 {

class AwsChunkedBody final : public BodySource {
 public:
  static constexpr size_t kMaxChunk = 16u << 20;

  AwsChunkedBody(BodySource& inner, const AuthContext& auth);
  Task<absl::StatusOr<std::string>> read(size_t max) override;
  // After the end: the trailing headers (checksums), names lowercased.
  const Headers& trailers() const { return trailers_; }

 private:
  Task<absl::Status> fill(size_t need);  // until buffer_ holds `need` bytes (IncompleteBody if it ends)
  Task<absl::StatusOr<std::string>> line();  // one CRLF-terminated line, without the CRLF
  Task<absl::Status> next_chunk();
  Task<absl::Status> read_trailers();
  std::string chunk_string_to_sign(absl::string_view data_hash_hex) const;

  BodySource& inner_;
  const AuthContext& auth_;
  bool signed_;
  bool trailer_;
  std::string buffer_;  // raw bytes read but not parsed
  std::string ready_;   // decoded, verified bytes not yet returned
  size_t ready_pos_ = 0;
  std::string previous_signature_;
  bool done_ = false;
  Headers trailers_;
};

}  // namespace garage::s3
