#include "s3/object_reader.h"

#include "absl/strings/str_cat.h"
#include "node/chaos.h"
#include "s3/errors.h"

namespace garage::s3 {

ObjectReader::ObjectReader(const ReaderServices& services, std::string uuid, std::string first_block, uint64_t start,
                           uint64_t end)
    : env_(services.env),
      spawner_(services.spawner),
      model_(services.model),
      blocks_(services.blocks),
      budget_(services.budget),
      uuid_(std::move(uuid)),
      first_block_(std::move(first_block)),
      pos_(start),
      end_(end) {}

Task<absl::Status> ObjectReader::load_blocks() {
  absl::StatusOr<std::optional<VersionEntry>> v = co_await model_.get_version(uuid_);
  if (!v.ok()) co_return v.status();
  if (!v->has_value() || (*v)->deleted)
    co_return absl::AbortedError("the version's block list is gone (overwritten or deleted)");
  uint64_t offset = 0;
  for (const auto& [slot, b] : (*v)->blocks) {  // ordered by (part, offset in part)
    list_.push_back(Located{b.hash, offset, b.size});
    offset += b.size;
  }
  if (offset < end_) co_return absl::DataLossError("the object's block list is shorter than its size");
  loaded_ = true;
  co_return absl::OkStatus();
}

void ObjectReader::prefetch(size_t index, std::string hash, ByteBudget::Grant grant) {
  Oneshot<absl::StatusOr<std::string>> slot;
  prefetched_.emplace(Prefetch{index, slot, std::move(grant)});
  spawner_.spawn([](BlockManager& blocks, std::string hash, Oneshot<absl::StatusOr<std::string>> out) -> Task<> {
    absl::StatusOr<std::string> data = co_await blocks.get(std::move(hash));
    out.set(std::move(data));
  }(blocks_, std::move(hash), slot));
}

Task<absl::Status> ObjectReader::read_block_list() {
  if (loaded_ || pos_ >= end_) co_return absl::OkStatus();
  // Fast start: the first block is fetched while the list is read, if the budget has room now
  // (its size is not known yet: the largest a block may be, or the object if smaller).
  if (pos_ == 0 && !first_block_.empty() && !copy_mode_) {
    if (std::optional<ByteBudget::Grant> g =
            budget_.try_acquire(std::min<uint64_t>(end_, blocks_.options().block_size))) {
      prefetch(0, first_block_, std::move(*g));
    }
  }
  absl::Status s = co_await load_blocks();
  if (!s.ok()) co_return s;
  while (next_index_ < list_.size() && list_[next_index_].offset + list_[next_index_].size <= pos_) ++next_index_;
  // The entry's first block is the list's; if not (a corrupt entry), the list decides.
  if (prefetched_ && (list_.empty() || list_[0].hash != first_block_ || prefetched_->index != next_index_)) {
    prefetched_.reset();
  }
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::optional<std::string>>> ObjectReader::next() {
  current_.release();  // the caller is done with the previous piece
  if (pos_ >= end_) co_return std::optional<std::string>();
  if (!loaded_) {
    absl::Status s = co_await read_block_list();
    if (!s.ok()) co_return s;
  }
  if (next_index_ >= list_.size()) co_return absl::DataLossError("read past the object's blocks");
  const Located& b = list_[next_index_];
  absl::StatusOr<std::string> data;
  if (prefetched_ && prefetched_->index == next_index_) {
    Oneshot<absl::StatusOr<std::string>> slot = prefetched_->data;
    current_ = std::move(prefetched_->grant);
    prefetched_.reset();
    std::optional<absl::StatusOr<std::string>> got = co_await slot.wait();
    if (!got) co_return absl::CancelledError("read cancelled");
    data = std::move(*got);
  } else {
    prefetched_.reset();
    if (budget_.would_wait(b.size)) {
      probe(env_, "s3.read_waited_for_budget");
    }
    current_ = co_await budget_.acquire(b.size);
    data = co_await blocks_.get(b.hash);
  }
  if (!data.ok()) co_return data.status();
  if (data->size() != b.size) co_return absl::DataLossError("a block's size differs from the block list");
  if (copy_mode_) {
    current_.release();
  } else if (const size_t n = next_index_ + 1; n < list_.size() && list_[n].offset < end_) {
    if (std::optional<ByteBudget::Grant> g = budget_.try_acquire(list_[n].size))
      prefetch(n, list_[n].hash, std::move(*g));
  }
  const uint64_t from = pos_ - b.offset;
  const uint64_t to = std::min<uint64_t>(b.size, end_ - b.offset);
  pos_ = b.offset + to;
  ++next_index_;
  if (from == 0 && to == data->size()) co_return std::optional<std::string>(std::move(*data));  // no copy
  co_return std::optional<std::string>(data->substr(from, to - from));
}

}  // namespace garage::s3
