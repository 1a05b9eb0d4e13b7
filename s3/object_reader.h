// ObjectReader: streams a byte range of a stored object, one block at a time, fetching the
// next block while the current one is being sent. Memory: at most two blocks, both counted in
// the node's read budget (a ByteBudget shared by every reader): a block is fetched only once
// the budget grants its size, and the piece next() returned counts until next() is called
// again or the reader is destroyed (the caller has sent it by then). The next block is read
// ahead only if the budget has room at once; a reader that must wait holds nothing, so
// readers never deadlock on the budget, and a node with many slow clients serves them in turn
// instead of holding a block for each.
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
#include "node/runtime/byte_budget.h"
#include "node/runtime/oneshot.h"
#include "s3/http.h"

namespace garage::s3 {

// What a reader works with: the node's services (S3Api holds them all).
struct ReaderServices {
  Env env;
  Spawner& spawner;
  Model& model;
  BlockManager& blocks;
  ByteBudget& budget;  // node-wide, for the blocks readers hold
};

class ObjectReader final : public BodyStream {
 public:
  // Streams [start, end) of the version `uuid` (whose first block is `first_block`, may be empty).
  ObjectReader(const ReaderServices& services, std::string uuid, std::string first_block, uint64_t start, uint64_t end);
  // Before the headers: Aborted if the version's block list is already gone (the key was
  // overwritten or deleted since its entry was read: the caller reads the entry again).
  Task<absl::Status> read_block_list();
  Task<absl::StatusOr<std::optional<std::string>>> next() override;
  // For a caller that stores each piece into blocks counted in the write budget (UploadPartCopy):
  // no read-ahead, and a piece stops counting in the read budget as soon as next() returns it.
  // Such a reader then never holds read budget while its caller waits for write budget, so the
  // two budgets cannot deadlock each other. Call before the first read.
  void count_pieces_only_while_fetched() { copy_mode_ = true; }

 private:
  struct Located {
    std::string hash;
    uint64_t offset;  // of the block's first byte in the object
    uint32_t size;
  };
  Task<absl::Status> load_blocks();
  void prefetch(size_t index, std::string hash, ByteBudget::Grant grant);
  struct Prefetch {
    size_t index;
    Oneshot<absl::StatusOr<std::string>> data;
    ByteBudget::Grant grant;
  };

  Env env_;
  Spawner& spawner_;
  Model& model_;
  BlockManager& blocks_;
  ByteBudget& budget_;
  std::string uuid_;
  std::string first_block_;
  uint64_t pos_;
  uint64_t end_;
  bool loaded_ = false;
  std::vector<Located> list_;
  size_t next_index_ = 0;
  std::optional<Prefetch> prefetched_;
  ByteBudget::Grant current_;  // the piece next() last returned
  bool copy_mode_ = false;     // see count_pieces_only_while_fetched()
};

}  // namespace garage::s3
