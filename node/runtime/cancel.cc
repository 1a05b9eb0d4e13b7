#include "node/runtime/cancel.h"

#include <cassert>
#include <utility>

namespace garage {

void CancelRegistration::reset() {
  if (id_ == 0) return;
  if (auto registry = registry_.lock()) registry->callbacks.erase(id_);
  id_ = 0;
  registry_.reset();
}

CancelScope::CancelScope(Executor& executor) : executor_(&executor) {}

CancelScope::CancelScope(CancelScope* parent) : executor_(&parent->executor()) {
  if (parent->cancelled()) {
    registry_->cancelled = true;
  } else {
    parent_registration_ = parent->on_cancel([this] { cancel(); });
  }
}

void CancelScope::cancel() {
  if (registry_->cancelled) return;
  registry_->cancelled = true;
  // Keep the registry alive while its callbacks run, and take them one at a time: a callback
  // may remove others.
  std::shared_ptr<detail::CancelRegistry> registry = registry_;
  while (!registry->callbacks.empty()) {
    auto node = registry->callbacks.extract(registry->callbacks.begin());
    node.mapped()();
  }
}

CancelRegistration CancelScope::on_cancel(std::function<void()> fn) {
  assert(!registry_->cancelled);
  const uint64_t id = registry_->next_id++;
  registry_->callbacks.emplace(id, std::move(fn));
  return CancelRegistration(registry_, id);
}

}  // namespace garage
