#include "s3/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>

#include "absl/strings/match.h"

namespace garage::s3 {

namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

SigningKey hmac(absl::string_view key, absl::string_view data) {
  SigningKey out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out.data(), &len);
  return out;
}

absl::string_view as_view(const SigningKey& k) { return {reinterpret_cast<const char*>(k.data()), k.size()}; }

std::string lowercase(absl::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Trims, and collapses every run of spaces, tabs and line breaks to one space.
std::string collapse_whitespace(absl::string_view v) {
  std::string out;
  bool in_space = false;
  for (char c : v) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space) {
      in_space = !out.empty();
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

// RFC 3986 section 5.2.4, plus empty segments dropped (as AWS normalizes "//").
std::string normalize_path(absl::string_view path) {
  std::vector<absl::string_view> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == absl::string_view::npos) next = path.size();
    absl::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    pos = next + 1;
  }
  std::string result;
  for (absl::string_view seg : out) {
    result.push_back('/');
    result.append(seg.data(), seg.size());
  }
  // A trailing slash (or a final "." / "..") names a directory: keep it.
  const bool trailing =
      !path.empty() && (path.back() == '/' || absl::EndsWith(path, "/.") || absl::EndsWith(path, "/.."));
  if (result.empty() || trailing) result.push_back('/');
  return result;
}

}  // namespace

std::string uri_encode(absl::string_view raw, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (unsigned char c : raw) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string uri_decode(absl::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      const int hi = hex_value(encoded[i + 1]), lo = hex_value(encoded[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(encoded[i]);
  }
  return out;
}

std::string canonical_uri(absl::string_view path, bool normalize) {
  std::string decoded = uri_decode(path);
  if (decoded.empty()) decoded = "/";
  if (normalize) decoded = normalize_path(decoded);
  return uri_encode(decoded, /*keep_slash=*/true);
}

std::string canonical_query(absl::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == absl::string_view::npos) amp = query.size();
    absl::string_view param = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (param.empty()) continue;
    const size_t eq = param.find('=');
    std::string key = uri_encode(uri_decode(param.substr(0, eq)), false);
    std::string value = eq == absl::string_view::npos ? "" : uri_encode(uri_decode(param.substr(eq + 1)), false);
    if (key == "X-Amz-Signature") continue;
    params.emplace_back(std::move(key), std::move(value));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string canonical_headers(const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::vector<std::string>& signed_headers) {
  std::map<std::string, std::string> joined;
  for (const auto& [name, value] : headers) {
    const std::string lower = lowercase(name);
    if (std::find(signed_headers.begin(), signed_headers.end(), lower) == signed_headers.end()) continue;
    auto [it, inserted] = joined.emplace(lower, collapse_whitespace(value));
    if (!inserted) it->second += "," + collapse_whitespace(value);
  }
  std::string out;
  for (const std::string& name : signed_headers) {
    out += name;
    out.push_back(':');
    if (auto it = joined.find(name); it != joined.end()) out += it->second;
    out.push_back('\n');
  }
  return out;
}

std::string canonical_request(const SigV4Request& req, const std::vector<std::string>& signed_headers,
                              absl::string_view payload_hash_hex, bool normalize_path) {
  std::vector<std::string> names = signed_headers;
  std::sort(names.begin(), names.end());
  std::string joined_names;
  for (const std::string& n : names) {
    if (!joined_names.empty()) joined_names.push_back(';');
    joined_names += n;
  }
  return req.method + "\n" + canonical_uri(req.path, normalize_path) + "\n" + canonical_query(req.query) + "\n" +
         canonical_headers(req.headers, names) + "\n" + joined_names + "\n" + std::string(payload_hash_hex);
}

std::string string_to_sign(absl::string_view amz_date, const SigV4Scope& scope, absl::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope.to_string() + "\n" + sha256_hex(canonical_request);
}

SigningKey signing_key(absl::string_view secret_key, const SigV4Scope& scope) {
  const std::string k_secret = "AWS4" + std::string(secret_key);
  SigningKey k = hmac(k_secret, scope.date);
  k = hmac(as_view(k), scope.region);
  k = hmac(as_view(k), scope.service);
  return hmac(as_view(k), "aws4_request");
}

std::string signature_hex(const SigningKey& key, absl::string_view string_to_sign) {
  SigningKey sig = hmac(as_view(key), string_to_sign);
  return to_hex(sig.data(), sig.size());
}

std::string sha256_hex(absl::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return to_hex(out, len);
}

bool constant_time_equal(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace garage::s3
