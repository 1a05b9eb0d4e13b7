// KvBatch: writes staged for one atomic Kv::write, read back through (read-your-writes).
//
// Several changes composed into one batch see each other: a table change and the block
// refcount it moves (node/block/block_rc.h) land together or not at all. The batch is built
// and written synchronously on the node's thread, so nothing else runs between its reads and
// its write.
//
//   KvBatch batch(kv);
//   auto v = batch.get("a");           // staged value, else the Kv's
//   batch.set("a", "1");
//   absl::Status s = kv.write(batch.writes(), /*sync=*/true);
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/env.h"

namespace garage {

class KvBatch {
 public:
  explicit KvBatch(Kv& kv) : kv_(kv) {}
  absl::StatusOr<std::optional<std::string>> get(const std::string& key) {
    if (auto it = staged_.find(key); it != staged_.end()) return it->second;
    return kv_.get(key);
  }
  // nullopt removes the key.
  void set(const std::string& key, std::optional<std::string> value) { staged_[key] = std::move(value); }
  bool empty() const { return staged_.empty(); }
  std::vector<KvWrite> writes() const {
    std::vector<KvWrite> out;
    out.reserve(staged_.size());
    for (const auto& [k, v] : staged_) out.push_back(v ? KvWrite::put(k, *v) : KvWrite::remove(k));
    return out;
  }

 private:
  Kv& kv_;
  std::map<std::string, std::optional<std::string>> staged_;
};

}  // namespace garage
