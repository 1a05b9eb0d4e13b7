#include "node/table/table_store.h"

#include "absl/strings/str_cat.h"
#include "node/codec.h"
#include "node/planted.h"

namespace garage {

namespace {
// Nibble i (0-based) of a hash.
uint8_t nibble(const Hash256& h, int i) { return (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 15); }

}  // namespace

std::string make_tree_key(std::string_view partition_key, std::string_view sort_key) {
  return absl::StrCat(hash_bytes(sha256(partition_key)), absl::string_view(sort_key.data(), sort_key.size()));
}

Hash256 item_hash(std::string_view tree_key, std::string_view entry) {
  Encoder e;
  e.str(tree_key);
  e.str(entry);
  return sha256(e.take());
}

TableStore::TableStore(Kv& kv, const TableSchema& schema, TableStorePlantedBugs planted)
    : kv_(kv), schema_(schema), planted_(planted) {
  prefix_ = absl::StrCat("t", schema.name());
  prefix_.push_back('\0');
}

std::string TableStore::key(char kind, std::string_view rest) const {
  std::string k = prefix_;
  k.push_back(kind);
  k.append(rest);
  return k;
}

std::string TableStore::node_key(const MerklePath& path) const {
  std::string rest;
  rest.push_back(static_cast<char>(path.partition));
  rest.push_back(static_cast<char>(path.nibbles.size()));
  rest.append(path.nibbles);
  return key('m', rest);
}

MerklePath TableStore::leaf_of(std::string_view tree_key) {
  const Hash256 kh = sha256(tree_key);
  MerklePath p{partition_of(tree_key), {}};
  for (int i = 0; i < kMerkleDepth; ++i) p.nibbles.push_back(static_cast<char>(nibble(kh, i)));
  return p;
}

absl::StatusOr<std::optional<std::string>> TableStore::get(std::string_view tree_key) {
  return kv_.get(key('e', tree_key));
}

absl::StatusOr<bool> TableStore::counts_in_tree(const std::optional<std::string>& entry) const {
  if (!entry) return false;
  if (!planted(planted_.merkle_skip_tombstones)) return true;
  absl::StatusOr<bool> tomb = schema_.is_tombstone(*entry);
  if (!tomb.ok()) return tomb.status();
  return !*tomb;
}

absl::Status TableStore::stage_change(KvBatch& batch, std::string_view tree_key,
                                      const std::optional<std::string>& before, const std::optional<std::string>& after,
                                      int64_t now_ms) {
  absl::StatusOr<bool> before_counts = counts_in_tree(before);
  absl::StatusOr<bool> after_counts = counts_in_tree(after);
  if (!before_counts.ok()) return before_counts.status();
  if (!after_counts.ok()) return after_counts.status();
  Hash256 delta{};
  if (*before_counts) delta = xor_hash(delta, item_hash(tree_key, *before));
  if (*after_counts) delta = xor_hash(delta, item_hash(tree_key, *after));
  const MerklePath leaf = leaf_of(tree_key);
  const std::string leaf_rest = absl::StrCat(std::string(1, static_cast<char>(leaf.partition)), leaf.nibbles,
                                             absl::string_view(tree_key.data(), tree_key.size()));
  const std::string tk(tree_key);
  batch.set(key('e', tk), after);
  batch.set(key('i', leaf_rest),
            *after_counts ? std::optional<std::string>(hash_bytes(item_hash(tree_key, *after))) : std::nullopt);
  // The gc mark follows the entry: present exactly while the stored entry is a tombstone.
  std::optional<std::string> gc_mark;
  if (after) {
    absl::StatusOr<bool> tomb = schema_.is_tombstone(*after);
    if (!tomb.ok()) return tomb.status();
    if (*tomb) {
      Encoder e;
      e.i64(now_ms);
      gc_mark = hash_bytes(item_hash(tree_key, *after)) + e.take();
    }
  }
  batch.set(key('g', tk), gc_mark);
  batch.set(key('l', tk), after && !gc_mark ? std::optional<std::string>("") : std::nullopt);
  if (absl::Status s = schema_.stage_local_effects(tree_key, before, after, batch, now_ms); !s.ok()) return s;
  for (int level = 0; level <= kMerkleDepth; ++level) {
    MerklePath node{leaf.partition, leaf.nibbles.substr(0, level)};
    const std::string nk = node_key(node);
    absl::StatusOr<std::optional<std::string>> old = batch.get(nk);
    if (!old.ok()) return old.status();
    Hash256 h = xor_hash(*old ? hash_from_bytes(**old) : Hash256{}, delta);
    batch.set(nk, is_zero(h) ? std::nullopt : std::optional<std::string>(hash_bytes(h)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TableItem>> TableStore::merge_in(const std::vector<TableItem>& items, bool sync,
                                                            int64_t now_ms) {
  KvBatch batch(kv_);
  std::map<std::string, std::string> changed;
  for (const TableItem& item : items) {
    if (item.tree_key.size() < 32) return absl::InvalidArgumentError("table item: tree key shorter than 32 bytes");
    const std::string ek = key('e', item.tree_key);
    absl::StatusOr<std::optional<std::string>> before = batch.get(ek);
    if (!before.ok()) return before.status();
    std::string merged;
    if (*before) {
      absl::StatusOr<std::string> m = schema_.merge(**before, item.entry);
      if (!m.ok()) return m.status();
      merged = std::move(*m);
    } else {
      // Merging with itself validates the incoming bytes and yields their canonical form.
      absl::StatusOr<std::string> m = schema_.merge(item.entry, item.entry);
      if (!m.ok()) return m.status();
      merged = std::move(*m);
    }
    absl::StatusOr<std::vector<FollowUp>> follow_ups = schema_.follow_ups(*before, item.entry, merged);
    if (!follow_ups.ok()) return follow_ups.status();
    if (planted(planted_.lose_follow_ups)) follow_ups->clear();
    for (const FollowUp& f : *follow_ups) {
      Encoder e;
      e.str(f.table);
      e.str(f.tree_key);
      e.str(f.entry);
      std::string encoded = e.take();
      const std::string id = hash_bytes(sha256(encoded));  // named: the argument below moves `encoded`
      batch.set(key('q', id), std::move(encoded));
    }
    if (*before && **before == merged) continue;
    if (absl::Status s = stage_change(batch, item.tree_key, *before, merged, now_ms); !s.ok()) return s;
    changed[item.tree_key] = merged;
  }
  if (!batch.empty()) {
    if (absl::Status s = kv_.write(batch.writes(), sync); !s.ok()) return s;
  }
  std::vector<TableItem> out;
  out.reserve(changed.size());
  for (auto& [k, v] : changed) out.push_back(TableItem{k, std::move(v)});
  return out;
}

absl::StatusOr<std::vector<QueuedFollowUp>> TableStore::queued_follow_ups(size_t limit) {
  const std::string start = key('q', "");
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows = kv_.scan(start, kv_prefix_end(start), limit);
  if (!rows.ok()) return rows.status();
  std::vector<QueuedFollowUp> out;
  out.reserve(rows->size());
  for (auto& [k, v] : *rows) {
    Decoder d(v);
    FollowUp f;
    f.table = d.str();
    f.tree_key = d.str();
    f.entry = d.str();
    QueuedFollowUp q{k.substr(start.size()), std::nullopt};
    if (d.finish().ok() && f.tree_key.size() >= 32) q.follow_up = std::move(f);
    out.push_back(std::move(q));
  }
  return out;
}

absl::Status TableStore::remove_follow_ups(const std::vector<std::string>& ids) {
  std::vector<KvWrite> writes;
  writes.reserve(ids.size());
  for (const std::string& id : ids) writes.push_back(KvWrite::remove(key('q', id)));
  if (writes.empty()) return absl::OkStatus();
  // Not synced: a removal lost in a crash only delivers the follow-up again (idempotent).
  return kv_.write(writes, /*sync=*/false);
}

absl::StatusOr<std::vector<TableItem>> TableStore::scan_tree_keys(char kind, std::string_view start,
                                                                  std::string_view end, size_t limit) {
  const std::string kstart = key(kind, start);
  const std::string kend = end.empty() ? kv_prefix_end(key(kind, "")) : key(kind, end);
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows = kv_.scan(kstart, kend, limit);
  if (!rows.ok()) return rows.status();
  std::vector<TableItem> out;
  out.reserve(rows->size());
  const size_t skip = prefix_.size() + 1;
  for (auto& [k, v] : *rows) out.push_back(TableItem{k.substr(skip), std::move(v)});
  return out;
}

absl::StatusOr<std::vector<TableItem>> TableStore::range(std::string_view start, std::string_view end, size_t limit) {
  return scan_tree_keys('e', start, end, limit);
}

absl::StatusOr<bool> TableStore::live_index_built() {
  if (live_index_built_) return true;
  absl::StatusOr<std::optional<std::string>> mark = kv_.get(key('L', ""));
  if (!mark.ok()) return mark.status();
  live_index_built_ = mark->has_value();
  return live_index_built_;
}

absl::StatusOr<std::vector<TableItem>> TableStore::range_live(std::string_view start, std::string_view end,
                                                              size_t limit) {
  absl::StatusOr<bool> built = live_index_built();
  if (!built.ok()) return built.status();
  if (!*built) return range(start, end, limit);
  absl::StatusOr<std::vector<TableItem>> out = scan_tree_keys('l', start, end, limit);
  if (!out.ok()) return out.status();
  for (TableItem& item : *out) {  // an index row's value is empty: the entry itself replaces it
    absl::StatusOr<std::optional<std::string>> entry = get(item.tree_key);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) return absl::DataLossError("table store: the live index names a missing entry");
    item.entry = std::move(**entry);
  }
  return out;
}

absl::StatusOr<bool> TableStore::build_live_index_step(size_t limit) {
  absl::StatusOr<bool> built = live_index_built();
  if (!built.ok() || *built) return built;
  absl::StatusOr<std::vector<TableItem>> items = range(live_build_cursor_, "", limit);
  if (!items.ok()) return items.status();
  KvBatch batch(kv_);
  for (const TableItem& it : *items) {
    absl::StatusOr<bool> tomb = schema_.is_tombstone(it.entry);
    if (!tomb.ok()) return tomb.status();
    batch.set(key('l', it.tree_key), *tomb ? std::nullopt : std::optional<std::string>(""));
  }
  const bool done = items->size() < limit;
  if (done) {
    batch.set(key('L', ""), "");
  } else {
    live_build_cursor_ = items->back().tree_key;
    live_build_cursor_.push_back('\0');  // just past the last entry indexed
  }
  // Synced with the mark: a crash before it only repeats the build from the start.
  if (!batch.empty()) {
    if (absl::Status s = kv_.write(batch.writes(), /*sync=*/done); !s.ok()) return s;
  }
  live_index_built_ = done;
  return done;
}

absl::Status TableStore::forget_live_index(Kv& kv, std::string_view name) {
  std::string prefix = "t" + std::string(name);
  prefix.push_back('\0');
  std::vector<KvWrite> removes;
  for (char kind : {'l', 'L'}) {
    const std::string start = prefix + kind;
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows =
        kv.scan(start, kv_prefix_end(start), SIZE_MAX);
    if (!rows.ok()) return rows.status();
    for (const auto& [k, unused] : *rows) removes.push_back(KvWrite::remove(k));
  }
  return removes.empty() ? absl::OkStatus() : kv.write(removes, /*sync=*/true);
}

absl::StatusOr<Hash256> TableStore::merkle_node(const MerklePath& path) {
  absl::StatusOr<std::optional<std::string>> v = kv_.get(node_key(path));
  if (!v.ok()) return v.status();
  return *v ? hash_from_bytes(**v) : Hash256{};
}

absl::StatusOr<std::array<Hash256, 16>> TableStore::merkle_children(const MerklePath& path) {
  if (path.nibbles.size() >= static_cast<size_t>(kMerkleDepth)) {
    return absl::InvalidArgumentError("merkle: a leaf has no children");
  }
  std::array<Hash256, 16> out{};
  for (int c = 0; c < 16; ++c) {
    MerklePath child{path.partition, path.nibbles + static_cast<char>(c)};
    absl::StatusOr<Hash256> h = merkle_node(child);
    if (!h.ok()) return h.status();
    out[c] = *h;
  }
  return out;
}

absl::StatusOr<std::vector<LeafItem>> TableStore::leaf_items(const MerklePath& leaf) {
  if (leaf.nibbles.size() != static_cast<size_t>(kMerkleDepth)) {
    return absl::InvalidArgumentError("merkle: not a leaf path");
  }
  std::string rest(1, static_cast<char>(leaf.partition));
  rest.append(leaf.nibbles);
  const std::string start = key('i', rest);
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows =
      kv_.scan(start, kv_prefix_end(start), SIZE_MAX);
  if (!rows.ok()) return rows.status();
  std::vector<LeafItem> out;
  for (auto& [k, v] : *rows) out.push_back(LeafItem{k.substr(start.size()), hash_from_bytes(v)});
  return out;
}

absl::StatusOr<std::vector<GcCandidate>> TableStore::gc_candidates(std::string_view after, size_t limit) {
  std::string start = key('g', after);
  if (!after.empty()) start.push_back('\0');  // exclusive
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows =
      kv_.scan(start, kv_prefix_end(key('g', "")), limit);
  if (!rows.ok()) return rows.status();
  std::vector<GcCandidate> out;
  const size_t skip = prefix_.size() + 1;
  for (auto& [k, v] : *rows) {
    int64_t marked = 0;
    if (v.size() == 40) {
      Decoder d(std::string_view(v).substr(32));
      marked = d.i64();
    }
    out.push_back(GcCandidate{k.substr(skip), hash_from_bytes(v), marked});
  }
  return out;
}

absl::StatusOr<bool> TableStore::remove_if_hash(std::string_view tree_key, const Hash256& expected, bool sync,
                                                int64_t now_ms) {
  absl::StatusOr<std::optional<std::string>> current = get(tree_key);
  if (!current.ok()) return current.status();
  if (!*current || item_hash(tree_key, **current) != expected) return false;
  KvBatch batch(kv_);
  if (absl::Status s = stage_change(batch, tree_key, *current, std::nullopt, now_ms); !s.ok()) return s;
  if (absl::Status s = kv_.write(batch.writes(), sync); !s.ok()) return s;
  return true;
}

absl::StatusOr<size_t> TableStore::drop_partition(uint8_t partition, size_t limit, bool sync, int64_t now_ms) {
  const std::string start(1, static_cast<char>(partition));
  const std::string end = partition == 0xff ? std::string() : std::string(1, static_cast<char>(partition + 1));
  absl::StatusOr<std::vector<TableItem>> items = range(start, end, limit);
  if (!items.ok()) return items.status();
  if (items->empty()) return size_t{0};
  KvBatch batch(kv_);
  for (const TableItem& it : *items) {
    if (absl::Status s = stage_change(batch, it.tree_key, it.entry, std::nullopt, now_ms); !s.ok()) return s;
  }
  if (absl::Status s = kv_.write(batch.writes(), sync); !s.ok()) return s;
  return items->size();
}

absl::StatusOr<std::vector<TableItem>> TableStore::all_items() { return range("", "", SIZE_MAX); }

}  // namespace garage
