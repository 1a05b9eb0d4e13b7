#include "node/table/follow_ups.h"

#include "absl/strings/str_cat.h"
#include "node/rng.h"
#include "node/runtime/combinators.h"

namespace garage {

namespace {
constexpr size_t kRoundLimit = 256;  // follow-ups read from one queue per round
}

FollowUpWorker::FollowUpWorker(Env env, Spawner& spawner, std::vector<Table*> tables, absl::Duration interval)
    : env_(env), spawner_(spawner), interval_(interval) {
  for (Table* t : tables) tables_[t->name()] = t;
}

void FollowUpWorker::start() { spawner_.spawn(loop()); }

absl::StatusOr<size_t> FollowUpWorker::pending() {
  size_t n = 0;
  for (auto& [name, table] : tables_) {
    absl::StatusOr<std::vector<QueuedFollowUp>> q = table->store().queued_follow_ups(SIZE_MAX);
    if (!q.ok()) return q.status();
    n += q->size();
  }
  return n;
}

Task<absl::StatusOr<size_t>> FollowUpWorker::deliver_from(Table& source) {
  absl::StatusOr<std::vector<QueuedFollowUp>> queued = source.store().queued_follow_ups(kRoundLimit);
  if (!queued.ok()) co_return queued.status();
  // Grouped by target table: one insert each.
  std::map<std::string, std::pair<std::vector<TableItem>, std::vector<std::string>>> by_target;
  std::vector<std::string> unusable;
  for (QueuedFollowUp& q : *queued) {
    if (!q.follow_up || !tables_.contains(q.follow_up->table)) {
      env_.tracer->event(Severity::kError, "FollowUpDropped",
                         absl::StrCat(source.name(), ": a queued follow-up ",
                                      q.follow_up ? absl::StrCat("names an unknown table '", q.follow_up->table, "'")
                                                  : std::string("does not decode")));
      unusable.push_back(std::move(q.id));
      continue;
    }
    auto& [items, ids] = by_target[q.follow_up->table];
    items.push_back(TableItem{std::move(q.follow_up->tree_key), std::move(q.follow_up->entry)});
    ids.push_back(std::move(q.id));
  }
  if (absl::Status s = source.store().remove_follow_ups(unusable); !s.ok()) co_return s;
  size_t delivered = 0;
  absl::Status first_error;
  for (auto& [target, batch] : by_target) {
    absl::Status s = co_await tables_.at(target)->insert(std::move(batch.first));
    if (!s.ok()) {
      if (first_error.ok()) first_error = s;
      continue;
    }
    if (absl::Status r = source.store().remove_follow_ups(batch.second); !r.ok()) co_return r;
    delivered += batch.second.size();
  }
  if (!first_error.ok() && delivered == 0) co_return first_error;
  co_return delivered;
}

Task<absl::StatusOr<size_t>> FollowUpWorker::deliver_once() {
  size_t delivered = 0;
  absl::Status first_error;
  for (auto& [name, table] : tables_) {
    absl::StatusOr<size_t> n = co_await deliver_from(*table);
    if (n.ok()) {
      delivered += *n;
    } else if (first_error.ok()) {
      first_error = n.status();
    }
  }
  if (!first_error.ok() && delivered == 0) co_return first_error;
  co_return delivered;
}

Task<> FollowUpWorker::loop() {
  while (true) {
    absl::StatusOr<size_t> n = co_await deliver_once();
    // Back to back while work flows; otherwise wait (also after a failure: the targets'
    // replicas may be unreachable for a while).
    if (n.ok() && *n > 0) continue;
    absl::Status slept = co_await sleep_for(*env_.clock, uniform_duration(*env_.rng, interval_ * 0.5, interval_));
    if (!slept.ok()) co_return;
  }
}

}  // namespace garage
