#include "sim/trace.h"

#include <cstdio>

namespace garage::sim {

void TraceRecorder::record(std::string_view line) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  for (unsigned char c : line) {
    hash_ ^= c;
    hash_ *= kPrime;
  }
  hash_ ^= '\n';
  hash_ *= kPrime;
  ++lines_;
  if (lines_ % checkpoint_every_ == 0) checkpoints_.push_back({lines_, hash_});
  if (out_) *out_ << line << '\n';
}

bool TraceRecorder::write_lines_to(const std::string& path) {
  out_ = std::make_unique<std::ofstream>(path);
  return out_->good();
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace garage::sim
