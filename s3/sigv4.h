// AWS Signature Version 4: the canonical request, the string to sign and the signature, as a
// server recomputes them to check a client's (DESIGN.md; AWS "Signature Version 4 signing
// process"). Pure functions over an already-parsed request: the HTTP layer decides what the
// method, path, query and headers are.
//
// S3 signs the path as sent, without normalization (`normalize = false`); other AWS services
// remove dot segments and duplicate slashes first. Both are implemented so that the AWS test
// suite (tests/testdata/sigv4) checks the canonicalization code in full.
//
//   SigV4Request req{"GET", "/bucket/key", "list-type=2", {{"Host", "x"}, {"X-Amz-Date", d}}};
//   std::string canonical = canonical_request(req, {"host", "x-amz-date"}, payload_sha256_hex);
//   std::string to_sign = string_to_sign("20150830T123600Z", scope, canonical);
//   std::string sig = signature_hex(signing_key(secret, scope), to_sign);
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace garage::s3 {

struct SigV4Request {
  std::string method;
  std::string path;   // the path as received: percent-encoded (decoded here before re-encoding)
  std::string query;  // the raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
};

struct SigV4Scope {
  std::string date;     // YYYYMMDD
  std::string region;   // e.g. "garage"
  std::string service;  // "s3"
  std::string to_string() const { return date + "/" + region + "/" + service + "/aws4_request"; }
};

// RFC 3986 percent-encoding as AWS specifies it: every byte except A-Z a-z 0-9 - . _ ~ is
// encoded as %XX (uppercase); '/' is kept when `keep_slash`.
std::string uri_encode(absl::string_view raw, bool keep_slash);
// Decodes %XX sequences (a malformed one is kept as is); '+' is not a space here.
std::string uri_decode(absl::string_view encoded);

// The canonical URI: the decoded path, optionally normalized (dot segments and empty segments
// removed), then encoded. S3: normalize = false.
std::string canonical_uri(absl::string_view path, bool normalize);
// The canonical query string: parameters decoded then strictly re-encoded, sorted by key then
// value; X-Amz-Signature is left out (it cannot sign itself).
std::string canonical_query(absl::string_view query);
// "name:value\n" for each signed header (lowercase, sorted), values trimmed with inner runs of
// whitespace collapsed, repeated headers joined by ','.
std::string canonical_headers(const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::vector<std::string>& signed_headers);

std::string canonical_request(const SigV4Request& req, const std::vector<std::string>& signed_headers,
                              absl::string_view payload_hash_hex, bool normalize_path = false);
std::string string_to_sign(absl::string_view amz_date, const SigV4Scope& scope, absl::string_view canonical_request);

using SigningKey = std::array<unsigned char, 32>;
SigningKey signing_key(absl::string_view secret_key, const SigV4Scope& scope);
std::string signature_hex(const SigningKey& key, absl::string_view string_to_sign);

std::string sha256_hex(absl::string_view data);
// Compares two signatures in time independent of where they first differ.
bool constant_time_equal(absl::string_view a, absl::string_view b);

}  // namespace garage::s3
