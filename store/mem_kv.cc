#include "store/mem_kv.h"

namespace garage {

void MemKvStorage::apply(const std::vector<KvWrite>& batch, std::map<std::string, std::string, std::less<>>& to) {
  for (const KvWrite& w : batch) {
    if (w.value.has_value()) {
      to[w.key] = *w.value;
    } else {
      to.erase(w.key);
    }
  }
}

void MemKvStorage::crash(size_t keep_unsynced) {
  for (size_t i = 0; i < keep_unsynced && i < unsynced_.size(); ++i) apply(unsynced_[i], durable_);
  unsynced_.clear();
  current_ = durable_;
}

absl::StatusOr<std::optional<std::string>> MemKv::get(std::string_view key) {
  auto it = storage_.current_.find(key);
  if (it == storage_.current_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

absl::Status MemKv::write(const std::vector<KvWrite>& batch, bool sync) {
  storage_.apply(batch, storage_.current_);
  storage_.unsynced_.push_back(batch);
  if (sync) return this->sync();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> MemKv::scan(std::string_view start,
                                                                             std::string_view end, size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = storage_.current_.lower_bound(start); it != storage_.current_.end() && out.size() < limit; ++it) {
    if (!end.empty() && it->first >= end) break;
    out.emplace_back(it->first, it->second);
  }
  return out;
}

absl::Status MemKv::sync() {
  for (const auto& batch : storage_.unsynced_) storage_.apply(batch, storage_.durable_);
  storage_.unsynced_.clear();
  return absl::OkStatus();
}

}  // namespace garage
