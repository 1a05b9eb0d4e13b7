#include "node/assembly/cli_layout.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "net/cli_client.h"
#include "node/assembly/cli_format.h"
#include "node/layout/layout_manager.h"
#include "node/membership_messages.h"
#include "node/size.h"

namespace garage {
namespace {

absl::StatusOr<ClusterLayout> layout_admin(const TlsFiles& files, const std::string& address,
                                           const LayoutAdminRequest& request) {
  absl::StatusOr<std::string> reply = call_node(files, address, RpcMethod::kLayoutAdmin, request.encode());
  if (!reply.ok()) return reply.status();
  return ClusterLayout::decode(*reply);
}

// The nodes the cluster knows (up or down) and those the layout names.
absl::StatusOr<std::set<NodeId>> known_nodes(const TlsFiles& files, const std::string& address,
                                             const ClusterLayout& layout) {
  absl::StatusOr<std::string> reply = call_node(files, address, RpcMethod::kClusterStatus, "", kCliStatusTimeout);
  if (!reply.ok()) return reply.status();
  absl::StatusOr<ClusterStatusReply> status = ClusterStatusReply::decode(*reply);
  if (!status.ok()) return status.status();
  std::set<NodeId> known{status->self.id};
  for (const PeerView& p : status->peers) known.insert(p.status.id);
  for (const auto& [id, role] : layout.staged_roles()) known.insert(id);
  return known;
}

// `garage layout assign`: the node's staged role with only the given fields changed.
absl::StatusOr<NodeRole> assigned_role(const LayoutArgs& args, const ClusterLayout& layout, const NodeId& node) {
  const std::map<NodeId, NodeRole> roles = layout.staged_roles();
  auto current = roles.find(node);
  NodeRole role = current != roles.end() ? current->second : NodeRole{};
  if (!args.zone.empty()) role.zone = args.zone;
  if (role.zone.empty()) return absl::InvalidArgumentError("a new node needs a zone: -z ZONE");
  if (args.gateway) {
    role.capacity_bytes.reset();
  } else if (!args.capacity.empty()) {
    absl::StatusOr<uint64_t> capacity = parse_size(args.capacity);
    if (!capacity.ok()) return capacity.status();
    role.capacity_bytes = *capacity;
  } else if (current == roles.end()) {
    return absl::InvalidArgumentError("a new node needs a capacity (-c 1T) or --gateway");
  }
  if (!args.tags.empty()) role.tags = args.tags;
  return role;
}

}  // namespace

absl::StatusOr<NodeId> resolve_node_prefix(const std::string& prefix, const std::set<NodeId>& known) {
  std::vector<NodeId> matches;
  for (const NodeId& id : known) {
    if (!prefix.empty() && id.hex().rfind(absl::AsciiStrToLower(prefix), 0) == 0) matches.push_back(id);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) return absl::NotFoundError(absl::StrCat("no known node id starts with '", prefix, "'"));
  return absl::InvalidArgumentError(
      absl::StrCat("'", prefix, "' matches ", matches.size(), " nodes; give more digits"));
}

absl::StatusOr<std::string> run_layout_command(CliCommand::LayoutOp op, const LayoutArgs& args, const TlsFiles& files,
                                               const std::string& address, int replication_factor) {
  using LayoutOp = CliCommand::LayoutOp;
  absl::StatusOr<ClusterLayout> layout = layout_admin(files, address, LayoutAdminRequest{});
  if (!layout.ok()) return layout.status();
  LayoutAdminRequest req;
  if (op == LayoutOp::kAssign || op == LayoutOp::kRemove) {
    absl::StatusOr<std::set<NodeId>> known = known_nodes(files, address, *layout);
    if (!known.ok()) return known.status();
    absl::StatusOr<NodeId> node = resolve_node_prefix(args.node, *known);
    if (!node.ok()) return node.status();
    req.node = *node;
    req.op = op == LayoutOp::kAssign ? LayoutAdminRequest::Op::kAssign : LayoutAdminRequest::Op::kRemove;
    if (op == LayoutOp::kAssign) {
      absl::StatusOr<NodeRole> role = assigned_role(args, *layout, *node);
      if (!role.ok()) return role.status();
      req.role = *role;
    }
  } else if (op == LayoutOp::kApply) {
    req.op = LayoutAdminRequest::Op::kApply;
    req.version = args.version;
  } else if (op == LayoutOp::kRevert) {
    req.op = LayoutAdminRequest::Op::kRevert;
  }
  if (op != LayoutOp::kShow) {
    layout = layout_admin(files, address, req);
    if (!layout.ok()) return layout.status();
  }
  std::string out;
  if (op == LayoutOp::kApply) {
    out = absl::StrFormat("Layout version %d applied; it spreads to every node by gossip.\n\n",
                          layout->current_version());
  }
  return out + format_layout(*layout, replication_factor);
}

}  // namespace garage
