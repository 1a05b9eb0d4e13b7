// Test helper: a request body that gives its bytes in pieces of at most `piece` (and at most
// what is asked), and counts what it gave: how far a decoder had to read before it could
// return anything, and whether it copes with any split of its input.
#pragma once

#include <algorithm>
#include <string>

#include "s3/http.h"

namespace garage::s3 {

class PiecewiseBody final : public BodySource {
 public:
  PiecewiseBody(std::string data, size_t piece) : data_(std::move(data)), piece_(piece) {}
  Task<absl::StatusOr<std::string>> read(size_t max) override {
    std::string out = data_.substr(given_, std::min(max, piece_));
    given_ += out.size();
    co_return out;
  }
  size_t given() const { return given_; }

 private:
  std::string data_;
  size_t piece_;
  size_t given_ = 0;
};

}  // namespace garage::s3
