// The `garage` command line, parsed into a CliCommand (CLI11 does the parsing).
//   CliCommand command;
//   if (std::optional<int> exit_code = parse_command_line(argc, argv, command)) return *exit_code;
#pragma once

#include <optional>

#include "node/assembly/cli_command.h"

namespace garage {

// Fills `command` and returns nullopt when there is a command to run. Returns the exit code
// when the process should end now: after --help (0), or on bad arguments (non-zero; CLI11 has
// printed what is wrong).
std::optional<int> parse_command_line(int argc, char** argv, CliCommand& command);

}  // namespace garage
