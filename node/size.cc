#include "node/size.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace garage {

absl::StatusOr<uint64_t> parse_size(std::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("'", std::string(text), "' is not a size (try 500G, 1T or 100GiB)"));
  };
  size_t i = 0;
  uint64_t whole = 0, frac = 0, frac_div = 1;
  bool digits = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, digits = true) {
    if (whole > (UINT64_MAX - 9) / 10) return bad();
    whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, digits = true) {
      if (frac_div < 1'000'000'000) {
        frac = frac * 10 + static_cast<uint64_t>(text[i] - '0');
        frac_div *= 10;
      }
    }
  }
  if (!digits) return bad();
  std::string unit(text.substr(i));
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uint64_t multiplier = 1;
  if (!unit.empty() && unit != "B") {
    static constexpr char kPrefixes[] = "KMGTP";
    const char* p = std::char_traits<char>::find(kPrefixes, 5, unit[0]);
    if (p == nullptr) return bad();
    const std::string rest = unit.substr(1);
    const uint64_t base = rest == "IB" ? 1024 : (rest.empty() || rest == "B") ? 1000 : 0;
    if (base == 0) return bad();
    for (long k = 0; k <= p - kPrefixes; ++k) multiplier *= base;
  }
  if (whole > UINT64_MAX / multiplier) return bad();
  // Fraction in integer arithmetic: multiplier * frac / frac_div, exact enough for any unit.
  return whole * multiplier + static_cast<uint64_t>(static_cast<unsigned __int128>(multiplier) * frac / frac_div);
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  int unit = 0;
  uint64_t scaled_x10 = bytes * 10;  // one decimal
  if (bytes >= 1000) {
    uint64_t div = 1;
    while (bytes / div >= 1000 && unit < 6) {
      div *= 1000;
      ++unit;
    }
    scaled_x10 = static_cast<uint64_t>(static_cast<unsigned __int128>(bytes) * 10 / div);
  }
  if (unit == 0) return absl::StrCat(bytes, " B");
  return absl::StrFormat("%d.%d %s", scaled_x10 / 10, scaled_x10 % 10, kUnits[unit]);
}

}  // namespace garage
