// FollowUpWorker: delivers the follow-ups tables queued (schema.h) to the tables they name.
//
// Every round it reads each table's queue, inserts the follow-ups into their target tables
// (quorum writes, like any client write), and removes from the queue those that were written.
// What fails stays queued and is tried again next round, so a follow-up is delivered once the
// target's replicas are reachable, even across restarts. Rounds run every `interval` while
// queues are empty, back to back while they are not.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "node/env.h"
#include "node/runtime/spawner.h"
#include "node/table/table.h"

namespace garage {

class FollowUpWorker {
 public:
  FollowUpWorker(Env env, Spawner& spawner, std::vector<Table*> tables, absl::Duration interval = absl::Seconds(1));

  void start();
  // One round over every table; returns how many follow-ups were delivered (tests).
  Task<absl::StatusOr<size_t>> deliver_once();
  // Follow-ups waiting in every table's queue (tests and simulation checks).
  absl::StatusOr<size_t> pending();

 private:
  Task<absl::StatusOr<size_t>> deliver_from(Table& source);
  Task<> loop();

  Env env_;
  Spawner& spawner_;
  std::map<std::string, Table*> tables_;
  absl::Duration interval_;
};

}  // namespace garage
