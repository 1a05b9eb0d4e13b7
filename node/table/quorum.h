// quorum_call: send one request to every node of some replica sets, return once each set has
// `need` successes (or once some set can no longer reach that), and let the remaining calls run
// on in the background. When every call has ended (each is bounded by its RPC timeout),
// `on_all_done` sees all the results: read repair uses it to fix replicas that answered late.
//
// With one layout version there is one set; while two versions coexist, a quorum is needed in
// each (DESIGN.md, "Layout").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/node_id.h"
#include "node/runtime/oneshot.h"
#include "node/runtime/spawner.h"

namespace garage {

using NodeResults = std::map<NodeId, absl::StatusOr<std::string>>;

struct QuorumResult {
  bool reached = false;
  NodeResults results;  // what had arrived when the quorum was decided
  std::string error;    // why it was not reached
};

namespace detail {
struct QuorumState {
  std::vector<std::vector<NodeId>> sets;
  int need = 0;
  NodeResults results;
  size_t outstanding = 0;
  bool decided = false;
  Oneshot<QuorumResult> outcome;
  std::function<void(const NodeResults&)> on_all_done;

  void record(const NodeId& node, absl::StatusOr<std::string> result) {
    results.emplace(node, std::move(result));
    --outstanding;
    if (!decided) decide();
    if (outstanding == 0 && on_all_done) on_all_done(results);
  }
  void decide() {
    bool all_reached = true;
    for (const auto& set : sets) {
      int ok = 0, failed = 0;
      for (const NodeId& n : set) {
        auto it = results.find(n);
        if (it == results.end()) continue;
        (it->second.ok() ? ok : failed)++;
      }
      if (failed > static_cast<int>(set.size()) - need) {
        std::string why = "quorum unreachable";
        for (const NodeId& n : set) {
          auto it = results.find(n);
          if (it != results.end() && !it->second.ok()) {
            why += "; " + n.short_hex() + ": " + std::string(it->second.status().message());
          }
        }
        finish(QuorumResult{false, results, why});
        return;
      }
      if (ok < need) all_reached = false;
    }
    if (all_reached) finish(QuorumResult{true, results, ""});
  }
  void finish(QuorumResult r) {
    decided = true;
    outcome.set(std::move(r));
  }
};
}  // namespace detail

using NodeCall = std::function<Task<absl::StatusOr<std::string>>(NodeId)>;

inline Task<QuorumResult> quorum_call(Spawner& spawner, std::vector<std::vector<NodeId>> sets, int need, NodeCall call,
                                      std::function<void(const NodeResults&)> on_all_done = nullptr) {
  auto state = std::make_shared<detail::QuorumState>();
  state->sets = std::move(sets);
  state->need = need;
  state->on_all_done = std::move(on_all_done);
  std::set<NodeId> targets;
  for (const auto& set : state->sets) {
    if (static_cast<int>(set.size()) < need) {
      co_return QuorumResult{false, {}, "a replica set is smaller than the quorum"};
    }
    targets.insert(set.begin(), set.end());
  }
  if (targets.empty()) co_return QuorumResult{false, {}, "no replicas (no layout yet?)"};
  state->outstanding = targets.size();
  for (const NodeId& node : targets) {
    spawner.spawn([](std::shared_ptr<detail::QuorumState> st, NodeCall c, NodeId n) -> Task<> {
      absl::StatusOr<std::string> r = co_await c(n);
      st->record(n, std::move(r));
    }(state, call, node));
  }
  std::optional<QuorumResult> r = co_await state->outcome.wait();
  if (!r.has_value()) co_return QuorumResult{false, {}, "cancelled"};
  co_return std::move(*r);
}

}  // namespace garage
