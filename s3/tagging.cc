#include "s3/tagging.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "s3/errors.h"
#include "s3/request_limits.h"
#include "s3/sigv4.h"
#include "s3/xml.h"

namespace garage::s3 {

namespace {
// S3's limits on a whole set, once every tag was read (parse_tagging_xml, parse_tagging_header).
absl::Status check_tag_set(const TagSet& tags, TagTarget target) {
  const size_t max = target == TagTarget::kObject ? kMaxObjectTags : kMaxBucketTags;
  if (tags.size() > max) {
    return s3_error(S3Code::kInvalidTag, absl::StrCat(target == TagTarget::kObject ? "Object" : "Bucket",
                                                      " tags cannot be greater than ", max));
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    const auto& [key, value] = tags[i];
    const int64_t key_chars = xml_text_length(key);
    const int64_t value_chars = xml_text_length(value);
    if (key_chars < 0 || value_chars < 0)
      return s3_error(S3Code::kInvalidTag, "Tags must be valid UTF-8 without control characters");
    if (key_chars == 0) return s3_error(S3Code::kInvalidTag, "The TagKey you have provided is invalid");
    if (static_cast<size_t>(key_chars) > kMaxTagKeyChars)
      return s3_error(S3Code::kInvalidTag, "The TagKey you have provided is too long, max 128");
    if (static_cast<size_t>(value_chars) > kMaxTagValueChars)
      return s3_error(S3Code::kInvalidTag, "The TagValue you have provided is too long, max 256");
    if (key.starts_with("aws:")) return s3_error(S3Code::kInvalidTag, "Your TagKey cannot be prefixed with aws:");
    for (size_t j = 0; j < i; ++j) {
      if (tags[j].first == key) return s3_error(S3Code::kInvalidTag, "Cannot provide multiple Tags with the same key");
    }
  }
  return absl::OkStatus();
}

// Form decoding: '+' is a space, then %XX sequences.
std::string form_decode(absl::string_view part) {
  std::string spaced(part);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return uri_decode(spaced);
}
}  // namespace

absl::StatusOr<TagSet> parse_tagging_xml(absl::string_view xml, TagTarget target) {
  if (xml.size() > kMaxTaggingDocumentBytes)
    return s3_error(S3Code::kMalformedXML, "The tagging document is larger than 64 KiB");
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = parse_xml_root(doc, xml, "Tagging");
  if (!root.ok()) return root.status();
  pugi::xml_node set = root->child("TagSet");
  if (!set) return s3_error(S3Code::kMalformedXML, "a Tagging document holds a TagSet");
  TagSet tags;
  for (pugi::xml_node tag : set.children()) {
    if (tag.type() != pugi::node_element) continue;
    if (std::string_view(tag.name()) != "Tag")
      return s3_error(S3Code::kMalformedXML, absl::StrCat("unexpected <", tag.name(), "> in a TagSet"));
    pugi::xml_node key = tag.child("Key"), value = tag.child("Value");
    if (!key || !value) return s3_error(S3Code::kMalformedXML, "every Tag holds a Key and a Value");
    // Checked after each tag, so a huge document stops at the first tag past the limit.
    tags.emplace_back(key.child_value(), value.child_value());
    if (absl::Status s = check_tag_set(tags, target); !s.ok()) return s;
  }
  return tags;
}

std::string tagging_xml(const TagSet& tags) {
  XmlOut x("Tagging");
  pugi::xml_node set = x.root().append_child("TagSet");
  for (const auto& [key, value] : tags) {
    pugi::xml_node tag = set.append_child("Tag");
    XmlOut::add(tag, "Key", key);
    XmlOut::add(tag, "Value", value);
  }
  return x.str();
}

absl::StatusOr<TagSet> parse_tagging_header(absl::string_view value) {
  TagSet tags;
  if (value.empty()) return tags;
  for (absl::string_view part : absl::StrSplit(value, '&')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) {
      tags.emplace_back(form_decode(part), "");
    } else {
      tags.emplace_back(form_decode(part.substr(0, eq)), form_decode(part.substr(eq + 1)));
    }
    if (absl::Status s = check_tag_set(tags, TagTarget::kObject); !s.ok()) return s;
  }
  return tags;
}

}  // namespace garage::s3
