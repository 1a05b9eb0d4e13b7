// XML in and out, through pugixml (never string scanning).
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace garage::s3 {

inline constexpr char kS3Namespace[] = "http://s3.amazonaws.com/doc/2006-03-01/";

// A response document: <root xmlns="...S3 namespace...">.
class XmlOut {
 public:
  explicit XmlOut(const char* root_name, bool with_namespace = true);
  pugi::xml_node root() { return root_; }
  // Appends <name>value</name> to `parent` and returns it.
  static pugi::xml_node add(pugi::xml_node parent, const char* name, absl::string_view value);
  std::string str() const;

 private:
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

// `region`, when not empty, goes in a <Region> element (see wrong_region_error).
std::string error_document(absl::string_view code, absl::string_view message, absl::string_view resource,
                           absl::string_view request_id, absl::string_view region = {});

// Parses `body` into `doc` and returns its root element, which must be <expected>;
// MalformedXML (an s3_error) otherwise.
absl::StatusOr<pugi::xml_node> parse_xml_root(pugi::xml_document& doc, absl::string_view body, const char* expected);

// Request bodies. Each fails with MalformedXML (an s3_error) on anything unexpected.
struct CompletedPart {
  int number = 0;
  std::string etag;  // quotes removed
  // The part's checksum as the client lists it (<ChecksumCRC32> ...), if it does: S3's name of
  // the algorithm ("CRC32") and the base64 value.
  std::string checksum_algorithm;
  std::string checksum;
};
absl::StatusOr<std::vector<CompletedPart>> parse_complete_multipart(absl::string_view body);

struct DeleteObjectsRequest {
  bool quiet = false;
  std::vector<std::string> keys;
};
absl::StatusOr<DeleteObjectsRequest> parse_delete_objects(absl::string_view body);

// CreateBucketConfiguration's LocationConstraint ("" when the body is empty or has none).
absl::StatusOr<std::string> parse_create_bucket(absl::string_view body);

}  // namespace garage::s3
