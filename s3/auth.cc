#include "s3/auth.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "s3/errors.h"

namespace garage::s3 {

namespace {
constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";
// AWS's words for a SigV2 request (header or presigned URL), kept exactly: s3cmd, configured
// for SigV2, recognises them and retries with SigV4.
constexpr char kSigV2Refusal[] =
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";

std::pair<std::string, std::string> split_target(absl::string_view target) {
  const size_t q = target.find('?');
  if (q == absl::string_view::npos) return {std::string(target), ""};
  return {std::string(target.substr(0, q)), std::string(target.substr(q + 1))};
}

// Query parameters, decoded.
std::vector<std::pair<std::string, std::string>> query_params(absl::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos)
      out.emplace_back(uri_decode(part), "");
    else
      out.emplace_back(uri_decode(part.substr(0, eq)), uri_decode(part.substr(eq + 1)));
  }
  return out;
}

absl::Status parse_credential(absl::string_view credential, ParsedAuth& out) {
  std::vector<std::string> parts = absl::StrSplit(credential, '/');
  if (parts.size() != 5 || parts[4] != "aws4_request") {
    return s3_error(S3Code::kAuthorizationHeaderMalformed, "Credential must be KEY/DATE/REGION/SERVICE/aws4_request");
  }
  out.key_id = parts[0];
  out.scope = SigV4Scope{parts[1], parts[2], parts[3]};
  return absl::OkStatus();
}
// Signs `to_sign` with the key `secret` derives for ctx.scope (kept in ctx, as is the signature:
// the first chunk of an aws-chunked body chains from it); SignatureDoesNotMatch unless it is
// `given`, compared in constant time.
absl::Status sign_and_compare(absl::string_view secret, absl::string_view to_sign, absl::string_view given,
                              AuthContext& ctx) {
  ctx.signing_key = signing_key(secret, ctx.scope);
  const std::string expected = signature_hex(ctx.signing_key, to_sign);
  if (!constant_time_equal(expected, given)) {
    return s3_error(S3Code::kSignatureDoesNotMatch,
                    "The request signature we calculated does not match the signature you provided. Check your key "
                    "and signing method.");
  }
  ctx.seed_signature = expected;
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<absl::Time> parse_amz_date(absl::string_view s) {
  // Fixed-width fields: absl::ParseTime's %Y would swallow the whole digit run.
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char z = 0;
  const std::string text(s);
  if (s.size() != 16 || s[8] != 'T' ||
      std::sscanf(text.c_str(), "%4d%2d%2dT%2d%2d%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 || z != 'Z' || mo < 1 ||
      mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
    return absl::InvalidArgumentError(absl::StrCat("bad x-amz-date: ", s));
  }
  const absl::TimeZone utc = absl::UTCTimeZone();
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, sec), utc);
}

absl::StatusOr<std::optional<ParsedAuth>> parse_auth(const HttpRequest& request) {
  ParsedAuth a;
  if (std::optional<std::string> header = request.header("authorization")) {
    absl::string_view h = *header;
    if (absl::StartsWith(h, "AWS ")) return s3_error(S3Code::kInvalidRequest, kSigV2Refusal);
    if (!absl::ConsumePrefix(&h, kAlgorithm)) {
      return s3_error(S3Code::kAuthorizationHeaderMalformed, "unsupported authorization scheme");
    }
    for (absl::string_view field : absl::StrSplit(h, ',', absl::SkipWhitespace())) {
      field = absl::StripAsciiWhitespace(field);
      const size_t eq = field.find('=');
      if (eq == absl::string_view::npos) continue;
      const absl::string_view name = field.substr(0, eq), value = field.substr(eq + 1);
      if (name == "Credential") {
        if (absl::Status s = parse_credential(value, a); !s.ok()) return s;
      } else if (name == "SignedHeaders") {
        a.signed_headers = absl::StrSplit(value, ';', absl::SkipEmpty());
      } else if (name == "Signature") {
        a.signature = std::string(value);
      }
    }
    if (a.key_id.empty() || a.signed_headers.empty() || a.signature.empty()) {
      return s3_error(S3Code::kAuthorizationHeaderMalformed,
                      "Authorization needs Credential, SignedHeaders and Signature");
    }
    std::optional<std::string> date = request.header("x-amz-date");
    if (!date) return s3_error(S3Code::kAccessDenied, "x-amz-date is required (the Date header is not supported)");
    a.amz_date = *date;
    return std::optional<ParsedAuth>(std::move(a));
  }
  auto [path, query] = split_target(request.target);
  if (!absl::StrContains(query, "X-Amz-Signature=")) {
    // A SigV2 presigned URL (s3cmd signurl) is not an anonymous request: say why it fails.
    bool v2_signature = false, v2_key = false;
    for (auto& [k, v] : query_params(query)) {
      v2_signature = v2_signature || k == "Signature";
      v2_key = v2_key || k == "AWSAccessKeyId";
    }
    if (v2_signature && v2_key) return s3_error(S3Code::kInvalidRequest, kSigV2Refusal);
    return std::optional<ParsedAuth>();
  }
  a.presigned = true;
  std::string algorithm, expires;
  for (auto& [k, v] : query_params(query)) {
    if (k == "X-Amz-Algorithm")
      algorithm = v;
    else if (k == "X-Amz-Credential") {
      if (absl::Status s = parse_credential(v, a); !s.ok()) return s;
    } else if (k == "X-Amz-Date")
      a.amz_date = v;
    else if (k == "X-Amz-Expires")
      expires = v;
    else if (k == "X-Amz-SignedHeaders")
      a.signed_headers = absl::StrSplit(v, ';', absl::SkipEmpty());
    else if (k == "X-Amz-Signature")
      a.signature = v;
  }
  int64_t seconds = 0;
  if (algorithm != kAlgorithm || a.key_id.empty() || a.amz_date.empty() || a.signed_headers.empty() ||
      !absl::SimpleAtoi(expires, &seconds) || seconds < 1 || seconds > 7 * 24 * 3600) {
    return s3_error(S3Code::kAuthorizationQueryParametersError,
                    "presigned URLs need X-Amz-Algorithm=AWS4-HMAC-SHA256, Credential, Date, SignedHeaders, "
                    "Signature and Expires between 1 and 604800 seconds");
  }
  a.expires = absl::Seconds(seconds);
  return std::optional<ParsedAuth>(std::move(a));
}

absl::StatusOr<AuthContext> verify_auth(const ParsedAuth& auth, absl::string_view secret, const HttpRequest& request,
                                        absl::Time now, const AuthSettings& settings) {
  absl::StatusOr<absl::Time> date = parse_amz_date(auth.amz_date);
  if (!date.ok()) return s3_error(S3Code::kAccessDenied, date.status().message());
  if (auth.scope.date != auth.amz_date.substr(0, 8)) {
    return s3_error(S3Code::kSignatureDoesNotMatch, "the credential's date does not match x-amz-date");
  }
  if (auth.presigned) {
    if (now > *date + auth.expires) return s3_error(S3Code::kAccessDenied, "Request has expired");
    if (*date - now > settings.presigned_early_allowance)
      return s3_error(S3Code::kAccessDenied, "Request is not yet valid");
  } else if (absl::AbsDuration(now - *date) > settings.max_skew) {
    return s3_error(S3Code::kRequestTimeTooSkewed);
  }
  if (auth.scope.region != settings.region) {
    return wrong_region_error(auth.scope.region, settings.region, auth.presigned);
  }
  if (auth.scope.service != "s3") return s3_error(S3Code::kAuthorizationHeaderMalformed, "the service must be 's3'");
  bool host_signed = false;
  for (const std::string& h : auth.signed_headers) host_signed = host_signed || h == "host";
  if (!host_signed) return s3_error(S3Code::kAccessDenied, "the host header must be signed");
  // As AWS: every x-amz-* header, and Content-MD5, is signed or the request is refused. An
  // unsigned one would change what a captured request does (x-amz-copy-source turns a PUT into
  // a copy; x-amz-meta-* and x-amz-acl add what the signer never said).
  for (const auto& [name, value] : request.headers) {
    if (!absl::StartsWith(name, "x-amz-") && name != "content-md5") continue;
    if (std::find(auth.signed_headers.begin(), auth.signed_headers.end(), name) == auth.signed_headers.end())
      return s3_error(S3Code::kAccessDenied,
                      absl::StrCat("There were headers present in the request which were not signed: ", name));
  }

  AuthContext ctx;
  ctx.key_id = auth.key_id;
  ctx.scope = auth.scope;
  ctx.amz_date = auth.amz_date;
  std::string payload_hash = "UNSIGNED-PAYLOAD";
  auto [path, query] = split_target(request.target);
  if (auth.presigned) {
    // The signature covers every query parameter but itself.
    std::vector<std::string> kept;
    for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
      if (!absl::StartsWith(part, "X-Amz-Signature=")) kept.emplace_back(part);
    }
    query = absl::StrJoin(kept, "&");
    ctx.mode = PayloadMode::kUnsigned;
  } else {
    std::optional<std::string> sha = request.header("x-amz-content-sha256");
    if (!sha) return s3_error(S3Code::kInvalidRequest, "x-amz-content-sha256 is required with SigV4");
    payload_hash = *sha;
    if (payload_hash == "UNSIGNED-PAYLOAD")
      ctx.mode = PayloadMode::kUnsigned;
    else if (payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
      ctx.mode = PayloadMode::kStreamingSigned;
    else if (payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
      ctx.mode = PayloadMode::kStreamingSignedTrailer;
    else if (payload_hash == "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
      ctx.mode = PayloadMode::kStreamingUnsignedTrailer;
    else if (payload_hash.size() == 64 && absl::AsciiStrToLower(payload_hash) == payload_hash) {
      ctx.mode = PayloadMode::kSignedHash;
      ctx.payload_hash = payload_hash;
    } else {
      return s3_error(S3Code::kInvalidArgument, "x-amz-content-sha256 must be a hex SHA-256 or a known payload mode");
    }
  }
  SigV4Request req{request.method, path, query, request.headers};
  const std::string canonical = canonical_request(req, auth.signed_headers, payload_hash);
  const std::string to_sign = string_to_sign(auth.amz_date, auth.scope, canonical);
  if (absl::Status s = sign_and_compare(secret, to_sign, auth.signature, ctx); !s.ok()) return s;
  return ctx;
}

absl::StatusOr<ParsedAuth> parse_post_auth(const PostAuthFields& fields) {
  if (fields.sigv2 && !fields.credential) return s3_error(S3Code::kInvalidRequest, kSigV2Refusal);
  if (!fields.credential || !fields.signature || !fields.date || !fields.algorithm)
    return s3_error(S3Code::kAccessDenied,
                    "a POST upload needs the x-amz-algorithm, x-amz-credential, x-amz-date and x-amz-signature fields "
                    "(anonymous uploads are not allowed)");
  if (*fields.algorithm != kAlgorithm)
    return s3_error(S3Code::kInvalidRequest, "x-amz-algorithm must be AWS4-HMAC-SHA256");
  ParsedAuth a;
  if (absl::Status s = parse_credential(*fields.credential, a); !s.ok())
    return s3_error(S3Code::kInvalidRequest, s.message());
  a.amz_date = *fields.date;
  a.signature = *fields.signature;
  return a;
}

absl::StatusOr<AuthContext> verify_post_auth(const ParsedAuth& auth, absl::string_view secret,
                                             absl::string_view policy_base64, const AuthSettings& settings) {
  absl::StatusOr<absl::Time> date = parse_amz_date(auth.amz_date);
  if (!date.ok()) return s3_error(S3Code::kAccessDenied, date.status().message());
  if (auth.scope.date != auth.amz_date.substr(0, 8))
    return s3_error(S3Code::kSignatureDoesNotMatch, "the credential's date does not match x-amz-date");
  if (auth.scope.region != settings.region) return wrong_region_error(auth.scope.region, settings.region, false);
  if (auth.scope.service != "s3") return s3_error(S3Code::kInvalidRequest, "the service must be 's3'");
  AuthContext ctx;
  ctx.key_id = auth.key_id;
  ctx.scope = auth.scope;
  ctx.amz_date = auth.amz_date;
  ctx.mode = PayloadMode::kUnsigned;  // a form's file is bounded by its policy, never signed
  if (absl::Status s = sign_and_compare(secret, policy_base64, auth.signature, ctx); !s.ok()) return s;
  return ctx;
}

}  // namespace garage::s3
