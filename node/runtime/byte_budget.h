// ByteBudget: a node-wide allowance of bytes (memory for response pieces), shared by coroutines
// on one thread, handed out by backpressure rather than by evicting after the fact.
//
// acquire(n) returns a Grant once n bytes are free; waiters are served in arrival order and the
// bytes are handed over directly on release (a small ask does not overtake a big one, so none
// starves). try_acquire(n) takes them only if free and nobody is waiting. An ask larger than the
// whole budget is clamped to it, so it is granted once everything else is released. A Grant
// gives its bytes back when destroyed, and may outlive its budget (then it gives back nothing).
//
//   ByteBudget::Grant piece = co_await budget.acquire(block_size);
//   ... hold the piece in memory, write it ...
//   // released when `piece` goes out of scope
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "node/runtime/oneshot.h"
#include "node/runtime/task.h"

namespace garage {

class ByteBudget {
 public:
  class Grant {
   public:
    Grant() = default;
    Grant(Grant&& o) noexcept
        : owner_(std::exchange(o.owner_, nullptr)), alive_(std::move(o.alive_)), bytes_(std::exchange(o.bytes_, 0)) {}
    Grant& operator=(Grant&& o) noexcept {
      if (this != &o) {
        release();
        owner_ = std::exchange(o.owner_, nullptr);
        alive_ = std::move(o.alive_);
        bytes_ = std::exchange(o.bytes_, 0);
      }
      return *this;
    }
    Grant(const Grant&) = delete;
    Grant& operator=(const Grant&) = delete;
    ~Grant() { release(); }

    uint64_t bytes() const { return bytes_; }
    explicit operator bool() const { return owner_ != nullptr; }
    void release() {
      ByteBudget* owner = std::exchange(owner_, nullptr);
      if (owner != nullptr && alive_ && *alive_) owner->give_back(bytes_);
      bytes_ = 0;
    }

   private:
    friend class ByteBudget;
    Grant(ByteBudget* owner, uint64_t bytes) : owner_(owner), alive_(owner->alive_), bytes_(bytes) {}
    ByteBudget* owner_ = nullptr;
    std::shared_ptr<const bool> alive_;  // false once the budget is gone
    uint64_t bytes_ = 0;
  };

  explicit ByteBudget(uint64_t capacity) : capacity_(std::max<uint64_t>(capacity, 1)) {}
  ByteBudget(const ByteBudget&) = delete;
  ByteBudget& operator=(const ByteBudget&) = delete;
  ~ByteBudget() { *alive_ = false; }

  Task<Grant> acquire(uint64_t bytes) {
    const bool wait = would_wait(bytes);
    bytes = std::min(bytes, capacity_);
    if (!wait) {
      in_use_ += bytes;
      co_return Grant(this, bytes);
    }
    Oneshot<bool> turn;
    waiters_.push_back(Waiter{bytes, turn});
    // Not cancellable: bytes handed over on the way must reach a Grant that will give them back.
    (void)co_await turn.wait_uncancellable();
    co_return Grant(this, bytes);
  }

  std::optional<Grant> try_acquire(uint64_t bytes) {
    if (would_wait(bytes)) return std::nullopt;
    bytes = std::min(bytes, capacity_);
    in_use_ += bytes;
    return Grant(this, bytes);
  }

  // Whether acquire(bytes) would wait now (for probes and statistics).
  bool would_wait(uint64_t bytes) const {
    return !waiters_.empty() || in_use_ + std::min(bytes, capacity_) > capacity_;
  }
  uint64_t capacity() const { return capacity_; }
  uint64_t in_use() const { return in_use_; }
  size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter {
    uint64_t bytes;
    Oneshot<bool> turn;
  };

  void give_back(uint64_t bytes) {
    in_use_ -= bytes;
    // In arrival order, while the first in line fits.
    while (!waiters_.empty() && in_use_ + waiters_.front().bytes <= capacity_) {
      in_use_ += waiters_.front().bytes;
      waiters_.front().turn.set(true);
      waiters_.pop_front();
    }
  }

  uint64_t capacity_;
  uint64_t in_use_ = 0;
  std::deque<Waiter> waiters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace garage
