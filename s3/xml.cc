#include "s3/xml.h"

#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "s3/errors.h"

namespace garage::s3 {

XmlOut::XmlOut(const char* root_name, bool with_namespace) {
  pugi::xml_node decl = doc_.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  root_ = doc_.append_child(root_name);
  if (with_namespace) root_.append_attribute("xmlns") = kS3Namespace;
}

pugi::xml_node XmlOut::add(pugi::xml_node parent, const char* name, absl::string_view value) {
  pugi::xml_node n = parent.append_child(name);
  n.append_child(pugi::node_pcdata).set_value(std::string(value).c_str());
  return n;
}

std::string XmlOut::str() const {
  std::ostringstream out;
  doc_.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

std::string error_document(absl::string_view code, absl::string_view message, absl::string_view resource,
                           absl::string_view request_id, absl::string_view region) {
  XmlOut x("Error", /*with_namespace=*/false);
  XmlOut::add(x.root(), "Code", code);
  XmlOut::add(x.root(), "Message", message);
  if (!region.empty()) XmlOut::add(x.root(), "Region", region);
  XmlOut::add(x.root(), "Resource", resource);
  XmlOut::add(x.root(), "RequestId", request_id);
  return x.str();
}

namespace {
absl::Status malformed(absl::string_view why) { return s3_error(S3Code::kMalformedXML, why); }

std::string strip_quotes(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}
}  // namespace

absl::StatusOr<pugi::xml_node> parse_xml_root(pugi::xml_document& doc, absl::string_view body, const char* expected) {
  // parse_ws_pcdata: a key of only spaces or tabs is a key, not nothing (the default drops it).
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!r) return malformed(std::string("The XML you provided was not well-formed: ") + r.description());
  pugi::xml_node root = doc.document_element();
  if (absl::string_view(root.name()) != expected) {
    return malformed(std::string("expected a <") + expected + "> document");
  }
  return root;
}

absl::StatusOr<std::vector<CompletedPart>> parse_complete_multipart(absl::string_view body) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = parse_xml_root(doc, body, "CompleteMultipartUpload");
  if (!root.ok()) return root.status();
  std::vector<CompletedPart> parts;
  for (pugi::xml_node p : root->children("Part")) {
    CompletedPart part;
    const std::string number = p.child_value("PartNumber");
    if (!absl::SimpleAtoi(number, &part.number) || part.number < 1 || part.number > 10000) {
      return malformed("PartNumber must be 1 to 10000");
    }
    part.etag = strip_quotes(p.child_value("ETag"));
    if (part.etag.empty()) return malformed("a Part has no ETag");
    for (const char* algorithm : {"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}) {
      pugi::xml_node listed = p.child((std::string("Checksum") + algorithm).c_str());
      if (!listed) continue;
      if (!part.checksum_algorithm.empty()) return malformed("a Part lists two checksums");
      part.checksum_algorithm = algorithm;
      part.checksum = listed.child_value();
    }
    parts.push_back(std::move(part));
  }
  if (parts.empty()) return malformed("CompleteMultipartUpload lists no Part");
  return parts;
}

absl::StatusOr<DeleteObjectsRequest> parse_delete_objects(absl::string_view body) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = parse_xml_root(doc, body, "Delete");
  if (!root.ok()) return root.status();
  DeleteObjectsRequest req;
  req.quiet = absl::string_view(root->child_value("Quiet")) == "true";
  for (pugi::xml_node o : root->children("Object")) {
    pugi::xml_node key = o.child("Key");
    if (!key) return malformed("an Object has no Key");
    req.keys.emplace_back(key.child_value());
  }
  if (req.keys.empty()) return malformed("Delete lists no Object");
  if (req.keys.size() > 1000) return malformed("Delete lists more than 1000 objects");
  return req;
}

absl::StatusOr<std::string> parse_create_bucket(absl::string_view body) {
  if (absl::StripAsciiWhitespace(body).empty()) return std::string();
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = parse_xml_root(doc, body, "CreateBucketConfiguration");
  if (!root.ok()) return root.status();
  return std::string(root->child_value("LocationConstraint"));
}

}  // namespace garage::s3
