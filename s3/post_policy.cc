#include "s3/post_policy.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "s3/errors.h"

namespace garage::s3 {

namespace {

using Json = nlohmann::json;

absl::Status invalid(absl::string_view why) {
  return s3_error(S3Code::kInvalidPolicyDocument, absl::StrCat("Invalid Policy: ", why));
}

absl::Status denied(absl::string_view why) {
  return s3_error(S3Code::kAccessDenied, absl::StrCat("Invalid according to Policy: ", why));
}

// A content-length-range bound: a JSON number or a string of digits.
bool length_bound(const Json& j, uint64_t* out) {
  if (j.is_number_unsigned()) {
    *out = j.get<uint64_t>();
    return true;
  }
  if (j.is_number_integer()) return false;  // negative
  return j.is_string() && absl::SimpleAtoi(j.get<std::string>(), out);
}

absl::Status add_condition(const Json& c, PostPolicy& policy) {
  if (c.is_object()) {  // {"field": "value"}: equality
    if (c.size() != 1 || !c.begin().value().is_string()) return invalid("a condition object has one string value");
    policy.conditions.push_back(
        {PostPolicy::Condition::Op::kEq, absl::AsciiStrToLower(c.begin().key()), c.begin().value().get<std::string>()});
    return absl::OkStatus();
  }
  if (!c.is_array() || c.size() != 3 || !c[0].is_string()) return invalid("a condition is an object or an array of 3");
  const std::string op = absl::AsciiStrToLower(c[0].get<std::string>());
  if (op == "content-length-range") {
    uint64_t min = 0;
    uint64_t max = 0;
    if (!length_bound(c[1], &min) || !length_bound(c[2], &max) || min > max)
      return invalid("content-length-range needs two sizes, the smaller first");
    policy.min_length = std::max(policy.min_length, min);
    policy.max_length = std::min(policy.max_length, max);
    return absl::OkStatus();
  }
  if (op != "eq" && op != "starts-with") return invalid(absl::StrCat("unknown condition ", op));
  if (!c[1].is_string() || !c[2].is_string()) return invalid("a condition's field and value are strings");
  const std::string field = c[1].get<std::string>();
  if (!absl::StartsWith(field, "$") || field.size() < 2) return invalid("a condition's field starts with $");
  policy.conditions.push_back({op == "eq" ? PostPolicy::Condition::Op::kEq : PostPolicy::Condition::Op::kStartsWith,
                               absl::AsciiStrToLower(absl::string_view(field).substr(1)), c[2].get<std::string>()});
  return absl::OkStatus();
}

bool meets(const PostPolicy::Condition& c, absl::string_view value) {
  if (c.op == PostPolicy::Condition::Op::kEq) return value == c.value;
  if (c.field == "content-type") {  // S3: each of a comma-separated list must match
    for (absl::string_view v : absl::StrSplit(value, ','))
      if (!absl::StartsWith(absl::StripAsciiWhitespace(v), c.value)) return false;
    return true;
  }
  return absl::StartsWith(value, c.value);
}

std::string describe(const PostPolicy::Condition& c) {
  return absl::StrCat("[\"", c.op == PostPolicy::Condition::Op::kEq ? "eq" : "starts-with", "\", \"$", c.field,
                      "\", \"", c.value, "\"]");
}

// Fields a form may carry without a condition on them.
bool exempt(absl::string_view field) {
  return field == "policy" || field == "x-amz-signature" || field == "file" || absl::StartsWith(field, "x-ignore-");
}

}  // namespace

absl::StatusOr<PostPolicy> parse_post_policy(absl::string_view base64_policy) {
  std::string text;
  if (!absl::Base64Unescape(base64_policy, &text)) return invalid("not base64");
  const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return invalid("not a JSON object");
  PostPolicy policy;
  const auto expiration = doc.find("expiration");
  if (expiration == doc.end() || !expiration->is_string()) return invalid("no expiration");
  std::string parse_error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", expiration->get<std::string>(), &policy.expiration, &parse_error))
    return invalid(absl::StrCat("expiration is not an ISO 8601 time: ", parse_error));
  const auto conditions = doc.find("conditions");
  if (conditions == doc.end() || !conditions->is_array()) return invalid("no conditions");
  for (const Json& c : *conditions) {
    if (absl::Status s = add_condition(c, policy); !s.ok()) return s;
  }
  return policy;
}

absl::Status check_post_policy(const PostPolicy& policy, const FormFields& fields, absl::string_view bucket,
                               absl::Time now) {
  if (now > policy.expiration) return denied("Policy expired.");
  std::set<std::string> covered;
  for (const PostPolicy::Condition& c : policy.conditions) {
    std::optional<absl::string_view> value;
    if (c.field == "bucket") {
      value = bucket;
    } else if (auto f = fields.find(c.field); f != fields.end()) {
      value = f->second;
    }
    if (!value || !meets(c, *value)) return denied(absl::StrCat("Policy Condition failed: ", describe(c)));
    covered.insert(c.field);
  }
  for (const auto& [name, value] : fields) {
    if (!exempt(name) && !covered.contains(name)) return denied(absl::StrCat("Extra input fields: ", name));
  }
  return absl::OkStatus();
}

}  // namespace garage::s3
