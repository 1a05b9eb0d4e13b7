#include "store/fs_disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"

namespace garage {
namespace {

absl::Status errno_status(const std::string& what, const std::string& path) {
  const int err = errno;
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

absl::Status make_parent_dirs(const std::string& path) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    std::string dir = path.substr(0, pos);
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno_status("mkdir", dir);
  }
  return absl::OkStatus();
}

// Writes through `tmp` (unique to this write: two writes of one path at once, such as two PUTs
// of identical content writing one block, must not rename each other's file away).
absl::Status write_whole(const std::string& path, const std::string& tmp, const std::string& data) {
  if (auto s = make_parent_dirs(path); !s.ok()) return s;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return errno_status("open", tmp);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status s = errno_status("write", tmp);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {  // the rename below must not expose a file whose bytes are not on disk
    absl::Status s = errno_status("fsync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = errno_status("rename", tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  return absl::OkStatus();
}

absl::Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno_status("open", path);
  absl::Status s = ::fsync(fd) == 0 ? absl::OkStatus() : errno_status("fsync", path);
  ::close(fd);
  return s;
}

absl::StatusOr<std::string> read_whole(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status("open", path);
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status s = errno_status("read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

absl::StatusOr<std::string> FsDisk::full_path(const std::string& relative) const {
  if (relative.empty() || relative.front() == '/' || relative.find("..") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("bad relative path: ", relative));
  }
  return absl::StrCat(root_, "/", relative);
}

// One tag per process, not per FsDisk: two FsDisks on one directory (metadata_dir = data_dir)
// must not take each other's writes in progress for leftovers. Set once, never changed.
const std::string& process_tmp_tag() {
  static const std::string tag = [] {
    std::random_device random;
    return absl::StrCat(absl::Hex(random(), absl::kZeroPad8), absl::Hex(random(), absl::kZeroPad8));
  }();
  return tag;
}

FsDisk::FsDisk(std::string root, Offload& offload)
    : root_(std::move(root)), offload_(offload), tmp_tag_(process_tmp_tag()) {}

Task<absl::Status> FsDisk::write_file(std::string path, std::string data) {
  auto full = full_path(path);
  if (!full.ok()) co_return full.status();
  // The work owns what it touches: should this frame be destroyed while it runs (shutdown), the
  // worker thread must not write through dangling references. The std::function is a named
  // local: GCC 12 destroys a non-trivial temporary inside a co_await expression twice.
  auto result = std::make_shared<absl::Status>();
  std::string tmp = absl::StrCat(*full, ".tmp.", tmp_tag_, ".", next_tmp_++);  // node thread: no race
  std::function<void()> work = [result, target = *full, tmp = std::move(tmp), bytes = std::move(data)] {
    *result = write_whole(target, tmp, bytes);
  };
  co_await offload_.run(std::move(work));
  co_return *result;
}

Task<absl::Status> FsDisk::sync_file(std::string path) {
  auto full = full_path(path);
  if (!full.ok()) co_return full.status();
  auto result = std::make_shared<absl::Status>();
  std::function<void()> work = [result, target = *full] {
    *result = fsync_path(target, O_RDONLY);
    if (!result->ok()) return;
    const size_t slash = target.rfind('/');
    *result = fsync_path(target.substr(0, slash), O_RDONLY | O_DIRECTORY);
  };
  co_await offload_.run(std::move(work));
  co_return *result;
}

Task<absl::StatusOr<std::string>> FsDisk::read_file(std::string path) {
  auto full = full_path(path);
  if (!full.ok()) co_return full.status();
  auto result = std::make_shared<absl::StatusOr<std::string>>();
  std::function<void()> work = [result, target = *full] { *result = read_whole(target); };
  co_await offload_.run(std::move(work));
  co_return std::move(*result);
}

Task<absl::StatusOr<bool>> FsDisk::exists(std::string path) {
  auto full = full_path(path);
  if (!full.ok()) co_return full.status();
  auto result = std::make_shared<absl::StatusOr<bool>>();
  std::function<void()> work = [result, target = *full] {
    struct stat st;
    if (::stat(target.c_str(), &st) == 0) {
      *result = true;
    } else if (errno == ENOENT || errno == ENOTDIR) {
      *result = false;
    } else {
      *result = errno_status("stat", target);
    }
  };
  co_await offload_.run(std::move(work));
  co_return std::move(*result);
}

Task<absl::Status> FsDisk::remove_file(std::string path) {
  auto full = full_path(path);
  if (!full.ok()) co_return full.status();
  auto result = std::make_shared<absl::Status>();
  std::function<void()> work = [result, target = *full] {
    *result = ::unlink(target.c_str()) == 0 ? absl::OkStatus() : errno_status("unlink", target);
  };
  co_await offload_.run(std::move(work));
  co_return *result;
}

Task<absl::StatusOr<std::vector<std::string>>> FsDisk::list_files(std::string dir) {
  std::string full = dir.empty() ? root_ : absl::StrCat(root_, "/", dir);
  auto result = std::make_shared<absl::StatusOr<std::vector<std::string>>>();
  std::function<void()> work = [result, full, own = absl::StrCat(".tmp.", tmp_tag_, ".")] {
    DIR* d = ::opendir(full.c_str());
    if (d == nullptr) {
      *result = errno_status("opendir", full);
      return;
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (const size_t tmp = name.find(".tmp."); tmp != std::string::npos) {
        if (name.compare(tmp, own.size(), own) != 0) ::unlink(absl::StrCat(full, "/", name).c_str());
        continue;
      }
      names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    *result = std::move(names);
  };
  co_await offload_.run(std::move(work));
  co_return std::move(*result);
}

absl::StatusOr<uint64_t> FsDisk::free_bytes() {
  struct statvfs st;
  if (::statvfs(root_.c_str(), &st) != 0) return errno_status("statvfs", root_);
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

}  // namespace garage
