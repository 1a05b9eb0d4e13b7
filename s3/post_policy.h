// The policy document of a browser upload (S3's POST Object, "Creating a POST policy"): a
// base64 JSON object with an expiration and conditions every form field must meet. The policy
// is what the uploader's signature covers (s3/sigv4.h signs its base64 text), so the
// conditions are how the signer bounds what a browser may send: which key, which content
// type, how many bytes.
//
//   {"expiration": "2026-12-07T12:00:00.000Z",
//    "conditions": [{"bucket": "photos"}, ["starts-with", "$key", "user/eric/"],
//                   ["content-length-range", 1, 10485760], {"x-amz-date": "20261207T000000Z"}]}
//
// Pure functions: form_data.h reads the form, api_post.cc runs the upload.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace garage::s3 {

// A form's fields but the file, by lowercased name (S3 matches field names without case).
using FormFields = std::map<std::string, std::string>;

struct PostPolicy {
  struct Condition {
    enum class Op : uint8_t { kEq, kStartsWith };
    Op op;
    std::string field;  // lowercased, without the '$'
    std::string value;
  };
  absl::Time expiration;
  std::vector<Condition> conditions;
  // content-length-range: the file's size in bytes, both ends included.
  uint64_t min_length = 0;
  uint64_t max_length = std::numeric_limits<uint64_t>::max();
};

// InvalidPolicyDocument unless `base64_policy` is base64 of a JSON object with an ISO 8601
// "expiration" and "conditions" of the three forms above (and ["eq", "$field", "v"]).
absl::StatusOr<PostPolicy> parse_post_policy(absl::string_view base64_policy);

// Does the form meet its policy at `now`? AccessDenied ("Invalid according to Policy: ...")
// if the policy expired, a condition fails (a condition on a field the form does not have
// fails), or a field has no condition (all need one but policy, x-amz-signature, file and
// x-ignore-*). `bucket` is the bucket of the request's URL (the "bucket" condition is checked
// against it); `fields` hold "key" with ${filename} already replaced.
absl::Status check_post_policy(const PostPolicy& policy, const FormFields& fields, absl::string_view bucket,
                               absl::Time now);

}  // namespace garage::s3
