#include "s3/conditions.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace garage::s3 {

Conditions conditions_of(const HttpRequest& request, absl::string_view prefix) {
  Conditions c;
  c.if_match = request.header(absl::StrCat(prefix, "match"));
  c.if_none_match = request.header(absl::StrCat(prefix, "none-match"));
  c.if_modified_since = request.header(absl::StrCat(prefix, "modified-since"));
  c.if_unmodified_since = request.header(absl::StrCat(prefix, "unmodified-since"));
  return c;
}

ConditionOutcome evaluate(const Conditions& c, absl::string_view etag, int64_t modified_ms) {
  const int64_t modified_s = modified_ms / 1000;
  if (c.if_match) {
    if (!etag_matches(*c.if_match, etag)) return ConditionOutcome::kPreconditionFailed;
  } else if (c.if_unmodified_since) {
    const std::optional<absl::Time> t = parse_http_date(*c.if_unmodified_since);
    if (t && modified_s > absl::ToUnixSeconds(*t)) return ConditionOutcome::kPreconditionFailed;
  }
  if (c.if_none_match) {
    if (etag_matches(*c.if_none_match, etag)) return ConditionOutcome::kNotModified;
  } else if (c.if_modified_since) {
    const std::optional<absl::Time> t = parse_http_date(*c.if_modified_since);
    if (t && modified_s <= absl::ToUnixSeconds(*t)) return ConditionOutcome::kNotModified;
  }
  return ConditionOutcome::kProceed;
}

bool etag_matches(absl::string_view header, absl::string_view etag) {
  for (absl::string_view candidate : absl::StrSplit(header, ',')) {
    candidate = absl::StripAsciiWhitespace(candidate);
    absl::ConsumePrefix(&candidate, "W/");
    if (candidate == "*") return true;
    if (candidate.size() >= 2 && candidate.front() == '"' && candidate.back() == '"') {
      candidate = candidate.substr(1, candidate.size() - 2);
    }
    if (candidate == etag) return true;
  }
  return false;
}

std::optional<absl::Time> parse_http_date(absl::string_view text) {
  absl::Time t;
  std::string err;
  for (const char* fmt : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    if (absl::ParseTime(fmt, text, absl::UTCTimeZone(), &t, &err)) return t;
  }
  return std::nullopt;
}

}  // namespace garage::s3
