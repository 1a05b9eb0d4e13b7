// The `garage` binary: argument dispatch. The composition root (the daemon's assembly over the
// real ports, and the CLI's commands) lives in node/assembly/; node/ itself never touches the OS.
//
//   garage server -c garage.toml     run a node
//   garage status -c garage.toml     list the nodes the local node knows, up or down
//   garage node id -c garage.toml    print this node's id@address (for bootstrap_peers)
//   garage layout show|assign|remove|apply|revert: the cluster layout
//   garage key create NAME, garage bucket create NAME, garage bucket allow ...: S3 keys and buckets
#include <optional>

#include "node/assembly/cli_parser.h"
#include "node/assembly/cli_run.h"

int main(int argc, char** argv) {
  garage::CliCommand command;
  if (std::optional<int> exit_code = garage::parse_command_line(argc, argv, command)) return *exit_code;
  return garage::run_cli(command);
}
