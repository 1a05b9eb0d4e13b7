#include "s3/http.h"

#include "absl/strings/str_cat.h"

namespace garage::s3 {

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

}  // namespace garage::s3
