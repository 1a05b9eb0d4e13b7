// Fuzz target: raw HTTP bytes -> Beast's parser -> routing -> authentication (a fixed key) ->
// the body decoders (aws-chunked with chunk signatures and trailers). The seed corpus holds
// requests captured from real clients (awscli, boto3, the JavaScript SDK) signed with that key.
// Properties: nothing crashes, leaks or over-allocates; every failure is a clean status.
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "s3/auth.h"
#include "s3/aws_chunked.h"
#include "s3/errors.h"
#include "s3/router.h"
#include "tests/runtime_harness.h"

namespace http = boost::beast::http;

namespace {
constexpr char kKeyId[] = "GKfuzzfuzzfuzz";
constexpr char kSecret[] = "fuzzsecretfuzzsecret";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace garage::s3;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(64 * 1024);
  parser.body_limit(1 << 20);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(data, size), ec);
  // Beast's contract: after need_more, call put() again only with more bytes than before (its
  // read algorithms, which the server uses, do). All the bytes are here already, so need_more
  // means an incomplete message; only a pause after the header (no error) calls for more.
  if (!ec && !parser.is_done() && used < size) used += parser.put(boost::asio::buffer(data + used, size - used), ec);
  if (!parser.is_header_done()) return 0;
  auto& req = parser.get();
  StringBody body(req.body());
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  for (const auto& f : req)
    r.headers.emplace_back(absl::AsciiStrToLower(std::string(f.name_string())), std::string(f.value()));
  r.body = &body;

  (void)route_request(r, ".s3.garage");
  absl::StatusOr<std::optional<ParsedAuth>> parsed = parse_auth(r);
  if (!parsed.ok() || !parsed->has_value()) return 0;
  // Judge the request at its own date, so that captured requests get through to the payload.
  absl::StatusOr<absl::Time> date = parse_amz_date((*parsed)->amz_date);
  const absl::Time now = date.ok() ? *date : absl::UnixEpoch();
  const std::string secret = (*parsed)->key_id == kKeyId ? kSecret : "other-secret";
  absl::StatusOr<AuthContext> auth = verify_auth(**parsed, secret, r, now, AuthSettings{"garage"});
  // Decode the payload even when the signature failed: the decoder must stand garbage too.
  AuthContext ctx = auth.ok() ? *auth : AuthContext{};
  if (!auth.ok()) {
    std::optional<std::string> mode = r.header("x-amz-content-sha256");
    if (mode == "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
      ctx.mode = PayloadMode::kStreamingUnsignedTrailer;
    else if (mode && mode->rfind("STREAMING-", 0) == 0)
      ctx.mode = PayloadMode::kStreamingSigned;
    else
      return 0;
  }
  if (ctx.mode == PayloadMode::kStreamingSigned || ctx.mode == PayloadMode::kStreamingSignedTrailer ||
      ctx.mode == PayloadMode::kStreamingUnsignedTrailer) {
    AwsChunkedBody decoded(body, ctx);
    garage::testing::RuntimeHarness h;
    (void)h.run(read_all(decoded, 1 << 20));
  }
  return 0;
}
