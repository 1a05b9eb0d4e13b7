// Request authentication: AWS Signature Version 4 in every form S3 clients send.
//
// parse_auth() reads the credential (Authorization header, or X-Amz-* query parameters for a
// presigned URL) without any secret; the caller looks the access key up, then
// verify_auth() recomputes the signature and checks the date window (+-15 minutes, or the
// presigned URL's expiry), the region and the service. The payload is checked later, as it
// streams: against x-amz-content-sha256 (a hex digest), chunk by chunk (aws-chunked, see
// aws_chunked.h), or not at all (UNSIGNED-PAYLOAD).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "s3/http.h"
#include "s3/sigv4.h"

namespace garage::s3 {

enum class PayloadMode {
  kSignedHash,                // x-amz-content-sha256 is the body's hex SHA-256
  kUnsigned,                  // UNSIGNED-PAYLOAD (and presigned URLs)
  kStreamingSigned,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingSignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

struct ParsedAuth {
  bool presigned = false;
  std::string key_id;
  SigV4Scope scope;
  std::vector<std::string> signed_headers;
  std::string signature;
  std::string amz_date;                           // YYYYMMDDTHHMMSSZ
  absl::Duration expires = absl::ZeroDuration();  // presigned only
};

struct AuthContext {
  std::string key_id;
  PayloadMode mode = PayloadMode::kUnsigned;
  std::string payload_hash;  // kSignedHash: lowercase hex
  SigningKey signing_key{};
  SigV4Scope scope;
  std::string amz_date;
  std::string seed_signature;  // the request's own signature: the first chunk chains from it
};

// nullopt if the request carries no credentials at all (anonymous).
absl::StatusOr<std::optional<ParsedAuth>> parse_auth(const HttpRequest& request);

struct AuthSettings {
  std::string region;
  absl::Duration max_skew = absl::Minutes(15);  // header-signed requests, either way (S3's rule)
  // A presigned URL is not valid before its X-Amz-Date (S3: "Request is not yet valid"); this
  // much allowance covers the clock difference between the machine that signed it and the node.
  absl::Duration presigned_early_allowance = absl::Minutes(1);
};

absl::StatusOr<AuthContext> verify_auth(const ParsedAuth& auth, absl::string_view secret, const HttpRequest& request,
                                        absl::Time now, const AuthSettings& settings);

// A browser upload (POST Object) signs its policy, not a request: the form's x-amz-algorithm,
// x-amz-credential, x-amz-date and x-amz-signature fields, parsed as a header's are (the
// access key, the scope). AccessDenied if a field is missing, InvalidRequest for SigV2's
// AWSAccessKeyId/signature fields (refused as for headers).
struct PostAuthFields {
  std::optional<std::string> algorithm, credential, date, signature;
  bool sigv2 = false;  // the form has SigV2's AWSAccessKeyId field
};
absl::StatusOr<ParsedAuth> parse_post_auth(const PostAuthFields& fields);
// The signature of `policy_base64` (the policy field as sent) with the key's secret, the scope
// checked as for any request (region, service, the credential's day that of x-amz-date). No
// clock window: the policy's expiration bounds how long the form may be used (post_policy.h).
absl::StatusOr<AuthContext> verify_post_auth(const ParsedAuth& auth, absl::string_view secret,
                                             absl::string_view policy_base64, const AuthSettings& settings);

// "20130524T000000Z" -> time (InvalidArgument on anything else).
absl::StatusOr<absl::Time> parse_amz_date(absl::string_view s);

}  // namespace garage::s3
