// NodeId: a node's 32-byte identity (SHA-256 of its certificate's public key in production).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace garage {

struct NodeId {
  std::array<uint8_t, 32> bytes{};

  auto operator<=>(const NodeId&) const = default;
  bool is_zero() const;
  std::string hex() const;        // 64 lowercase hex digits
  std::string short_hex() const;  // first 16, as shown by `garage status`
  static std::optional<NodeId> from_hex(std::string_view hex);
};

}  // namespace garage
