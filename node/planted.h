// Planted bugs: deliberately wrong behaviour that the simulator turns on to show its checkers
// can fail (`garage-sim --plant-bug NAME`).
//
// The code paths exist only in the simulator's build of the files that hold them
// (membership.cc, layout_manager.cc, table.cc, table_store.cc, block_manager.cc and what
// depends on them are compiled a second time with GARAGE_PLANTED_BUGS for garage_sim). In the `garage` binary
// kPlantedBugs is false, every `if (planted(...))` is a constant false, and the compiler drops the bug. No config key
// reaches the options either way.
#pragma once

namespace garage {

#ifdef GARAGE_PLANTED_BUGS
inline constexpr bool kPlantedBugs = true;
#else
inline constexpr bool kPlantedBugs = false;
#endif

// `if (planted(options.some_bug))`: the option, or false where bugs are compiled out.
constexpr bool planted(bool option) { return kPlantedBugs && option; }

}  // namespace garage
