#include "node/table/table_messages.h"

#include "node/codec.h"

namespace garage {

namespace {
void put_hash(Encoder& e, const Hash256& h) {
  for (uint8_t b : h) e.u8(b);
}
Hash256 get_hash(Decoder& d) {
  Hash256 h{};
  for (auto& b : h) b = d.u8();
  return h;
}
void put_item(Encoder& e, const TableItem& it) {
  e.str(it.tree_key);
  e.str(it.entry);
}
TableItem get_item(Decoder& d) {
  TableItem it;
  it.tree_key = d.str();
  it.entry = d.str();
  return it;
}
void put_leaf(Encoder& e, const LeafItem& it) {
  e.str(it.tree_key);
  put_hash(e, it.hash);
}
LeafItem get_leaf(Decoder& d) {
  LeafItem it;
  it.tree_key = d.str();
  it.hash = get_hash(d);
  return it;
}
template <class T>
absl::StatusOr<T> finish(Decoder& d, T value) {
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return value;
}
}  // namespace

std::string TableRequest::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.str(table);
  e.u8(static_cast<uint8_t>(op));
  e.list(items, put_item);
  e.list(keys, [](Encoder& e, const std::string& k) { e.str(k); });
  e.list(hashed, put_leaf);
  e.list(partitions, [](Encoder& e, uint8_t p) { e.u8(p); });
  e.u8(partition);
  e.str(start);
  e.str(end);
  e.u32(limit);
  return e.take();
}

absl::StatusOr<TableRequest> TableRequest::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kVersion, kVersion);
  TableRequest r;
  r.table = d.str(256);
  const uint8_t op = d.u8();
  if (op < 1 || op > 9) d.fail("unknown table op");
  r.op = static_cast<TableOp>(op);
  r.items = d.list<TableItem>(kMaxTableBatch, get_item);
  r.keys = d.list<std::string>(kMaxTableBatch, [](Decoder& d) { return d.str(); });
  r.hashed = d.list<LeafItem>(kMaxTableBatch, get_leaf);
  r.partitions = d.list<uint8_t>(256, [](Decoder& d) { return d.u8(); });
  r.partition = d.u8();
  r.start = d.str();
  r.end = d.str();
  r.limit = d.u32();
  return finish(d, std::move(r));
}

namespace {

// Every reply is one list; these two do the framing once.
template <class T, class F>
std::string encode_list(const std::vector<T>& items, F encode_one) {
  Encoder e;
  e.list(items, encode_one);
  return e.take();
}

template <class T, class F>
absl::StatusOr<std::vector<T>> decode_list(std::string_view bytes, uint32_t max_items, F decode_one) {
  Decoder d(bytes);
  std::vector<T> v = d.list<T>(max_items, decode_one);
  return finish(d, std::move(v));
}

void put_entry(Encoder& e, const std::optional<std::string>& v) {
  e.boolean(v.has_value());
  if (v) e.str(*v);
}
std::optional<std::string> get_entry(Decoder& d) {
  return d.boolean() ? std::optional<std::string>(d.str()) : std::nullopt;
}
void put_leaf_list(Encoder& e, const std::vector<LeafItem>& l) { e.list(l, put_leaf); }
std::vector<LeafItem> get_leaf_list(Decoder& d) { return d.list<LeafItem>(1u << 20, get_leaf); }

}  // namespace

std::string encode_entries(const std::vector<std::optional<std::string>>& entries) {
  return encode_list(entries, put_entry);
}
absl::StatusOr<std::vector<std::optional<std::string>>> decode_entries(std::string_view bytes) {
  return decode_list<std::optional<std::string>>(bytes, kMaxTableBatch, get_entry);
}
std::string encode_items(const std::vector<TableItem>& items) { return encode_list(items, put_item); }
absl::StatusOr<std::vector<TableItem>> decode_items(std::string_view bytes) {
  return decode_list<TableItem>(bytes, kMaxTableBatch, get_item);
}
std::string encode_hashes(const std::vector<Hash256>& hashes) { return encode_list(hashes, put_hash); }
absl::StatusOr<std::vector<Hash256>> decode_hashes(std::string_view bytes) {
  return decode_list<Hash256>(bytes, kMaxTableBatch * 16, get_hash);
}
std::string encode_leaves(const std::vector<std::vector<LeafItem>>& leaves) {
  return encode_list(leaves, put_leaf_list);
}
absl::StatusOr<std::vector<std::vector<LeafItem>>> decode_leaves(std::string_view bytes) {
  return decode_list<std::vector<LeafItem>>(bytes, kMaxTableBatch, get_leaf_list);
}

std::string encode_bools(const std::vector<bool>& v) {
  Encoder e;
  e.u32(static_cast<uint32_t>(v.size()));
  for (bool b : v) e.boolean(b);
  return e.take();
}

absl::StatusOr<std::vector<bool>> decode_bools(std::string_view bytes) {
  Decoder d(bytes);
  const uint32_t n = d.u32();
  if (n > kMaxTableBatch) d.fail("list too long");
  std::vector<bool> v;
  for (uint32_t i = 0; i < n && d.ok(); ++i) v.push_back(d.boolean());
  return finish(d, std::move(v));
}

}  // namespace garage
