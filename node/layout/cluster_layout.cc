#include "node/layout/cluster_layout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "node/codec.h"

namespace garage {
namespace {

constexpr uint32_t kMaxNodes = 1024;
constexpr uint32_t kMaxTags = 32;
constexpr uint32_t kMaxVersions = 64;

}  // namespace

void encode_role(Encoder& e, const NodeRole& r) {
  e.str(r.zone);
  e.boolean(r.capacity_bytes.has_value());
  e.u64(r.capacity_bytes.value_or(0));
  e.list(r.tags, [](Encoder& enc, const std::string& t) { enc.str(t); });
}

NodeRole decode_role(Decoder& d) {
  NodeRole r;
  r.zone = d.str(1024);
  const bool has_capacity = d.boolean();
  const uint64_t capacity = d.u64();
  if (has_capacity) {
    r.capacity_bytes = capacity;
  } else if (capacity != 0) {
    d.fail("gateway with a capacity");  // keeps the encoding canonical
  }
  r.tags = d.list<std::string>(kMaxTags, [](Decoder& dec) { return dec.str(256); });
  return r;
}

namespace {

// Replicas are stored as indices into the version's sorted role list.
void put_version(Encoder& e, const LayoutVersion& v) {
  e.u64(v.version);
  e.u8(static_cast<uint8_t>(v.replication_factor));
  e.u8(static_cast<uint8_t>(v.assignment.zone_redundancy));
  e.u64(v.assignment.partition_size_bytes);
  e.u32(static_cast<uint32_t>(v.assignment.moved_replicas));
  std::vector<NodeId> ids;
  e.u32(static_cast<uint32_t>(v.roles.size()));
  for (const auto& [id, role] : v.roles) {
    e.node_id(id);
    encode_role(e, role);
    ids.push_back(id);
  }
  for (const auto& replicas : v.assignment.replicas) {
    for (const NodeId& n : replicas)
      e.u16(static_cast<uint16_t>(std::lower_bound(ids.begin(), ids.end(), n) - ids.begin()));
  }
}

LayoutVersion get_version(Decoder& d) {
  LayoutVersion v;
  v.version = d.u64();
  v.replication_factor = d.u8();
  v.assignment.zone_redundancy = d.u8();
  v.assignment.partition_size_bytes = d.u64();
  v.assignment.moved_replicas = static_cast<int>(d.u32());
  const uint32_t n = d.u32();
  if (n > kMaxNodes) d.fail("too many nodes in layout");
  std::vector<NodeId> ids;
  for (uint32_t i = 0; i < n && d.ok(); ++i) {
    NodeId id = d.node_id();
    if (!ids.empty() && !(ids.back() < id)) d.fail("layout roles not sorted");
    ids.push_back(id);
    v.roles[id] = decode_role(d);
  }
  if (v.replication_factor < 1 || v.replication_factor > 7) d.fail("bad replication factor");
  if (!d.ok()) return v;
  v.assignment.replicas.assign(kPartitions, {});
  for (auto& replicas : v.assignment.replicas) {
    for (int r = 0; r < v.replication_factor && d.ok(); ++r) {
      const uint16_t index = d.u16();
      if (index >= ids.size()) {
        d.fail("replica index out of range");
        break;
      }
      replicas.push_back(ids[index]);
    }
  }
  return v;
}

uint64_t fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace

bool LayoutVersion::operator==(const LayoutVersion& o) const {
  return version == o.version && replication_factor == o.replication_factor && roles == o.roles &&
         assignment.replicas == o.assignment.replicas &&
         assignment.partition_size_bytes == o.assignment.partition_size_bytes &&
         assignment.zone_redundancy == o.assignment.zone_redundancy &&
         assignment.moved_replicas == o.assignment.moved_replicas;
}

// Last writer wins by (stamp, writer); a full tie (never expected) is broken by the role's bytes,
// so that merging stays commutative whatever happens.
bool staged_before(const StagedRole& a, const StagedRole& b) {
  if (std::tie(a.stamp_ms, a.writer) != std::tie(b.stamp_ms, b.writer)) {
    return std::tie(a.stamp_ms, a.writer) < std::tie(b.stamp_ms, b.writer);
  }
  auto bytes = [](const StagedRole& s) {
    Encoder e;
    e.boolean(s.role.has_value());
    if (s.role) encode_role(e, *s.role);
    return e.take();
  };
  return bytes(a) < bytes(b);
}

void ClusterLayout::stage(const NodeId& node, std::optional<NodeRole> role, int64_t stamp_ms, const NodeId& writer) {
  StagedRole entry{stamp_ms, writer, std::move(role)};
  auto it = staged_.find(node);
  if (it == staged_.end() || staged_before(it->second, entry)) staged_[node] = std::move(entry);
}

void ClusterLayout::revert() {
  ++staging_epoch_;
  staged_.clear();
}

std::map<NodeId, NodeRole> ClusterLayout::staged_roles() const {
  std::map<NodeId, NodeRole> roles = current() ? current()->roles : std::map<NodeId, NodeRole>{};
  for (const auto& [id, s] : staged_) {
    if (s.role.has_value()) {
      roles[id] = *s.role;
    } else {
      roles.erase(id);
    }
  }
  return roles;
}

absl::StatusOr<LayoutVersion> ClusterLayout::preview(int replication_factor) const {
  LayoutVersion next;
  next.version = current_version() + 1;
  next.replication_factor = replication_factor;
  next.roles = staged_roles();
  AssignmentInput input;
  input.replication_factor = replication_factor;
  for (const auto& [id, role] : next.roles) input.nodes.push_back({id, role.zone, role.capacity_bytes});
  if (current() != nullptr) input.previous = current()->assignment.replicas;
  absl::StatusOr<Assignment> assignment = compute_assignment(input);
  if (!assignment.ok()) return assignment.status();
  next.assignment = std::move(*assignment);
  return next;
}

absl::Status ClusterLayout::apply(uint64_t expected_version, int replication_factor) {
  if (expected_version != current_version() + 1) {
    return absl::FailedPreconditionError(absl::StrCat("the next layout version is ", current_version() + 1, ", not ",
                                                      expected_version, " (see `garage layout show`)"));
  }
  if (staged_.empty() && current() != nullptr) return absl::FailedPreconditionError("no staged changes to apply");
  absl::StatusOr<LayoutVersion> next = preview(replication_factor);
  if (!next.ok()) return next.status();
  versions_.push_back(std::move(*next));
  if (versions_.size() > kMaxVersions) versions_.erase(versions_.begin());
  ++staging_epoch_;
  staged_.clear();
  return absl::OkStatus();
}

bool ClusterLayout::merge(const ClusterLayout& other) {
  const ClusterLayout before = *this;
  // Versions: the longer history wins; at equal latest version, the larger encoding (see header).
  if (other.current_version() > current_version()) {
    versions_ = other.versions_;
  } else if (other.current_version() == current_version() && other.current_version() > 0 &&
             !(*other.current() == *current())) {
    Encoder a, b;
    put_version(a, *current());
    put_version(b, *other.current());
    if (b.take() > a.take()) versions_ = other.versions_;
  }
  // Staging: a newer epoch replaces ours whole; the same epoch merges entry by entry.
  if (other.staging_epoch_ > staging_epoch_) {
    staging_epoch_ = other.staging_epoch_;
    staged_ = other.staged_;
  } else if (other.staging_epoch_ == staging_epoch_) {
    for (const auto& [id, s] : other.staged_) stage(id, s.role, s.stamp_ms, s.writer);
  }
  for (const auto& [id, v] : other.ack_) set_ack(id, v);
  for (const auto& [id, v] : other.sync_) set_synced(id, v);
  return !(*this == before);
}

bool ClusterLayout::set_ack(const NodeId& node, uint64_t version) {
  uint64_t& v = ack_[node];
  if (version <= v) return false;
  v = version;
  return true;
}

bool ClusterLayout::set_synced(const NodeId& node, uint64_t version) {
  uint64_t& v = sync_[node];
  if (version <= v) return false;
  v = version;
  return true;
}

std::vector<const LayoutVersion*> ClusterLayout::active_versions() const {
  std::vector<const LayoutVersion*> out;
  if (versions_.empty()) return out;
  uint64_t min_sync = UINT64_MAX;
  for (const auto& [id, role] : current()->roles) {
    if (!role.capacity_bytes) continue;  // gateways store nothing, so have nothing to sync
    auto it = sync_.find(id);
    min_sync = std::min(min_sync, it == sync_.end() ? 0 : it->second);
  }
  for (const LayoutVersion& v : versions_)
    if (v.version >= min_sync || &v == current()) out.push_back(&v);
  return out;
}

uint64_t ClusterLayout::min_ack() const {
  uint64_t m = UINT64_MAX;
  for (const LayoutVersion* v : active_versions()) {
    for (const auto& [id, role] : v->roles) {
      auto it = ack_.find(id);
      m = std::min(m, it == ack_.end() ? 0 : it->second);
    }
  }
  return m == UINT64_MAX ? 0 : m;
}

LayoutDigest ClusterLayout::digest() const { return {current_version(), staging_epoch_, fnv1a(encode())}; }

std::string ClusterLayout::encode() const {
  Encoder e;
  e.u8(kEncodingVersion);
  e.u64(staging_epoch_);
  e.list(versions_, put_version);
  e.u32(static_cast<uint32_t>(staged_.size()));
  for (const auto& [id, s] : staged_) {
    e.node_id(id);
    e.i64(s.stamp_ms);
    e.node_id(s.writer);
    e.boolean(s.role.has_value());
    if (s.role) encode_role(e, *s.role);
  }
  for (const auto* tracker : {&ack_, &sync_}) {
    e.u32(static_cast<uint32_t>(tracker->size()));
    for (const auto& [id, v] : *tracker) {
      e.node_id(id);
      e.u64(v);
    }
  }
  return e.take();
}

absl::StatusOr<ClusterLayout> ClusterLayout::decode(std::string_view bytes) {
  Decoder d(bytes);
  const uint8_t encoding = d.version(1, kEncodingVersion);
  ClusterLayout l;
  l.staging_epoch_ = d.u64();
  l.versions_ = d.list<LayoutVersion>(kMaxVersions, get_version);
  const uint32_t staged = d.u32();
  if (staged > kMaxNodes) d.fail("too many staged changes");
  for (uint32_t i = 0; i < staged && d.ok(); ++i) {
    const NodeId id = d.node_id();
    StagedRole s;
    s.stamp_ms = d.i64();
    s.writer = d.node_id();
    if (d.boolean()) s.role = decode_role(d);
    if (l.staged_.count(id) || (!l.staged_.empty() && !(l.staged_.rbegin()->first < id))) d.fail("staged not sorted");
    l.staged_[id] = std::move(s);
  }
  if (encoding >= 2) {
    for (auto* tracker : {&l.ack_, &l.sync_}) {
      const uint32_t n = d.u32();
      if (n > kMaxNodes) d.fail("too many tracker entries");
      for (uint32_t i = 0; i < n && d.ok(); ++i) {
        const NodeId id = d.node_id();
        const uint64_t v = d.u64();
        if (!tracker->empty() && !(tracker->rbegin()->first < id)) d.fail("tracker not sorted");
        (*tracker)[id] = v;
      }
    }
  }
  if (absl::Status s = d.finish(); !s.ok()) return s;
  for (size_t i = 1; i < l.versions_.size(); ++i) {
    if (l.versions_[i].version != l.versions_[i - 1].version + 1)
      return absl::InvalidArgumentError("layout versions not consecutive");
  }
  return l;
}

}  // namespace garage
