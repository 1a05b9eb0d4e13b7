#include "node/assembly/cli_format.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "node/size.h"
#include "s3/cors.h"
#include "s3/tagging.h"
#include "s3/website.h"

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

// `key create` and `key info` (with the secret), `key import` (without).
std::string describe_key(const KeyInfo& k, const std::map<std::string, std::string>& bucket_names) {
  std::string out = absl::StrCat("Key name: ", k.name, "\nKey ID: ", k.id, "\n");
  if (!k.secret.empty()) absl::StrAppend(&out, "Secret key: ", k.secret, "\n");
  absl::StrAppend(&out, "Can create buckets: ", k.allow_create_bucket ? "yes" : "no", "\n");
  auto bucket_name = [&](const std::string& id) {
    auto it = bucket_names.find(id);
    return it == bucket_names.end() ? id : it->second;
  };
  for (const auto& [alias, id] : k.local_aliases)
    absl::StrAppend(&out, "Local alias: ", alias, " -> ", bucket_name(id), "\n");
  absl::StrAppend(&out, "Buckets:\n");
  for (const auto& [id, p] : k.buckets) absl::StrAppendFormat(&out, "  %-4s %s\n", p.str(), bucket_name(id));
  return out;
}

// A bucket's documents in a few words each: whether it is a website and how, its CORS rules,
// its tags (a document the S3 layer stored always parses; "unreadable" if one ever did not).
std::string describe_documents(const BucketInfo& b) {
  std::string out = "Website: ";
  if (b.website.empty()) {
    absl::StrAppend(&out, "disabled\n");
  } else if (absl::StatusOr<s3::WebsiteConfig> w = s3::parse_website_configuration(b.website); !w.ok()) {
    absl::StrAppend(&out, "enabled (configuration unreadable)\n");
  } else if (w->redirect_all) {
    absl::StrAppend(&out, "enabled, every request redirected to ", w->redirect_all->host_name, "\n");
  } else {
    absl::StrAppend(&out, "enabled (index document ", w->index_suffix,
                    w->error_key.empty() ? "" : absl::StrCat(", error document ", w->error_key),
                    w->routing_rules.empty() ? "" : absl::StrCat(", ", w->routing_rules.size(), " routing rules"),
                    ")\n");
  }
  absl::StrAppend(&out, "CORS: ");
  if (b.cors.empty()) {
    absl::StrAppend(&out, "none\n");
  } else if (absl::StatusOr<s3::CorsRules> rules = s3::parse_cors_configuration(b.cors); !rules.ok()) {
    absl::StrAppend(&out, "(configuration unreadable)\n");
  } else {
    for (const s3::CorsRule& rule : *rules)
      absl::StrAppend(&out, "\n  ", absl::StrJoin(rule.allowed_methods, ","), " from ",
                      absl::StrJoin(rule.allowed_origins, " "));
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "Tags: ");
  absl::StatusOr<s3::TagSet> tags =
      b.tagging.empty() ? s3::TagSet{} : s3::parse_tagging_xml(b.tagging, s3::TagTarget::kBucket);
  if (!tags.ok()) return absl::StrCat(out, "(unreadable)\n");
  if (tags->empty()) return absl::StrCat(out, "none\n");
  for (const auto& [k, v] : *tags) absl::StrAppend(&out, k, "=", v, " ");
  out.back() = '\n';
  return out;
}

std::string anonymous_words(const AnonymousAccess& a) {
  if (a.read && a.list) return "anyone may read and list";
  if (a.read) return "anyone may read";
  if (a.list) return "anyone may list";
  return "none";
}
}  // namespace

std::string format_admin_reply(const AdminRequest& r, const AdminReply& reply) {
  using Op = AdminRequest::Op;
  auto arg = [&](size_t i) { return i < r.args.size() ? r.args[i] : std::string(); };
  const std::string key_id = reply.keys.empty() ? arg(0) : reply.keys[0].id;
  switch (r.op) {
    case Op::kKeyCreate:
    case Op::kKeyImport:
    case Op::kKeyInfo:
      return reply.keys.empty() ? "" : describe_key(reply.keys[0], reply.bucket_names);
    case Op::kKeyList: {
      std::string out = "ID                           Name\n";
      for (const KeyInfo& k : reply.keys) absl::StrAppendFormat(&out, "%-28s %s\n", k.id, k.name);
      return out;
    }
    case Op::kKeyAllow:
      return absl::StrCat("Key ", key_id, " may now create buckets.\n");
    case Op::kKeyDeny:
      return absl::StrCat("Key ", key_id, " may no longer create buckets.\n");
    case Op::kKeyDelete:
      return absl::StrCat("Key ", key_id, " deleted.\n");
    case Op::kBucketCreate:
      return reply.buckets.empty()
                 ? ""
                 : absl::StrCat("Bucket ", reply.buckets[0].name, " created (id ", reply.buckets[0].id, ").\n");
    case Op::kBucketList: {
      std::string out = "Name                             ID\n";
      for (const BucketInfo& b : reply.buckets) absl::StrAppendFormat(&out, "%-32s %s\n", b.name, b.id);
      return out;
    }
    case Op::kBucketInfo: {
      if (reply.buckets.empty()) return "";
      const BucketInfo& b = reply.buckets[0];
      std::string out = absl::StrCat("Bucket: ", b.name, "\nID: ", b.id, "\nKeys:\n");
      for (const auto& [id, p] : b.keys) absl::StrAppendFormat(&out, "  %-4s %s\n", p.str(), id);
      absl::StrAppend(&out, "Anonymous access: ", anonymous_words(b.anonymous), "\n", describe_documents(b));
      return out;
    }
    case Op::kBucketDelete:
      return absl::StrCat("Bucket ", arg(0), " deleted.\n");
    case Op::kBucketAllow:
    case Op::kBucketDeny:
      return absl::StrCat(r.op == Op::kBucketAllow ? "Allowed " : "Denied ", Perms::parse(arg(2)).str(), " on bucket ",
                          arg(0), " for key ", key_id, ".\n");
    case Op::kBucketAlias:
      if (arg(2).empty()) return absl::StrCat("Global alias ", arg(1), " -> ", arg(0), ".\n");
      return absl::StrCat("Local alias ", arg(1), " -> ", arg(0), " for key ", key_id, ".\n");
    case Op::kBucketUnalias:
      if (arg(1).empty()) return absl::StrCat("Global alias ", arg(0), " removed.\n");
      return absl::StrCat("Local alias ", arg(0), " removed for key ", key_id, ".\n");
    case Op::kBucketWebsite:
      return absl::StrCat("Website ", arg(1).empty() ? "disabled" : "enabled", " for bucket ", arg(0), ".\n");
    case Op::kBucketAnonymous:
      return absl::StrCat("Anonymous access to bucket ", arg(0), ": ", anonymous_words(AnonymousAccess::parse(arg(1))),
                          ".\n");
  }
  return "";
}

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
