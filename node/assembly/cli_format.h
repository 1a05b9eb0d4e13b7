// What the CLI prints: tables of nodes and layouts, as text. Pure functions of typed replies
// (no I/O), so the output can be tested.
//   std::fputs(format_status(reply).c_str(), stdout);
#pragma once

#include <string>

#include "node/layout/cluster_layout.h"
#include "node/membership_messages.h"
#include "node/model/admin.h"

namespace garage {

// `garage status`: one line per node, this node first.
std::string format_status(const ClusterStatusReply& status);

// `garage layout show` and after each layout command: the current version, a transition in
// progress, the staged changes and the layout they would give.
std::string format_layout(const ClusterLayout& layout, int replication_factor);

// `garage key ...` and `garage bucket ...`: what `request` did, from the node's typed reply.
std::string format_admin_reply(const AdminRequest& request, const AdminReply& reply);

}  // namespace garage
