#include "node/http/message.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace garage::http {

std::string redacted_target(absl::string_view target) {
  std::string out(target);
  for (std::string_view name : {"X-Amz-Signature=", "X-Amz-Security-Token="}) {
    for (size_t at = 0; (at = out.find(name, at)) != std::string::npos;) {
      // Only a parameter name: at the start of the query or after '&'.
      if (at == 0 || (out[at - 1] != '?' && out[at - 1] != '&')) {
        at += name.size();
        continue;
      }
      const size_t value = at + name.size();
      const size_t end = std::min(out.find('&', value), out.size());
      out.replace(value, end - value, "REDACTED");
      at = value + 8;
    }
  }
  return out;
}

Task<absl::StatusOr<std::string>> read_all(BodySource& body, size_t limit) {
  std::string out;
  for (;;) {
    absl::StatusOr<std::string> piece = co_await body.read(64 * 1024);
    if (!piece.ok()) co_return piece.status();
    if (piece->empty()) co_return out;
    if (out.size() + piece->size() > limit) {
      co_return absl::ResourceExhaustedError(absl::StrCat("request body larger than ", limit, " bytes"));
    }
    out += *piece;
  }
}

Task<absl::StatusOr<std::string>> StringBody::read(size_t max) {
  std::string piece = data_.substr(pos_, max);
  pos_ += piece.size();
  co_return piece;
}

}  // namespace garage::http
