#include "s3/form_data.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "s3/errors.h"

namespace garage::s3 {

namespace {

absl::Status malformed(absl::string_view why) {
  return s3_error(S3Code::kMalformedPOSTRequest,
                  absl::StrCat("The body of your POST request is not well-formed multipart/form-data: ", why));
}

// RFC 2046: 1 to 70 printable characters, the last not a space.
bool valid_boundary(absl::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  return std::all_of(b.begin(), b.end(), [](char c) { return c >= ' ' && c < 0x7f && c != '"'; });
}

// `value` without its quotes and backslash escapes if it is a quoted string; as is otherwise.
std::string unquote(absl::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
  value = value.substr(1, value.size() - 2);
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out.push_back(value[i]);
  }
  return out;
}

// Splits `a; b="x;y"; c` at the semicolons outside quotes.
std::vector<absl::string_view> split_parameters(absl::string_view s) {
  std::vector<absl::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (s[i] == ';' && !quoted) {
      out.push_back(absl::StripAsciiWhitespace(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(absl::StripAsciiWhitespace(s.substr(start)));
  return out;
}

}  // namespace

std::optional<std::string> disposition_parameter(absl::string_view disposition, absl::string_view name) {
  std::vector<absl::string_view> params = split_parameters(disposition);
  for (size_t i = 1; i < params.size(); ++i) {  // the first is the disposition type
    const size_t eq = params[i].find('=');
    if (eq == absl::string_view::npos) continue;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(params[i].substr(0, eq)), name)) continue;
    return unquote(absl::StripAsciiWhitespace(params[i].substr(eq + 1)));
  }
  return std::nullopt;
}

absl::StatusOr<std::string> FormDataReader::boundary_of(absl::string_view content_type) {
  std::vector<absl::string_view> params = split_parameters(content_type);
  if (!absl::EqualsIgnoreCase(params[0], "multipart/form-data"))
    return malformed("the Content-Type is not multipart/form-data");
  std::optional<std::string> boundary = disposition_parameter(content_type, "boundary");
  if (!boundary || !valid_boundary(*boundary)) return malformed("the Content-Type has no valid boundary");
  return *boundary;
}

FormDataReader::FormDataReader(BodySource& body, std::string boundary)
    : body_(body), delimiter_(absl::StrCat("\r\n--", boundary)) {}

void FormDataReader::consume(size_t n) {
  buffer_pos_ += n;
  clear_bytes_ -= std::min(clear_bytes_, n);
  if (buffer_pos_ == buffer_.size()) {
    buffer_.clear();
    buffer_pos_ = 0;
  } else if (buffer_pos_ >= kReadPiece) {
    buffer_.erase(0, buffer_pos_);
    buffer_pos_ = 0;
  }
}

Task<absl::StatusOr<bool>> FormDataReader::fill(size_t need, size_t piece) {
  while (pending().size() < need) {
    const size_t want = std::max(piece, need - pending().size());
    absl::StatusOr<std::string> more = co_await body_.read(want);
    if (!more.ok()) co_return more.status();
    if (more->empty()) co_return false;
    if (buffer_.empty()) {
      buffer_ = std::move(*more);
    } else {
      buffer_ += *more;
    }
  }
  co_return true;
}

Task<absl::Status> FormDataReader::after_delimiter() {
  // RFC 2046 lets whitespace ("transport padding") follow a boundary before its CRLF.
  for (size_t padding = 0;; ++padding) {
    absl::StatusOr<bool> filled = co_await fill(2, kReadPiece);
    if (!filled.ok()) co_return filled.status();
    if (!*filled) co_return malformed("it ends at a boundary");
    const absl::string_view p = pending();
    if (p[0] != ' ' && p[0] != '\t') break;
    if (padding == kMaxPartHeaderBytes) co_return malformed("a boundary is followed by too much whitespace");
    consume(1);
  }
  const absl::string_view next = pending().substr(0, 2);
  if (next == "--") {
    consume(2);
    state_ = State::kEnd;
  } else if (next == "\r\n") {
    consume(2);
    state_ = State::kHeaders;
  } else {
    co_return malformed("a boundary is followed by something else than CRLF or --");
  }
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::optional<FormPart>>> FormDataReader::next_part() {
  if (state_ == State::kStart) {
    // The first boundary has no CRLF before it, unless a preamble comes first.
    const absl::string_view first = absl::string_view(delimiter_).substr(2);
    size_t at = absl::string_view::npos;
    while ((at = pending().find(first)) == absl::string_view::npos) {
      if (pending().size() > kMaxPreambleBytes + first.size()) co_return malformed("no boundary at its start");
      absl::StatusOr<bool> filled = co_await fill(pending().size() + 1, kReadPiece);
      if (!filled.ok()) co_return filled.status();
      if (!*filled) co_return malformed("no boundary");
    }
    if (at != 0 && (at < 2 || pending().substr(at - 2, 2) != "\r\n"))
      co_return malformed("its first boundary is not at the start of a line");
    consume(at + first.size());
    absl::Status s = co_await after_delimiter();
    if (!s.ok()) co_return s;
  }
  while (state_ == State::kContent) {  // what the caller did not read of the current part
    absl::StatusOr<std::string> skipped = co_await read_content(kReadPiece);
    if (!skipped.ok()) co_return skipped.status();
  }
  if (state_ == State::kEnd) co_return std::nullopt;
  assert(state_ == State::kHeaders);

  size_t end = absl::string_view::npos;
  for (;;) {
    // A part without headers starts with its blank line at once.
    if (absl::StartsWith(pending(), "\r\n")) {
      end = 0;
      break;
    }
    end = pending().find("\r\n\r\n");
    if (end != absl::string_view::npos) {
      end += 2;  // the first CRLF ends the last header line
      break;
    }
    if (pending().size() > kMaxPartHeaderBytes) co_return malformed("a part's headers are too large");
    absl::StatusOr<bool> filled = co_await fill(pending().size() + 1, kReadPiece);
    if (!filled.ok()) co_return filled.status();
    if (!*filled) co_return malformed("it ends inside a part's headers");
  }
  if (end > kMaxPartHeaderBytes) co_return malformed("a part's headers are too large");
  FormPart part;
  bool form_data = false;
  for (absl::string_view line : absl::StrSplit(pending().substr(0, end), "\r\n", absl::SkipEmpty())) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) co_return malformed("a part's header line has no colon");
    const absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, colon));
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "content-disposition")) {
      const absl::string_view type = absl::StripAsciiWhitespace(value.substr(0, value.find(';')));
      form_data = absl::EqualsIgnoreCase(type, "form-data");
      part.name = disposition_parameter(value, "name").value_or("");
      part.filename = disposition_parameter(value, "filename");
    } else if (absl::EqualsIgnoreCase(name, "content-type")) {
      part.content_type = std::string(value);
    }
  }
  if (!form_data || part.name.empty()) co_return malformed("a part has no Content-Disposition: form-data with a name");
  consume(end + 2);  // the blank line
  state_ = State::kContent;
  clear_bytes_ = 0;
  co_return part;
}

Task<absl::StatusOr<std::string>> FormDataReader::read_content(size_t max) {
  assert(max > 0);
  if (state_ != State::kContent) co_return std::string();
  while (clear_bytes_ == 0) {
    const absl::string_view p = pending();
    const size_t at = p.find(delimiter_);
    if (at == 0) {  // the part ends here
      consume(delimiter_.size());
      absl::Status s = co_await after_delimiter();
      if (!s.ok()) co_return s;
      co_return std::string();
    }
    if (at != absl::string_view::npos) {
      clear_bytes_ = at;
    } else if (p.size() >= delimiter_.size()) {
      // No delimiter starts before the last (size - 1) bytes: those may begin one.
      clear_bytes_ = p.size() - (delimiter_.size() - 1);
    } else {
      absl::StatusOr<bool> filled = co_await fill(p.size() + 1, std::max(max, kReadPiece));
      if (!filled.ok()) co_return filled.status();
      if (!*filled) co_return malformed("it ends inside a part");
    }
  }
  const size_t n = std::min(max, clear_bytes_);
  std::string out(pending().substr(0, n));
  consume(n);
  co_return out;
}

Task<absl::StatusOr<std::string>> FormDataReader::read_value(size_t limit) {
  std::string value;
  for (;;) {
    absl::StatusOr<std::string> piece = co_await read_content(limit + 1 - value.size());
    if (!piece.ok()) co_return piece.status();
    if (piece->empty()) co_return value;
    value += *piece;
    if (value.size() > limit) co_return s3_error(S3Code::kMaxPostPreDataLengthExceededError);
  }
}

}  // namespace garage::s3
