// ObjectReader: streams a byte range of a stored object, one block at a time, fetching the
// next block while the current one is being sent. Memory: at most two blocks.
//
// With the object entry's first block hash, a read from offset 0 starts before the block list
// (the version entry) has been read; the list is read while the first block is sent.
#pragma once

#include "absl/strings/string_view.h"
#include <memory>
#include <string>
#include <vector>

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
  Task<absl::StatusOr<std::optional<std::string>>> next() override;

 private:
  struct Located {
    std::string hash;
    uint64_t offset;  // of the block's first byte in the object
    uint32_t size;
  };
  Task<absl::Status> load_blocks();
  void prefetch(size_t index);

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
