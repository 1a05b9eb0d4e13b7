#include "node/assembly/cli_format.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "node/size.h"

namespace garage {
namespace {

std::string format_roles(const std::map<NodeId, NodeRole>& roles, const Assignment* assignment) {
  constexpr absl::string_view kFormat = "  %-17s %-10s %-10s %-10s %s\n";
  std::string out = absl::StrFormat(kFormat, "ID", "ZONE", "CAPACITY", "PARTITIONS", "TAGS");
  for (const auto& [id, role] : roles) {
    const std::string capacity = role.capacity_bytes ? format_size(*role.capacity_bytes) : "gateway";
    const std::string parts = assignment ? std::to_string(assignment->partitions_on(id)) : "-";
    absl::StrAppendFormat(&out, kFormat, id.short_hex(), role.zone, capacity, parts, absl::StrJoin(role.tags, ","));
  }
  return out;
}

}  // namespace

std::string format_status(const ClusterStatusReply& status) {
  constexpr absl::string_view kFormat = "%-17s %-22s %-8s %-18s %-6s %s\n";
  auto zone = [](const std::string& z) { return z.empty() ? std::string("-") : z; };
  std::string out = absl::StrFormat(kFormat, "ID", "ADDRESS", "ZONE", "VERSION", "STATUS", "LAST SEEN");
  absl::StrAppendFormat(&out, kFormat, status.self.id.short_hex(), status.self.address, zone(status.self.zone),
                        status.self.version, "up", "(this node)");
  for (const PeerView& p : status.peers) {
    const std::string seen =
        p.last_seen_ms_ago < 0 ? "never" : absl::StrFormat("%.1fs ago", p.last_seen_ms_ago / 1000.0);
    absl::StrAppendFormat(&out, kFormat, p.status.id.short_hex(), p.status.address, zone(p.status.zone),
                          p.status.version.empty() ? "?" : p.status.version, p.up ? "up" : "DOWN", seen);
  }
  return out;
}

std::string format_layout(const ClusterLayout& layout, int replication_factor) {
  std::string out;
  if (const LayoutVersion* v = layout.current()) {
    absl::StrAppendFormat(&out, "==== CURRENT CLUSTER LAYOUT (version %d) ====\n", v->version);
    out += format_roles(v->roles, &v->assignment);
    absl::StrAppendFormat(&out, "  replication factor %d, zone redundancy %d, usable capacity %s\n",
                          v->replication_factor, v->assignment.zone_redundancy,
                          format_size(v->assignment.usable_capacity_bytes()));
  } else {
    out += "==== NO LAYOUT APPLIED YET ====\n";
  }
  const std::vector<const LayoutVersion*> active = layout.active_versions();
  if (active.size() > 1) {
    const uint64_t current = layout.current_version();
    absl::StrAppendFormat(&out,
                          "\nTransition in progress: versions %d to %d are in use until every storage node has\n"
                          "synced version %d. Not yet synced:",
                          active.front()->version, current, current);
    for (const auto& [id, role] : layout.current()->roles) {
      auto it = layout.syncs().find(id);
      if (role.capacity_bytes && (it == layout.syncs().end() || it->second < current)) {
        absl::StrAppend(&out, " ", id.short_hex());
      }
    }
    out += "\n";
  }
  if (layout.staged().empty()) {
    out += "\nNo staged changes. Stage some with `garage layout assign`.\n";
    return out;
  }
  out += "\n==== STAGED CHANGES ====\n";
  for (const auto& [id, s] : layout.staged()) {
    if (s.role) {
      absl::StrAppendFormat(&out, "  %-17s zone %s, %s\n", id.short_hex(), s.role->zone,
                            s.role->capacity_bytes ? format_size(*s.role->capacity_bytes) : "gateway");
    } else {
      absl::StrAppendFormat(&out, "  %-17s remove\n", id.short_hex());
    }
  }
  absl::StatusOr<LayoutVersion> next = layout.preview(replication_factor);
  if (!next.ok()) {
    absl::StrAppend(&out, "\nThese changes cannot be applied: ", next.status().message(), "\n");
    return out;
  }
  absl::StrAppendFormat(&out, "\n==== NEW LAYOUT IF APPLIED (version %d) ====\n", next->version);
  out += format_roles(next->roles, &next->assignment);
  absl::StrAppendFormat(&out, "  usable capacity %s; %d of %d partition replicas move\n",
                        format_size(next->assignment.usable_capacity_bytes()), next->assignment.moved_replicas,
                        kPartitions * replication_factor);
  absl::StrAppendFormat(&out, "\nTo apply: garage layout apply --version %d   (or drop them: garage layout revert)\n",
                        next->version);
  return out;
}

}  // namespace garage
