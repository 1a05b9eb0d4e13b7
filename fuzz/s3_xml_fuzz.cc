// Fuzz target: each XML request-body parser (CompleteMultipartUpload, Delete,
// CreateBucketConfiguration) over arbitrary bytes. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "s3/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto parts = garage::s3::parse_complete_multipart(body);
      if (parts.ok())
        for (const auto& p : *parts)
          if (p.number < 1 || p.number > 10000 || p.etag.empty()) std::abort();
      break;
    }
    case 1: {
      auto del = garage::s3::parse_delete_objects(body);
      if (del.ok() && (del->keys.empty() || del->keys.size() > 1000)) std::abort();
      break;
    }
    default:
      (void)garage::s3::parse_create_bucket(body);
  }
  return 0;
}
