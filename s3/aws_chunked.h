// AwsChunkedBody: decodes an aws-chunked request body (Content-Encoding: aws-chunked), as sent
// with the STREAMING-* payload modes, checking every chunk signature as it goes.
//
//   <hex size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n
//   [<trailer name>:<value>\r\n ... x-amz-trailer-signature:<sig>\r\n]\r\n
// Unsigned modes omit ";chunk-signature=..." and the trailer signature. Each chunk's signature
// chains from the previous one (the first from the request's own signature).
//
// The body streams: a chunk's bytes pass to the reader as they arrive, hashed on the way, and
// the read that returns a chunk's last bytes fails instead if its signature does not match.
// Memory per request is a line buffer and one read's piece, whatever the chunk size (a 16 MiB
// chunk held whole cost ~29 MiB per request). Like a plain body whose x-amz-content-sha256 is
// checked at its end (VerifiedBody), nothing may act on the body before reading it to the end
// without error; every handler reads to the end before it commits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "s3/auth.h"
#include "s3/checksum.h"
#include "s3/http.h"

namespace garage::s3 {

class AwsChunkedBody final : public BodySource {
 public:
  // No memory reason to bound a chunk any more; S3's largest single upload (5 GiB) is the bound.
  static constexpr uint64_t kMaxChunk = uint64_t{5} << 30;
  // The raw bytes asked of the inner body while looking for a chunk header or the trailers.
  static constexpr size_t kLinePiece = 16 * 1024;

  AwsChunkedBody(BodySource& inner, const AuthContext& auth);
  Task<absl::StatusOr<std::string>> read(size_t max) override;
  // After the end: the trailing headers (checksums), names lowercased.
  const Headers& trailers() const { return trailers_; }

 private:
  Task<absl::Status> fill(size_t need);      // until pending() holds `need` bytes (IncompleteBody if it ends)
  Task<absl::StatusOr<std::string>> line();  // one CRLF-terminated line, without the CRLF
  Task<absl::Status> start_chunk();          // reads a chunk header; the last one ends the body
  Task<absl::Status> finish_chunk();         // the CRLF after the data, then the signature
  Task<absl::Status> read_trailers();
  absl::Status check_signature(absl::string_view data_hash_hex);
  absl::string_view pending() const { return absl::string_view(buffer_).substr(buffer_pos_); }
  void consume(size_t n);

  BodySource& inner_;
  const AuthContext& auth_;
  bool signed_;
  bool trailer_;
  std::string buffer_;  // raw bytes read but not parsed, from buffer_pos_ on
  size_t buffer_pos_ = 0;
  uint64_t chunk_left_ = 0;                  // data bytes of the current chunk not yet returned
  std::optional<Checksummer> chunk_sha256_;  // of the current chunk's data so far (signed modes)
  std::string chunk_signature_;              // as the current chunk's header gives it
  std::string previous_signature_;
  bool done_ = false;
  Headers trailers_;
};

}  // namespace garage::s3
