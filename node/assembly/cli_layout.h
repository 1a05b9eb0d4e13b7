// `garage layout show|assign|remove|apply|revert`: reads the layout from a node, builds the
// change the command line asks for (a node named by an id prefix, only the given fields
// changed), sends it, and returns what to print.
#pragma once

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "net/tls_transport.h"
#include "node/assembly/cli_command.h"

namespace garage {

absl::StatusOr<std::string> run_layout_command(CliCommand::LayoutOp op, const LayoutArgs& args, const TlsFiles& files,
                                               const std::string& address, int replication_factor);

// The one node whose id starts with `prefix` (any case), among `known`.
absl::StatusOr<NodeId> resolve_node_prefix(const std::string& prefix, const std::set<NodeId>& known);

}  // namespace garage
