#include "sim/event_loop.h"

#include <cassert>

namespace garage::sim {

EventLoop::EventId EventLoop::at(absl::Duration when, std::function<void()> fn) {
  if (when < now_) when = now_;
  EventId id = next_id_++;
  queue_.emplace(Key{when, id}, std::move(fn));
  when_.emplace(id, when);
  return id;
}

void EventLoop::cancel(EventId id) {
  auto it = when_.find(id);
  if (it == when_.end()) return;
  queue_.erase(Key{it->second, id});
  when_.erase(it);
}

bool EventLoop::step() {
  if (queue_.empty()) return false;
  auto node = queue_.extract(queue_.begin());
  assert(node.key().first >= now_);
  now_ = node.key().first;
  when_.erase(node.key().second);
  ++events_run_;
  node.mapped()();
  return true;
}

void EventLoop::run_until(absl::Duration until) {
  while (!queue_.empty() && queue_.begin()->first.first <= until) step();
  if (until > now_) now_ = until;
}

}  // namespace garage::sim
