// Fuzz target: a browser upload's untrusted parts. The first byte picks one:
//  - the multipart/form-data reader (s3/form_data.h) over the rest, its boundary "b0undary":
//    every part read, small ones whole and others streamed in pieces of varying size;
//  - the policy document (s3/post_policy.h), the rest being its JSON, checked against a form.
// Properties: nothing crashes, leaks or over-allocates; every read ends; a value read whole is
// never past its limit; a parsed policy's size range is never empty.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "s3/form_data.h"
#include "s3/post_policy.h"
#include "tests/runtime_harness.h"

namespace {

constexpr size_t kValueLimit = 4096;

garage::Task<absl::Status> read_form(garage::s3::FormDataReader& form, uint8_t shape) {
  for (int part = 0;; ++part) {
    absl::StatusOr<std::optional<garage::s3::FormPart>> next = co_await form.next_part();
    if (!next.ok()) co_return next.status();
    if (!next->has_value()) co_return absl::OkStatus();
    if ((shape >> (part % 8)) & 1) {
      absl::StatusOr<std::string> value = co_await form.read_value(kValueLimit);
      if (value.ok() && value->size() > kValueLimit) std::abort();
      if (!value.ok()) co_return value.status();
      continue;
    }
    for (size_t piece = 1 + shape % 7;; piece = piece * 3 % 1024 + 1) {
      absl::StatusOr<std::string> got = co_await form.content().read(piece);
      if (!got.ok()) co_return got.status();
      if (got->size() > piece) std::abort();
      if (got->empty()) break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace garage::s3;
  if (size < 2) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (data[0] % 2 == 0) {
    garage::testing::RuntimeHarness h;
    StringBody body(rest);
    FormDataReader form(body, "b0undary");
    (void)h.run(read_form(form, data[1]));
    return 0;
  }
  absl::StatusOr<PostPolicy> policy = parse_post_policy(absl::Base64Escape(rest));
  if (!policy.ok()) return 0;
  if (policy->min_length > policy->max_length) std::abort();
  const FormFields fields = {{"key", "uploads/a.txt"}, {"content-type", "text/plain"}, {"x-amz-meta-a", "b"}};
  (void)check_post_policy(*policy, fields, "bucket", absl::FromUnixSeconds(1800000000));
  return 0;
}
