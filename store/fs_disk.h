// FsDisk: the Disk port on a real filesystem directory (blocking calls run on the Offload pool).
//
// write_file writes to "<path>.tmp.<tag>.<n>" (tag: random per process, n: per write) then
// renames it over <path>, so a reader never sees half a file and concurrent writes of one path
// do not collide; sync_file fsyncs the file and its directory, so both its bytes and its name
// are durable. list_files leaves temporary files out, and deletes those of another tag: writes a
// crash (or a kill) cut short, which nothing else would ever remove.
// Paths are relative to the root and may not contain "..".
#pragma once

#include <string>

#include "node/env.h"

namespace garage {

class FsDisk final : public Disk {
 public:
  FsDisk(std::string root, Offload& offload);

  Task<absl::Status> write_file(std::string path, std::string data) override;
  Task<absl::Status> sync_file(std::string path) override;
  Task<absl::StatusOr<std::string>> read_file(std::string path) override;
  Task<absl::StatusOr<bool>> exists(std::string path) override;
  Task<absl::Status> remove_file(std::string path) override;
  Task<absl::StatusOr<std::vector<std::string>>> list_files(std::string dir) override;
  absl::StatusOr<uint64_t> free_bytes() override;

 private:
  absl::StatusOr<std::string> full_path(const std::string& relative) const;
  std::string root_;
  Offload& offload_;
  std::string tmp_tag_;  // random: tells this process's temporary files from leftovers
  uint64_t next_tmp_ = 0;
};

}  // namespace garage
