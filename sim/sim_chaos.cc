#include "sim/sim_chaos.h"

namespace garage::sim {

bool SimChaos::buggify(std::string_view site) {
  auto it = sites_.find(std::string(site));
  if (it == sites_.end()) it = sites_.emplace(std::string(site), uniform(rng_, 4) == 0).first;
  return it->second && uniform(rng_, 4) == 0;
}

}  // namespace garage::sim
