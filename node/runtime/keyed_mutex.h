// KeyedMutex: one async lock per key, for coroutines on one thread.
//
// lock(key) returns a Guard once no other holder of `key` remains; waiters get the lock in
// arrival order, handed over directly on release (no barging). Keys nobody holds cost nothing.
// Waits are not cancellable: a handed-over lock is never lost on the way. The block manager
// serialises a block's write and deletion with it. A Guard may outlive its mutex (a crash
// destroys services before the coroutine frames that hold guards): it then releases nothing.
//
//   KeyedMutex::Guard g = co_await locks.lock(hash);
//   ... re-check state, act ...
//   // released when g goes out of scope
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "node/runtime/oneshot.h"
#include "node/runtime/task.h"

namespace garage {

class KeyedMutex {
 public:
  class Guard {
   public:
    Guard() = default;
    Guard(KeyedMutex* owner, std::string key) : owner_(owner), alive_(owner->alive_), key_(std::move(key)) {}
    Guard(Guard&& o) noexcept
        : owner_(std::exchange(o.owner_, nullptr)), alive_(std::move(o.alive_)), key_(std::move(o.key_)) {}
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        release();
        owner_ = std::exchange(o.owner_, nullptr);
        alive_ = std::move(o.alive_);
        key_ = std::move(o.key_);
      }
      return *this;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { release(); }

   private:
    void release() {
      KeyedMutex* owner = std::exchange(owner_, nullptr);
      if (owner != nullptr && alive_ && *alive_) owner->unlock(key_);
    }
    KeyedMutex* owner_ = nullptr;
    std::shared_ptr<const bool> alive_;  // false once the mutex is gone
    std::string key_;
  };

  Task<Guard> lock(std::string key) {
    auto it = held_.find(key);
    if (it == held_.end()) {
      held_.emplace(key, std::deque<Oneshot<bool>>{});
      co_return Guard(this, std::move(key));
    }
    Oneshot<bool> turn;
    it->second.push_back(turn);
    (void)co_await turn.wait_uncancellable();
    co_return Guard(this, std::move(key));
  }

  KeyedMutex() = default;
  KeyedMutex(const KeyedMutex&) = delete;
  KeyedMutex& operator=(const KeyedMutex&) = delete;
  ~KeyedMutex() { *alive_ = false; }

  bool is_locked(const std::string& key) const { return held_.contains(key); }
  size_t held() const { return held_.size(); }

 private:
  void unlock(const std::string& key) {
    auto it = held_.find(key);
    if (it == held_.end()) return;
    if (it->second.empty()) {
      held_.erase(it);
      return;
    }
    Oneshot<bool> next = it->second.front();
    it->second.pop_front();
    next.set(true);  // ownership passes to the next waiter; the key stays held
  }

  std::map<std::string, std::deque<Oneshot<bool>>> held_;  // held keys -> waiters in order
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace garage
