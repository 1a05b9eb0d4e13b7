#include "sim/sim_disk.h"

#include "absl/strings/str_cat.h"
#include "node/rng.h"
#include "node/runtime/combinators.h"

namespace garage::sim {

void SimDiskStorage::crash() {
  for (auto it = files_.begin(); it != files_.end();) {
    it->second.current = it->second.durable;
    if (!it->second.durable.has_value()) {
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

uint64_t SimDiskStorage::used_bytes() const {
  uint64_t used = 0;
  for (const auto& [path, file] : files_) {
    // Both versions occupy space until the old one is released by a sync.
    used += file.current ? file.current->size() : 0;
    if (file.durable && file.durable != file.current) used += file.durable->size();
  }
  return used;
}

bool SimDiskStorage::corrupt_at_rest(const std::string& path, uint64_t bit) {
  auto it = files_.find(path);
  if (it == files_.end() || !it->second.current || it->second.current->empty()) return false;
  for (auto* version : {&it->second.current, &it->second.durable}) {
    if (!version->has_value() || (*version)->empty()) continue;
    std::string& data = **version;
    const uint64_t b = bit % (data.size() * 8);
    data[b / 8] = static_cast<char>(data[b / 8] ^ (1 << (b % 8)));
  }
  return true;
}

Task<absl::Status> SimDisk::io_delay() {
  absl::Status s = co_await sleep_for(clock_, uniform_duration(rng_, faults_.latency_min, faults_.latency_max));
  if (!s.ok()) co_return s;
  if (storage_.dead()) co_return absl::DataLossError("disk is dead");
  co_return absl::OkStatus();
}

Task<absl::Status> SimDisk::write_file(std::string path, std::string data) {
  if (absl::Status s = co_await io_delay(); !s.ok()) co_return s;
  auto& files = storage_.files();
  const auto it = files.find(path);
  const uint64_t old_size = (it != files.end() && it->second.current) ? it->second.current->size() : 0;
  if (storage_.used_bytes() - old_size + data.size() > faults_.capacity_bytes) {
    co_return absl::ResourceExhaustedError(absl::StrCat("no space left writing ", path));
  }
  files[path].current = std::move(data);
  co_return absl::OkStatus();
}

Task<absl::Status> SimDisk::sync_file(std::string path) {
  if (absl::Status s = co_await io_delay(); !s.ok()) co_return s;
  auto& files = storage_.files();
  auto it = files.find(path);
  if (it == files.end()) co_return absl::NotFoundError(path);
  it->second.durable = it->second.current;
  if (!it->second.current.has_value()) files.erase(it);  // a synced removal
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::string>> SimDisk::read_file(std::string path) {
  if (absl::Status s = co_await io_delay(); !s.ok()) co_return s;
  auto it = storage_.files().find(path);
  if (it == storage_.files().end() || !it->second.current) co_return absl::NotFoundError(path);
  std::string data = *it->second.current;
  if (!data.empty() && faults_.read_bitflip_ppm > 0 && chance_ppm(rng_, faults_.read_bitflip_ppm)) {
    const uint64_t bit = uniform(rng_, data.size() * 8);
    data[bit / 8] = static_cast<char>(data[bit / 8] ^ (1 << (bit % 8)));
  }
  co_return data;
}

Task<absl::StatusOr<bool>> SimDisk::exists(std::string path) {
  if (absl::Status s = co_await io_delay(); !s.ok()) co_return s;
  auto it = storage_.files().find(path);
  co_return it != storage_.files().end() && it->second.current.has_value();
}

Task<absl::Status> SimDisk::remove_file(std::string path) {
  if (absl::Status s = co_await io_delay(); !s.ok()) co_return s;
  auto it = storage_.files().find(path);
  if (it == storage_.files().end() || !it->second.current) co_return absl::NotFoundError(path);
  it->second.current.reset();  // volatile until synced, like an unlink before fsync(dir)
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::vector<std::string>>> SimDisk::list_files(std::string dir) {
  if (absl::Status s = co_await io_delay(); !s.ok()) co_return s;
  const std::string prefix = dir.empty() ? "" : dir + "/";
  std::vector<std::string> names;
  for (auto it = storage_.files().lower_bound(prefix); it != storage_.files().end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    const std::string rest = it->first.substr(prefix.size());
    if (it->second.current && rest.find('/') == std::string::npos) names.push_back(rest);
  }
  co_return names;
}

absl::StatusOr<uint64_t> SimDisk::free_bytes() {
  if (storage_.dead()) return absl::DataLossError("disk is dead");
  const uint64_t used = storage_.used_bytes();
  return used >= faults_.capacity_bytes ? 0 : faults_.capacity_bytes - used;
}

}  // namespace garage::sim
