#include "sim/sim_ports.h"

#include "absl/strings/str_cat.h"
#include "node/rng.h"
#include "node/runtime/combinators.h"

namespace garage::sim {

Task<> SimOffload::run(std::function<void()> work) {
  // Uncancellable in effect: the work runs whether or not the sleep was cancelled, because the
  // caller's frame (which `work` refers to) waits for it either way.
  (void)co_await sleep_for(clock_, uniform_duration(rng_, absl::Microseconds(5), absl::Microseconds(50)));
  work();
}

void SimTracer::event(Severity severity, std::string_view type, std::string_view detail) {
  if (severity == Severity::kDebug) return;
  if (severity == Severity::kError) ++errors_;
  loop_.trace().record(absl::StrCat(absl::ToInt64Microseconds(loop_.now()), " n", node_, " ", std::string(type), " ",
                                    std::string(detail)));
}

}  // namespace garage::sim
