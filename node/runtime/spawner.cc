#include "node/runtime/spawner.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace garage {
namespace {

// A self-owned coroutine that awaits one task and tells the spawner when it is done.
struct Root {
  struct promise_type : PromiseBase {
    Spawner* owner = nullptr;
    uint64_t id = 0;
    Root get_return_object() { return Root{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept {
      struct Final {
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          h.promise().owner->on_root_finished(h.promise().id);  // destroys h
        }
        void await_resume() const noexcept {}
      };
      return Final{};
    }
    void return_void() {}
    void unhandled_exception() {
      try {
        std::rethrow_exception(std::current_exception());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "fatal: exception escaped a spawned task: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "fatal: unknown exception escaped a spawned task\n");
      }
      std::abort();
    }
  };
  std::coroutine_handle<promise_type> handle;
};

Root run_root(Task<> task) { co_await std::move(task); }

}  // namespace

Spawner::Spawner(Executor& executor) : scope_(executor) {}

Spawner::~Spawner() { destroy_all(); }

void Spawner::destroy_all() {
  // Destroy outstanding frames (and, through their locals, every task they await).
  while (!roots_.empty()) {
    auto node = roots_.extract(roots_.begin());
    node.mapped().destroy();
  }
}

void Spawner::spawn(Task<> task) {
  Root root = run_root(std::move(task));
  uint64_t id = next_id_++;
  root.handle.promise().owner = this;
  root.handle.promise().id = id;
  root.handle.promise().scope = &scope_;
  roots_.emplace(id, root.handle);
  root.handle.resume();
}

void Spawner::on_root_finished(uint64_t id) {
  auto it = roots_.find(id);
  if (it == roots_.end()) return;
  std::coroutine_handle<> h = it->second;
  roots_.erase(it);
  h.destroy();
}

}  // namespace garage
