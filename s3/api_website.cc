// The website endpoint ([s3_web] bind_addr): a bucket whose website is enabled (PutBucketWebsite,
// `garage bucket website --allow`) is served anonymously, read-only, at <bucket><root_domain>
// or at a global name that is a domain name. Index documents, redirects, routing rules and the
// error document follow s3/website.h; objects are read as GetObject reads them (Range,
// conditional requests, stored headers); OPTIONS is a CORS preflight and responses carry the
// bucket's CORS headers.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "s3/request_limits.h"
#include "s3/sigv4.h"
#include "s3/website.h"

namespace garage::s3 {

namespace {
// Text made safe inside HTML (a message may quote what the client sent). Five characters: a
// library would add nothing here.
std::string html_escaped(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A browser reads the website's errors: a small HTML page with S3's code and message.
HttpResponse error_page(const absl::Status& status, absl::string_view request_id, bool head) {
  const S3ErrorInfo info = error_info(status);
  HttpResponse r;
  r.status = info.http_status;
  r.head = head;
  r.set("content-type", "text/html; charset=utf-8");
  const std::string title = absl::StrCat(info.http_status, " ", info.code);
  r.body = absl::StrCat("<html><head><title>", title, "</title></head><body><h1>", title,
                        "</h1><ul><li>Code: ", info.code, "</li><li>Message: ", html_escaped(info.message),
                        "</li><li>RequestId: ", request_id, "</li></ul></body></html>\n");
  if (head) r.body.clear();
  return r;
}

HttpResponse redirect(const WebsiteStep& step) {
  HttpResponse r;
  r.status = step.status;
  r.set("location", step.location);
  return r;
}

bool is_not_found(const absl::StatusOr<HttpResponse>& r) {
  return !r.ok() && error_info(r.status()).code == "NoSuchKey";
}
}  // namespace

Task<HttpResponse> S3Api::handle_website(HttpRequest& request) {
  // Request ids are seen by clients: from Entropy, never from the Rng (node/env.h).
  const std::string request_id = to_hex(env_.entropy->bytes(8));
  const bool head = request.method == "HEAD";
  const std::string host = request.header("host").value_or("");
  const size_t q = request.target.find('?');
  const std::string path = request.target.substr(0, q);
  S3Call call{request, Route{}, {}, {}, std::nullopt, request_id, request.body};
  call.route.path = path;
  call.route.bucket = website_bucket_of(host, settings_.web_root_domain);
  absl::StatusOr<HttpResponse> response = co_await serve_website(call, host);
  if (!response.ok()) {
    env_.tracer->event(Severity::kDebug, "WebsiteError",
                       absl::StrCat(call.route.bucket, " ", redacted_target(request.target), " (request ", request_id,
                                    "): ", response.status().message()));
    response = error_page(response.status(), request_id, head);
  }
  add_cors_headers_for(call, *response);
  response->set("x-amz-request-id", request_id);
  response->set("server", "garage-cpp");
  co_return std::move(*response);
}

Task<absl::StatusOr<HttpResponse>> S3Api::serve_website(S3Call& call, std::string host) {
  if (host.empty()) co_return s3_error(S3Code::kInvalidRequest, "the Host header names the website");
  if (call.route.path.empty() || call.route.path[0] != '/')
    co_return s3_error(S3Code::kInvalidRequest, "the request target must begin with '/'");
  const std::string key = uri_decode(call.route.path.substr(1));
  if (absl::Status s = check_object_key(key); !s.ok()) co_return s;
  if (call.http.method == "OPTIONS") {
    call.route.endpoint = Endpoint::kPreflight;
    co_return co_await preflight(call);
  }
  if (call.http.method != "GET" && call.http.method != "HEAD") {
    co_return s3_error(S3Code::kMethodNotAllowed, "a website serves GET, HEAD and OPTIONS only");
  }
  const bool head = call.http.method == "HEAD";
  // Global names only: a website has no key, so no key's local names.
  absl::StatusOr<std::optional<BucketInfo>> bucket = co_await model_.bucket_by_name(call.route.bucket);
  if (!bucket.ok()) co_return bucket.status();
  if (!bucket->has_value()) co_return s3_error(S3Code::kNoSuchBucket);
  if ((*bucket)->website.empty()) co_return s3_error(S3Code::kNoSuchWebsiteConfiguration);
  absl::StatusOr<WebsiteConfig> config = parse_website_configuration((*bucket)->website);
  if (!config.ok())
    co_return absl::InternalError(absl::StrCat("stored website configuration: ", config.status().message()));
  call.bucket = std::move(**bucket);
  call.route.endpoint = head ? Endpoint::kHeadObject : Endpoint::kGetObject;

  const WebsiteStep step = website_step(*config, key, host);
  if (step.redirect) co_return redirect(step);
  call.route.key = step.key;
  absl::StatusOr<HttpResponse> found = co_await get_object(call, head);
  if (!is_not_found(found)) co_return found;

  // Not found. A folder without its slash: its index document, if there is one, is at key/.
  if (!key.empty() && key.back() != '/') {
    call.route.key = absl::StrCat(key, "/", config->index_suffix);
    absl::StatusOr<std::optional<ObjectEntry>> folder = co_await model_.get_object(call.bucket->id, call.route.key);
    if (!folder.ok()) co_return folder.status();
    if (folder->has_value() && (*folder)->current() != nullptr) {
      co_return redirect(WebsiteStep{true, "", absl::StrCat("/", key, "/"), 302});
    }
  }
  if (std::optional<WebsiteStep> rule = website_error_redirect(*config, key, host, 404)) co_return redirect(*rule);
  if (config->error_key.empty()) co_return found;
  // The error document, whole and unconditional, with the error's status.
  HttpRequest plain;
  plain.method = call.http.method;
  plain.target = call.http.target;
  plain.body = call.http.body;
  S3Call error_call{plain, call.route, {}, {}, call.bucket, call.request_id, call.body};
  error_call.route.key = config->error_key;
  absl::StatusOr<HttpResponse> error_document = co_await get_object(error_call, head);
  if (!error_document.ok()) co_return found;
  error_document->status = 404;
  co_return error_document;
}

}  // namespace garage::s3
