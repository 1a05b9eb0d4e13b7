// GroupSync: many writers, one fsync (group commit).
//
// A writer that must not acknowledge before its write is durable writes without syncing, then
// awaits sync(). The first waiter schedules one Kv::sync() on the next turn of the node's loop;
// every writer that wrote before it runs is released by that one sync. Under concurrency this
// turns N fsyncs into one; alone, a writer pays one loop turn.
#pragma once

#include <optional>

#include "node/env.h"
#include "node/runtime/oneshot.h"

namespace garage {

class GroupSync {
 public:
  GroupSync(Executor& executor, Kv& kv) : executor_(executor), kv_(kv) {}

  Task<absl::Status> sync() {
    if (!pending_) {
      pending_.emplace();
      Oneshot<absl::Status> done = *pending_;
      // Runs on the node's loop; the executor drops it if the node is gone (simulated crash).
      executor_.post([this, done]() mutable {
        pending_.reset();
        ++syncs_;
        done.set(kv_.sync());
      });
    }
    Oneshot<absl::Status> mine = *pending_;
    std::optional<absl::Status> s = co_await mine.wait();
    if (!s.has_value()) co_return absl::CancelledError("write cancelled before it was synced");
    co_return *s;
  }
  uint64_t syncs() const { return syncs_; }

 private:
  Executor& executor_;
  Kv& kv_;
  std::optional<Oneshot<absl::Status>> pending_;
  uint64_t syncs_ = 0;
};

}  // namespace garage
