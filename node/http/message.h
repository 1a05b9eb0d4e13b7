// The HTTP exchange as a service's handlers see it (the S3 API today; the web and admin
// endpoints next): no sockets here (net/http_server.cc adapts), and nothing of S3.
//
// A request body is pulled in pieces from a BodySource; a response body is either a small
// string or a BodyStream the server pulls from until it ends. Neither side ever holds a whole
// large object: memory per request is bounded by a few blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "node/runtime/task.h"

namespace garage::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Reads a request body. read() returns up to `max` bytes; an empty string means the end.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual Task<absl::StatusOr<std::string>> read(size_t max) = 0;
};

// Produces a response body. next() returns the next piece; nullopt means the end.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual Task<absl::StatusOr<std::optional<std::string>>> next() = 0;
};

struct HttpRequest {
  std::string method;
  std::string target;          // path and query, as received (percent-encoded)
  Headers headers;             // names lowercased by the server, in order
  BodySource* body = nullptr;  // never null: an empty source for bodiless requests
  std::string remote;          // peer address, for logs

  // The first header of that (lowercase) name, if any.
  std::optional<std::string> header(absl::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return std::nullopt;
  }
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;                    // used when stream is null
  std::unique_ptr<BodyStream> stream;  // a streamed body of exactly content_length bytes
  uint64_t content_length = 0;         // for streams (and HEAD: the length announced)
  bool head = false;                   // HEAD: announce content_length, send no body
  // The handler verified who sent the request (a valid signature): the server keeps such
  // clients' idle connections longer than strangers' when it is full.
  bool authenticated = false;

  void set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// The request target as logs may show it: the values of query parameters that carry
// credentials (X-Amz-Signature and X-Amz-Security-Token: a presigned URL's secrets, valid until
// it expires) replaced by "REDACTED".
std::string redacted_target(absl::string_view target);

// Reads a whole (small) body, failing if it exceeds `limit` bytes.
Task<absl::StatusOr<std::string>> read_all(BodySource& body, size_t limit);

// A BodySource over a string (tests, simulation, bodiless requests).
class StringBody final : public BodySource {
 public:
  explicit StringBody(std::string data = "") : data_(std::move(data)) {}
  Task<absl::StatusOr<std::string>> read(size_t max) override;

 private:
  std::string data_;
  size_t pos_ = 0;
};

}  // namespace garage::http
