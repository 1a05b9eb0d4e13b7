// GroupSync: many writers, one fsync (group commit).
//
// A writer that must not acknowledge before its write is durable writes without syncing, then
// awaits sync(). The first waiter schedules one Kv::sync() on the next turn of the node's loop;
// every writer that wrote before it runs is released by that one sync. Under concurrency this
// turns N fsyncs into one; alone, a writer pays one loop turn.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "node/env.h"
#include "node/runtime/oneshot.h"

namespace garage {

class GroupSync {
 public:
  GroupSync(Executor& executor, Kv& kv) : executor_(executor), kv_(kv) {}

  Task<absl::Status> sync() {
    // One Oneshot per waiter: a Oneshot wakes a single coroutine.
    Oneshot<absl::Status> mine;
    waiters_.push_back(mine);
    if (!scheduled_) {
      scheduled_ = true;
      // Runs on the node's loop; the executor drops it if the node is gone (simulated crash).
      executor_.post([this] {
        scheduled_ = false;
        std::vector<Oneshot<absl::Status>> released = std::exchange(waiters_, {});
        ++syncs_;
        const absl::Status s = kv_.sync();
        for (Oneshot<absl::Status>& w : released) w.set(s);
      });
    }
    std::optional<absl::Status> s = co_await mine.wait();
    if (!s.has_value()) co_return absl::CancelledError("write cancelled before it was synced");
    co_return *s;
  }
  uint64_t syncs() const { return syncs_; }

 private:
  Executor& executor_;
  Kv& kv_;
  bool scheduled_ = false;
  std::vector<Oneshot<absl::Status>> waiters_;
  uint64_t syncs_ = 0;
};

}  // namespace garage
