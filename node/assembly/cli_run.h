// Runs one parsed `garage` command: reads the configuration, then either runs the daemon
// (node/assembly/server.h) or asks a node over mutual TLS and prints its answer.
//   return run_cli(command);  // the process's exit code
#pragma once

#include "node/assembly/cli_command.h"

namespace garage {

// 0 on success; 1 on an error (printed on stderr); 2 when `debug kv-get` finds no such key.
int run_cli(const CliCommand& command);

}  // namespace garage
