// ObjectReader: streams a byte range of a stored object, one block at a time, fetching the
// next block while the current one is being sent. Memory: at most two blocks.
//
// read_block_list() reads the block list (the version entry) before the response's headers go out, so a
// GET whose headers were sent returns the whole version it started on even if the key is
// overwritten or deleted meanwhile: the list is in hand, and its blocks stay for gc_delay
// after their last reference goes. With the object entry's first block hash, a read from offset
// 0 fetches that block while the list is being read.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "node/block/block_manager.h"
#include "node/model/model.h"
#include "node/runtime/oneshot.h"
#include "s3/http.h"

namespace garage::s3 {

class ObjectReader final : public BodyStream {
 public:
  // Streams [start, end) of the version `uuid` (whose first block is `first_block`, may be empty).
  ObjectReader(Spawner& spawner, Model& model, BlockManager& blocks, std::string uuid, std::string first_block,
               uint64_t start, uint64_t end);
  // Before the headers: Aborted if the version's block list is already gone (the key was
  // overwritten or deleted since its entry was read: the caller reads the entry again).
  Task<absl::Status> read_block_list();
  Task<absl::StatusOr<std::optional<std::string>>> next() override;

 private:
  struct Located {
    std::string hash;
    uint64_t offset;  // of the block's first byte in the object
    uint32_t size;
  };
  Task<absl::Status> load_blocks();
  void prefetch(size_t index, std::string hash);

  Spawner& spawner_;
  Model& model_;
  BlockManager& blocks_;
  std::string uuid_;
  std::string first_block_;
  uint64_t pos_;
  uint64_t end_;
  bool loaded_ = false;
  std::vector<Located> list_;
  size_t next_index_ = 0;
  std::optional<std::pair<size_t, Oneshot<absl::StatusOr<std::string>>>> prefetched_;
};

}  // namespace garage::s3
