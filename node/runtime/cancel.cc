#include "node/runtime/cancel.h"

#include <cassert>
#include <utility>

namespace garage {

CancelScope::CancelScope(Executor& executor) : executor_(&executor) {}

CancelScope::CancelScope(CancelScope* parent) : executor_(&parent->executor()), parent_(parent) {
  if (parent_->cancelled()) {
    cancelled_ = true;
  } else {
    parent_registration_ = parent_->on_cancel([this] { cancel(); });
  }
}

CancelScope::~CancelScope() {
  if (parent_ != nullptr && parent_registration_ != 0) parent_->remove(parent_registration_);
}

void CancelScope::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  // Take callbacks one at a time: a callback may remove others.
  while (!callbacks_.empty()) {
    auto node = callbacks_.extract(callbacks_.begin());
    node.mapped()();
  }
}

CancelScope::CallbackId CancelScope::on_cancel(std::function<void()> fn) {
  assert(!cancelled_);
  CallbackId id = next_id_++;
  callbacks_.emplace(id, std::move(fn));
  return id;
}

void CancelScope::remove(CallbackId id) { callbacks_.erase(id); }

}  // namespace garage
