// FormDataReader: reads a multipart/form-data body (RFC 7578), as browsers send HTML forms and
// as S3's POST Object takes them, one part at a time, streaming: a part's content is either
// read whole (small fields, bounded) or passed on as a BodySource of its own (the file), so a
// 5 GiB upload costs a few pieces of memory.
//
//   --<boundary>\r\n
//   Content-Disposition: form-data; name="key"\r\n\r\n
//   photos/${filename}\r\n
//   --<boundary>\r\n
//   Content-Disposition: form-data; name="file"; filename="cat.jpg"\r\n
//   Content-Type: image/jpeg\r\n\r\n
//   <bytes>\r\n
//   --<boundary>--\r\n
//
// Written here rather than taken from a library: none of the project's libraries (Beast
// included) parses multipart bodies, and the ones that do either hold the whole body or bring
// their own I/O. Every malformed form is MalformedPOSTRequest; every bound is a member below.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "s3/http.h"

namespace garage::s3 {

struct FormPart {
  std::string name;                     // Content-Disposition's name, as sent
  std::optional<std::string> filename;  // Content-Disposition's filename, when it has one
  std::string content_type;             // the part's Content-Type, if any
};

class FormDataReader {
 public:
  // The bytes of a part's headers (Content-Disposition, Content-Type, ...), all lines together.
  static constexpr size_t kMaxPartHeaderBytes = 8 * 1024;
  // Bytes before the first boundary (RFC 2046's preamble: browsers send none).
  static constexpr size_t kMaxPreambleBytes = 1024;
  // How much is asked of the body at a time.
  static constexpr size_t kReadPiece = 64 * 1024;

  // The boundary parameter of a multipart/form-data Content-Type; MalformedPOSTRequest if it is
  // another type or has none.
  static absl::StatusOr<std::string> boundary_of(absl::string_view content_type);

  FormDataReader(BodySource& body, std::string boundary);

  // The next part's headers; nullopt once the form's closing boundary is read. Skips what is
  // left of the current part's content first.
  Task<absl::StatusOr<std::optional<FormPart>>> next_part();
  // The current part's content, whole; MaxPostPreDataLengthExceededError past `limit` bytes.
  Task<absl::StatusOr<std::string>> read_value(size_t limit);
  // The current part's content as a stream: it ends (an empty read) where the part does.
  BodySource& content() { return content_; }

 private:
  class Content final : public BodySource {
   public:
    explicit Content(FormDataReader& form) : form_(form) {}
    Task<absl::StatusOr<std::string>> read(size_t max) override { return form_.read_content(max); }

   private:
    FormDataReader& form_;
  };
  enum class State : uint8_t { kStart, kHeaders, kContent, kAfterPart, kEnd };

  Task<absl::StatusOr<std::string>> read_content(size_t max);
  // Reads from the body, `piece` bytes or more at a time, until pending() holds at least `need`
  // bytes; false if it ended first.
  Task<absl::StatusOr<bool>> fill(size_t need, size_t piece);
  // What follows a delimiter: "--" (the form ends) or CRLF (a part follows).
  Task<absl::Status> after_delimiter();
  absl::string_view pending() const { return absl::string_view(buffer_).substr(buffer_pos_); }
  void consume(size_t n);

  BodySource& body_;
  const std::string delimiter_;  // "\r\n--<boundary>": it ends every part's content
  std::string buffer_;           // bytes read but not yet parsed, from buffer_pos_ on
  size_t buffer_pos_ = 0;
  size_t clear_bytes_ = 0;  // pending content bytes known to hold no delimiter: a part's data
  State state_ = State::kStart;
  Content content_{*this};
};

// A form field's parameter from a Content-Disposition value: `name` of
// `form-data; name="key"; filename="a b.txt"`; nullopt if absent.
std::optional<std::string> disposition_parameter(absl::string_view disposition, absl::string_view name);

}  // namespace garage::s3
