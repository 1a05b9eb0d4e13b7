// FsDisk, the Disk port on a real directory.
#include "store/fs_disk.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "net/prod_env.h"
#include "node/runtime/combinators.h"
#include "node/runtime/spawner.h"

namespace garage {
namespace {

class FsDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/garage-fsdisk-XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + root_).c_str()); }

  template <class T>
  T run(Task<T> task) {
    std::optional<T> out;
    io_.restart();  // a finished run leaves the io_context stopped once it ran out of work
    spawner_.spawn(store_result(std::move(task), &out));
    while (!out.has_value() && io_.run_one_for(std::chrono::seconds(5)) > 0) {
    }
    if (!out.has_value()) {
      ADD_FAILURE() << "the disk operation never completed";
      std::abort();
    }
    return std::move(*out);
  }

  template <class T>
  static Task<> store_result(Task<T> task, std::optional<T>* out) {
    T value = co_await std::move(task);
    out->emplace(std::move(value));
  }

  std::string root_;
  boost::asio::io_context io_;
  AsioClock clock_{io_};
  PoolOffload offload_{io_, 1};
  Spawner spawner_{clock_};
};

TEST_F(FsDiskTest, WritesSyncsReadsListsAndRemoves) {
  FsDisk disk(root_, offload_);
  ASSERT_TRUE(run(disk.write_file("a/b/file", "contents")).ok());
  ASSERT_TRUE(run(disk.sync_file("a/b/file")).ok());
  EXPECT_EQ(*run(disk.read_file("a/b/file")), "contents");
  ASSERT_TRUE(run(disk.write_file("a/b/other", "x")).ok());
  EXPECT_EQ(*run(disk.list_files("a/b")), (std::vector<std::string>{"file", "other"}));
  ASSERT_TRUE(run(disk.remove_file("a/b/file")).ok());
  EXPECT_EQ(run(disk.read_file("a/b/file")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_GT(*disk.free_bytes(), 0u);
}

// Two PUTs of identical content write one block file at once: both must succeed (they once
// shared a temporary file, and the second rename failed).
TEST_F(FsDiskTest, ConcurrentWritesOfOnePathAllSucceed) {
  PoolOffload pool{io_, 4};
  FsDisk disk(root_, pool);
  std::vector<Task<absl::Status>> writes;
  for (int i = 0; i < 16; ++i) writes.push_back(disk.write_file("ab/cd/same", std::string(1 << 16, 'x')));
  std::vector<absl::Status> results = run(when_all(std::move(writes)));
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(run(disk.read_file("ab/cd/same"))->size(), size_t{1 << 16});
  // No temporary file is left behind (read the directory itself: list_files hides them).
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(root_ + "/ab/cd")) names.push_back(e.path().filename());
  EXPECT_EQ(names, (std::vector<std::string>{"same"}));
}

TEST_F(FsDiskTest, ListingRemovesTemporaryFilesLeftByAnEarlierProcess) {
  FsDisk disk(root_, offload_);
  ASSERT_TRUE(run(disk.write_file("d/kept", "x")).ok());
  const std::string leftover = root_ + "/d/kept.tmp.0123456789abcdef.7";
  ASSERT_EQ(std::system(("echo half > " + leftover).c_str()), 0);
  EXPECT_EQ(*run(disk.list_files("d")), (std::vector<std::string>{"kept"}));
  EXPECT_NE(::access(leftover.c_str(), F_OK), 0) << "the leftover is deleted";
}

TEST_F(FsDiskTest, RefusesPathsThatEscapeTheRoot) {
  FsDisk disk(root_, offload_);
  EXPECT_EQ(run(disk.write_file("../escape", "x")).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run(disk.read_file("/etc/passwd")).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace garage
