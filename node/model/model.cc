#include "node/model/model.h"

#include <algorithm>
#include <cassert>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace garage {

namespace {
// Partition keys of the small tables. Passed as named strings, never converted inside a
// co_await expression (GCC 12 destroys such temporaries twice).
const std::string kBucketsPk = "buckets";
const std::string kKeysPk = "keys";
const std::string kAliasesPk = "aliases";
constexpr uint32_t kListLimit = 4096;

std::string field(const LwwMap& m, const std::string& name) {
  auto it = m.items.find(name);
  return it == m.items.end() || !it->second.value ? std::string() : *it->second.value;
}

int64_t field_i64(const LwwMap& m, const std::string& name) {
  const std::string v = field(m, name);
  return v.empty() ? 0 : std::strtoll(v.c_str(), nullptr, 10);
}

// Fields named prefix<id> holding perms, live ones only.
std::map<std::string, Perms> perms_with_prefix(const LwwMap& m, std::string_view prefix) {
  std::map<std::string, Perms> out;
  for (const auto& [k, v] : m.items) {
    if (k.rfind(prefix, 0) != 0 || !v.value) continue;
    Perms p = Perms::parse(*v.value);
    if (p.any()) out[k.substr(prefix.size())] = p;
  }
  return out;
}

KeyInfo key_from_map(std::string id, const LwwMap& m) {
  KeyInfo k{std::move(id),
            field(m, "name"),
            field(m, "secret"),
            field_i64(m, "created"),
            perms_with_prefix(m, "bucket:"),
            {}};
  k.allow_create_bucket = field(m, "allow_create_bucket") == "1";
  for (const auto& [name, reg] : m.items) {
    if (name.rfind("local:", 0) == 0 && reg.value && !reg.value->empty()) k.local_aliases[name.substr(6)] = *reg.value;
  }
  return k;
}

// The bucket record's field holding each document.
const char* field_of(BucketDocument which) {
  switch (which) {
    case BucketDocument::kCors:
      return "cors";
    case BucketDocument::kWebsite:
      return "website";
    case BucketDocument::kTagging:
      return "tagging";
  }
  return "cors";  // unreachable: every enumerator is above
}

BucketInfo bucket_from_map(std::string id, const LwwMap& m) {
  BucketInfo b{std::move(id), field(m, "name"), field_i64(m, "created"), perms_with_prefix(m, "key:")};
  b.cors = field(m, field_of(BucketDocument::kCors));
  b.website = field(m, field_of(BucketDocument::kWebsite));
  b.tagging = field(m, field_of(BucketDocument::kTagging));
  b.anonymous = AnonymousAccess::parse(field(m, "anonymous"));
  return b;
}

bool deleted(const LwwMap& m) { return field(m, "deleted") == "1"; }

// The highest stamp of any field of `m`. A change stamped above it wins over every change that
// was read, whatever the clocks of the nodes that made them: a grant from a node whose clock is
// ahead cannot outlive a revocation made after it, nor a key's creation outlive its deletion.
int64_t newest_stamp(const LwwMap& m) {
  int64_t newest = 0;
  for (const auto& [name, reg] : m.items) newest = std::max(newest, reg.stamp_ms);
  return newest;
}
}  // namespace

std::string Perms::str() const {
  std::string s;
  if (read) s += 'R';
  if (write) s += 'W';
  if (owner) s += 'O';
  return s.empty() ? "-" : s;
}

std::string AnonymousAccess::str() const { return std::string(read ? "r" : "") + (list ? "l" : ""); }

AnonymousAccess AnonymousAccess::parse(std::string_view s) {
  return AnonymousAccess{s.find('r') != std::string_view::npos, s.find('l') != std::string_view::npos};
}

Perms Perms::parse(std::string_view s) {
  return Perms{s.find('R') != std::string_view::npos, s.find('W') != std::string_view::npos,
               s.find('O') != std::string_view::npos};
}

std::string partition_key_end(std::string_view pk) {
  std::string h = make_tree_key(pk, "");
  for (size_t i = h.size(); i-- > 0;) {
    if (static_cast<unsigned char>(h[i]) != 0xff) {
      h[i] = static_cast<char>(static_cast<unsigned char>(h[i]) + 1);
      return h.substr(0, i + 1) + std::string(h.size() - i - 1, '\0');
    }
  }
  return "";  // all 0xff: no upper bound
}

std::string Model::new_uuid() {
  // Upload ids and version ids reach clients: unpredictable (node/env.h, Entropy).
  assert(env_.entropy != nullptr);
  return env_.entropy->bytes(16);
}

int64_t Model::next_timestamp(int64_t at_least) {
  const int64_t now = absl::ToUnixMillis(env_.clock->now_wall());
  last_timestamp_ = std::max({now, last_timestamp_ + 1, at_least});
  return last_timestamp_;
}

// ---- LwwMap helpers

Task<absl::Status> Model::put_map(Table& table, std::string pk, std::string sk,
                                  std::map<std::string, std::string> fields, bool delete_fields, int64_t above_stamp) {
  const int64_t stamp = next_timestamp(above_stamp + 1);
  LwwMap m;
  for (auto& [k, v] : fields) {
    m.items[k] = LwwRegister{stamp, env_.rng->next_u64(), delete_fields ? std::nullopt : std::optional(std::move(v))};
  }
  std::vector<TableItem> items{TableItem{make_tree_key(pk, sk), m.encode()}};
  co_return co_await table.insert(std::move(items));
}

Task<absl::Status> Model::update_map(Table& table, std::string pk, std::string sk,
                                     std::map<std::string, std::string> fields, bool delete_fields) {
  absl::StatusOr<std::optional<LwwMap>> seen = co_await get_map(table, pk, sk);
  if (!seen.ok()) co_return seen.status();
  const int64_t above = seen->has_value() ? newest_stamp(**seen) : 0;
  co_return co_await put_map(table, std::move(pk), std::move(sk), std::move(fields), delete_fields, above);
}

Task<absl::Status> Model::put_alias(std::string alias, std::optional<std::string> bucket_id) {
  std::string tree_key = make_tree_key(kAliasesPk, alias);
  std::string to_read = tree_key;
  absl::StatusOr<std::optional<std::string>> raw = co_await t_.alias.get(std::move(to_read));
  if (!raw.ok()) co_return raw.status();
  int64_t above = 0;
  if (raw->has_value()) {
    absl::StatusOr<LwwRegister> seen = LwwRegister::decode(**raw);
    if (seen.ok()) above = seen->stamp_ms;
  }
  LwwRegister reg{next_timestamp(above + 1), env_.rng->next_u64(), std::move(bucket_id)};
  std::vector<TableItem> items{TableItem{std::move(tree_key), reg.encode()}};
  co_return co_await t_.alias.insert(std::move(items));
}

Task<absl::StatusOr<std::optional<LwwMap>>> Model::get_map(Table& table, std::string pk, std::string sk) {
  std::string tree_key = make_tree_key(pk, sk);
  absl::StatusOr<std::optional<std::string>> raw = co_await table.get(std::move(tree_key));
  if (!raw.ok()) co_return raw.status();
  if (!raw->has_value()) co_return std::optional<LwwMap>();
  absl::StatusOr<LwwMap> m = LwwMap::decode(**raw);
  if (!m.ok()) co_return m.status();
  co_return std::optional<LwwMap>(std::move(*m));
}

Task<absl::StatusOr<std::vector<std::pair<std::string, LwwMap>>>> Model::list_map(Table& table, std::string pk) {
  const std::string start = make_tree_key(pk, "");
  absl::StatusOr<std::vector<TableItem>> items = co_await table.get_range(start, partition_key_end(pk), kListLimit);
  if (!items.ok()) co_return items.status();
  std::vector<std::pair<std::string, LwwMap>> out;
  for (const TableItem& it : *items) {
    absl::StatusOr<LwwMap> m = LwwMap::decode(it.entry);
    if (!m.ok()) continue;  // a corrupt entry is skipped, not fatal to the listing
    out.emplace_back(it.tree_key.substr(32), std::move(*m));
  }
  co_return out;
}

// ---- keys

Task<absl::StatusOr<KeyInfo>> Model::create_key(std::string name) {
  assert(env_.entropy != nullptr);
  const std::string id = "GK" + to_hex(env_.entropy->bytes(12));  // 96 bits, as Garage's
  const std::string secret = to_hex(env_.entropy->bytes(32));     // 256 bits
  co_return co_await import_key(std::move(name), id, secret);
}

Task<absl::StatusOr<KeyInfo>> Model::import_key(std::string name, std::string id, std::string secret) {
  if (id.size() < 4 || id.size() > 128 || secret.size() < 8 || secret.size() > 128) {
    co_return absl::InvalidArgumentError("key id must be 4-128 characters and secret 8-128");
  }
  absl::StatusOr<std::optional<LwwMap>> before = co_await get_map(t_.key, kKeysPk, id);
  if (!before.ok()) co_return before.status();
  if (before->has_value() && !deleted(**before) && !field(**before, "secret").empty())
    co_return absl::AlreadyExistsError(absl::StrCat("a key with id ", id, " exists"));
  // A deleted key's id, imported again, starts with nothing: whatever its deletion did not
  // reach (a crash halfway) is removed now, before the key works.
  if (before->has_value()) {
    if (absl::Status s = co_await revoke_everything(id, **before); !s.ok()) co_return s;
  }
  const std::string created = absl::StrCat(absl::ToUnixMillis(env_.clock->now_wall()));
  std::map<std::string, std::string> fields{{"name", name}, {"secret", secret}, {"created", created}, {"deleted", "0"}};
  const int64_t above = before->has_value() ? newest_stamp(**before) : 0;
  absl::Status s = co_await put_map(t_.key, kKeysPk, id, std::move(fields), /*delete_fields=*/false, above);
  if (!s.ok()) co_return s;
  co_return KeyInfo{id, name, secret, std::strtoll(created.c_str(), nullptr, 10), {}};
}

Task<absl::Status> Model::revoke_everything(std::string id, LwwMap key) {
  std::map<std::string, std::string> gone;
  for (const auto& [name, reg] : key.items) {
    if (!reg.value) continue;
    if (absl::StartsWith(name, "bucket:") || absl::StartsWith(name, "local:") || name == "allow_create_bucket")
      gone[name] = "";
  }
  // The bucket side first: were the key side cleared and this interrupted, `bucket info` would
  // list rights that the key no longer has, never the reverse.
  for (const auto& [name, unused] : gone) {
    if (!absl::StartsWith(name, "bucket:")) continue;
    std::map<std::string, std::string> on_bucket{{"key:" + id, ""}};
    std::string bucket_id = name.substr(7);
    if (absl::Status s = co_await update_map(t_.bucket, kBucketsPk, std::move(bucket_id), std::move(on_bucket), true);
        !s.ok())
      co_return s;
  }
  if (gone.empty()) co_return absl::OkStatus();
  const int64_t above = newest_stamp(key);
  co_return co_await put_map(t_.key, kKeysPk, id, std::move(gone), /*delete_fields=*/true, above);
}

Task<absl::StatusOr<std::optional<KeyInfo>>> Model::get_key(std::string id) {
  absl::StatusOr<std::optional<LwwMap>> m = co_await get_map(t_.key, kKeysPk, id);
  if (!m.ok()) co_return m.status();
  if (!m->has_value() || deleted(**m) || field(**m, "secret").empty()) co_return std::optional<KeyInfo>();
  co_return std::optional<KeyInfo>(key_from_map(id, **m));
}

Task<absl::StatusOr<std::vector<KeyInfo>>> Model::list_keys() {
  absl::StatusOr<std::vector<std::pair<std::string, LwwMap>>> all = co_await list_map(t_.key, kKeysPk);
  if (!all.ok()) co_return all.status();
  std::vector<KeyInfo> out;
  for (auto& [id, m] : *all)
    if (!deleted(m) && !field(m, "secret").empty()) out.push_back(key_from_map(id, m));
  co_return out;
}

Task<absl::StatusOr<KeyInfo>> Model::find_key(std::string pattern) {
  absl::StatusOr<std::vector<KeyInfo>> all = co_await list_keys();
  if (!all.ok()) co_return all.status();
  std::vector<KeyInfo> hits;
  for (KeyInfo& k : *all) {
    if (k.id == pattern) co_return k;
    if (k.name == pattern || absl::StartsWith(k.id, pattern)) hits.push_back(k);
  }
  if (hits.empty()) co_return absl::NotFoundError(absl::StrCat("no key matches ", pattern));
  if (hits.size() > 1) co_return absl::InvalidArgumentError(absl::StrCat(hits.size(), " keys match ", pattern));
  co_return hits[0];
}

Task<absl::Status> Model::delete_key(std::string id) {
  absl::StatusOr<std::optional<LwwMap>> m = co_await get_map(t_.key, kKeysPk, id);
  if (!m.ok()) co_return m.status();
  if (!m->has_value()) co_return absl::NotFoundError("no such key");
  // Deleted first (the key stops working at once), then its rights everywhere.
  std::map<std::string, std::string> fields{{"deleted", "1"}};
  const int64_t above = newest_stamp(**m);
  if (absl::Status s = co_await put_map(t_.key, kKeysPk, id, std::move(fields), false, above); !s.ok()) co_return s;
  co_return co_await revoke_everything(id, std::move(**m));
}

// ---- buckets

namespace {
// S3's bucket naming rules (the ones that matter for addressing).
absl::Status check_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return absl::InvalidArgumentError("bucket names are 3 to 63 characters");
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      return absl::InvalidArgumentError("bucket names use lowercase letters, digits, '-' and '.'");
    }
  }
  if (name.front() == '-' || name.front() == '.' || name.back() == '-' || name.back() == '.') {
    return absl::InvalidArgumentError("bucket names begin and end with a letter or digit");
  }
  // Names that would break virtual-host addressing or TLS wildcards, as S3 refuses them.
  if (name.find("..") != std::string_view::npos || name.find(".-") != std::string_view::npos ||
      name.find("-.") != std::string_view::npos) {
    return absl::InvalidArgumentError("bucket names may not hold '..', '.-' or '-.'");
  }
  int dots = 0;
  bool digits_and_dots = true;
  for (char c : name) {
    dots += c == '.';
    digits_and_dots = digits_and_dots && ((c >= '0' && c <= '9') || c == '.');
  }
  if (dots == 3 && digits_and_dots) return absl::InvalidArgumentError("bucket names may not look like IP addresses");
  if (name.substr(0, 4) == "xn--" || (name.size() >= 8 && name.substr(name.size() - 8) == "-s3alias")) {
    return absl::InvalidArgumentError("bucket names may not begin with 'xn--' or end with '-s3alias'");
  }
  return absl::OkStatus();
}
}  // namespace

Task<absl::StatusOr<BucketInfo>> Model::create_bucket(std::string name) {
  if (absl::Status s = check_bucket_name(name); !s.ok()) co_return s;
  absl::StatusOr<std::optional<BucketInfo>> existing = co_await bucket_by_name(name);
  if (!existing.ok()) co_return existing.status();
  if (existing->has_value()) co_return absl::AlreadyExistsError(absl::StrCat("bucket ", name, " already exists"));
  const std::string id = to_hex(new_uuid());
  const std::string created = absl::StrCat(absl::ToUnixMillis(env_.clock->now_wall()));
  std::map<std::string, std::string> fields{{"name", name}, {"created", created}, {"deleted", "0"}};
  absl::Status s = co_await put_map(t_.bucket, kBucketsPk, id, std::move(fields));
  if (!s.ok()) co_return s;
  std::optional<std::string> alias_of = id;
  s = co_await put_alias(name, std::move(alias_of));
  if (!s.ok()) co_return s;
  co_return BucketInfo{id, name, std::strtoll(created.c_str(), nullptr, 10), {}};
}

Task<absl::StatusOr<std::optional<BucketInfo>>> Model::bucket_by_name(std::string name) {
  std::string tree_key = make_tree_key(kAliasesPk, name);
  absl::StatusOr<std::optional<std::string>> raw = co_await t_.alias.get(std::move(tree_key));
  if (!raw.ok()) co_return raw.status();
  if (!raw->has_value()) co_return std::optional<BucketInfo>();
  absl::StatusOr<LwwRegister> alias = LwwRegister::decode(**raw);
  if (!alias.ok()) co_return alias.status();
  if (!alias->value) co_return std::optional<BucketInfo>();
  co_return co_await get_bucket(*alias->value);
}

Task<absl::StatusOr<BucketInfo>> Model::find_bucket(std::string pattern) {
  absl::StatusOr<std::optional<BucketInfo>> named = co_await bucket_by_name(pattern);
  if (!named.ok()) co_return named.status();
  if (named->has_value()) co_return **named;
  if (pattern.empty()) co_return absl::NotFoundError("no bucket named ''");
  absl::StatusOr<std::vector<BucketInfo>> all = co_await list_buckets();
  if (!all.ok()) co_return all.status();
  std::vector<BucketInfo> hits;
  for (BucketInfo& b : *all) {
    if (b.id == pattern) co_return b;
    if (absl::StartsWith(b.id, pattern)) hits.push_back(std::move(b));
  }
  if (hits.empty()) co_return absl::NotFoundError(absl::StrCat("no bucket is named ", pattern, " or has that id"));
  if (hits.size() > 1) {
    co_return absl::InvalidArgumentError(absl::StrCat(hits.size(), " buckets' ids begin with ", pattern));
  }
  assert(absl::StartsWith(hits[0].id, pattern));
  co_return hits[0];
}

Task<absl::StatusOr<std::optional<BucketInfo>>> Model::get_bucket(std::string id) {
  absl::StatusOr<std::optional<LwwMap>> m = co_await get_map(t_.bucket, kBucketsPk, id);
  if (!m.ok()) co_return m.status();
  if (!m->has_value() || deleted(**m)) co_return std::optional<BucketInfo>();
  co_return std::optional<BucketInfo>(bucket_from_map(id, **m));
}

Task<absl::StatusOr<std::vector<BucketInfo>>> Model::list_buckets() {
  absl::StatusOr<std::vector<std::pair<std::string, LwwMap>>> all = co_await list_map(t_.bucket, kBucketsPk);
  if (!all.ok()) co_return all.status();
  std::vector<BucketInfo> out;
  for (auto& [id, m] : *all)
    if (!deleted(m)) out.push_back(bucket_from_map(id, m));
  std::sort(out.begin(), out.end(), [](const BucketInfo& a, const BucketInfo& b) { return a.name < b.name; });
  co_return out;
}

Task<absl::Status> Model::delete_bucket(std::string id) {
  absl::StatusOr<std::optional<BucketInfo>> b = co_await get_bucket(id);
  if (!b.ok()) co_return b.status();
  if (!b->has_value()) co_return absl::NotFoundError("no such bucket");
  // Empty means no live object, whatever the number of tombstones before one: every entry is
  // read (page by page), not just a first page. Uploads in progress do not keep a bucket: they
  // are aborted with it (their parts' blocks are released by the object table's follow-ups).
  std::vector<std::pair<std::string, ObjectEntry>> uploads;
  std::string start;
  for (;;) {
    absl::StatusOr<std::vector<std::pair<std::string, ObjectEntry>>> page =
        co_await list_objects(id, start, kMaxTableBatch);
    if (!page.ok()) co_return page.status();
    for (auto& [key, entry] : *page) {
      if (entry.current() != nullptr) co_return absl::FailedPreconditionError("the bucket is not empty");
      ObjectEntry aborting;
      for (const ObjectVersion& v : entry.versions) {
        if (v.state != VersionState::kUploading) continue;
        ObjectVersion ended = v;
        ended.state = VersionState::kAborted;
        aborting.versions.push_back(std::move(ended));
      }
      if (!aborting.versions.empty()) uploads.emplace_back(key, std::move(aborting));
    }
    if (page->size() < kMaxTableBatch) break;
    start = page->back().first + std::string(1, '\0');  // just past the last key read
  }
  for (auto& [key, aborting] : uploads) {
    if (absl::Status s = co_await put_object(id, key, std::move(aborting)); !s.ok()) co_return s;
  }
  std::map<std::string, std::string> fields{{"deleted", "1"}};
  absl::Status s = co_await update_map(t_.bucket, kBucketsPk, id, std::move(fields));
  if (!s.ok()) co_return s;
  std::string name = (*b)->name;
  std::optional<std::string> no_bucket;
  co_return co_await put_alias(std::move(name), std::move(no_bucket));
}

Task<absl::Status> Model::set_bucket_document(std::string bucket_id, BucketDocument which, std::string document) {
  std::map<std::string, std::string> fields{{field_of(which), std::move(document)}};
  co_return co_await update_map(t_.bucket, kBucketsPk, std::move(bucket_id), std::move(fields));
}

Task<absl::Status> Model::set_bucket_anonymous(std::string bucket_id, AnonymousAccess access) {
  std::map<std::string, std::string> fields{{"anonymous", access.str()}};
  co_return co_await update_map(t_.bucket, kBucketsPk, std::move(bucket_id), std::move(fields));
}

Task<absl::Status> Model::set_global_alias(std::string alias, std::string bucket_id, bool present) {
  if (present) {
    if (absl::Status s = check_bucket_name(alias); !s.ok()) co_return s;
    absl::StatusOr<std::optional<BucketInfo>> taken = co_await bucket_by_name(alias);
    if (!taken.ok()) co_return taken.status();
    if (taken->has_value() && (*taken)->id != bucket_id) co_return absl::AlreadyExistsError("that name is taken");
  }
  std::optional<std::string> alias_of = present ? std::optional(bucket_id) : std::nullopt;
  co_return co_await put_alias(std::move(alias), std::move(alias_of));
}

Task<absl::Status> Model::set_local_alias(std::string key_id, std::string alias, std::string bucket_id, bool present) {
  if (present) {
    if (absl::Status s = check_bucket_name(alias); !s.ok()) co_return s;
  }
  std::map<std::string, std::string> fields{{"local:" + alias, present ? bucket_id : ""}};
  co_return co_await update_map(t_.key, kKeysPk, key_id, std::move(fields));
}

Task<absl::Status> Model::set_allow_create_bucket(std::string key_id, bool allow) {
  absl::StatusOr<std::optional<KeyInfo>> k = co_await get_key(key_id);
  if (!k.ok()) co_return k.status();
  if (!k->has_value()) co_return absl::NotFoundError("no such key");
  std::map<std::string, std::string> fields{{"allow_create_bucket", allow ? "1" : "0"}};
  co_return co_await update_map(t_.key, kKeysPk, key_id, std::move(fields));
}

Task<absl::Status> Model::set_permissions(std::string bucket_id, std::string key_id, Perms which, bool allow) {
  absl::StatusOr<std::optional<BucketInfo>> b = co_await get_bucket(bucket_id);
  if (!b.ok()) co_return b.status();
  if (!b->has_value()) co_return absl::NotFoundError("no such bucket");
  absl::StatusOr<std::optional<KeyInfo>> k = co_await get_key(key_id);
  if (!k.ok()) co_return k.status();
  if (!k->has_value()) co_return absl::NotFoundError("no such key");
  Perms p = (*k)->buckets.count(bucket_id) ? (*k)->buckets[bucket_id] : Perms{};
  if (which.read) p.read = allow;
  if (which.write) p.write = allow;
  if (which.owner) p.owner = allow;
  // The key's copy is the one authorization reads; the bucket's is for `bucket info`.
  std::map<std::string, std::string> on_key{{"bucket:" + bucket_id, p.str()}};
  absl::Status s = co_await update_map(t_.key, kKeysPk, key_id, std::move(on_key));
  if (!s.ok()) co_return s;
  std::map<std::string, std::string> on_bucket{{"key:" + key_id, p.str()}};
  co_return co_await update_map(t_.bucket, kBucketsPk, bucket_id, std::move(on_bucket));
}

// ---- objects

Task<absl::StatusOr<std::optional<ObjectEntry>>> Model::get_object(std::string bucket_id, std::string key) {
  std::string tree_key = make_tree_key(bucket_id, key);
  absl::StatusOr<std::optional<std::string>> raw = co_await t_.object.get(std::move(tree_key));
  if (!raw.ok()) co_return raw.status();
  if (!raw->has_value()) co_return std::optional<ObjectEntry>();
  absl::StatusOr<ObjectEntry> o = ObjectEntry::decode(**raw);
  if (!o.ok()) co_return o.status();
  co_return std::optional<ObjectEntry>(std::move(*o));
}

Task<absl::StatusOr<bool>> Model::object_names_version(std::string bucket_id, std::string key, std::string uuid) {
  std::string tree_key = make_tree_key(bucket_id, key);
  absl::StatusOr<std::optional<std::string>> raw = co_await t_.object.get_everywhere(std::move(tree_key));
  if (!raw.ok()) co_return raw.status();
  if (!raw->has_value()) co_return false;
  absl::StatusOr<ObjectEntry> o = ObjectEntry::decode(**raw);
  if (!o.ok()) co_return o.status();
  co_return o->find(uuid) != nullptr;
}

Task<absl::Status> Model::put_object(std::string bucket_id, std::string key, ObjectEntry entry) {
  std::vector<TableItem> items{TableItem{make_tree_key(bucket_id, key), entry.encode()}};
  co_return co_await t_.object.insert(std::move(items));
}

Task<absl::StatusOr<std::vector<std::pair<std::string, ObjectEntry>>>> Model::list_objects(std::string bucket_id,
                                                                                           std::string start,
                                                                                           uint32_t limit) {
  const std::string from = make_tree_key(bucket_id, start);
  absl::StatusOr<std::vector<TableItem>> items =
      co_await t_.object.get_live_range(from, partition_key_end(bucket_id), std::min(limit, kMaxTableBatch));
  if (!items.ok()) co_return items.status();
  std::vector<std::pair<std::string, ObjectEntry>> out;
  for (const TableItem& it : *items) {
    absl::StatusOr<ObjectEntry> o = ObjectEntry::decode(it.entry);
    if (!o.ok()) continue;
    out.emplace_back(it.tree_key.substr(32), std::move(*o));
  }
  co_return out;
}

Task<absl::StatusOr<std::optional<VersionEntry>>> Model::get_version(std::string uuid) {
  std::string tree_key = make_tree_key(uuid, "");
  absl::StatusOr<std::optional<std::string>> raw = co_await t_.version.get(std::move(tree_key));
  if (!raw.ok()) co_return raw.status();
  if (!raw->has_value()) co_return std::optional<VersionEntry>();
  absl::StatusOr<VersionEntry> v = VersionEntry::decode(**raw);
  if (!v.ok()) co_return v.status();
  co_return std::optional<VersionEntry>(std::move(*v));
}

Task<absl::Status> Model::put_version(std::string uuid, VersionEntry entry) {
  entry.uuid = uuid;
  std::vector<TableItem> items{TableItem{make_tree_key(uuid, ""), entry.encode()}};
  co_return co_await t_.version.insert(std::move(items));
}

Task<absl::Status> Model::put_version_and_refs(std::string uuid, VersionEntry entry) {
  std::vector<std::string> hashes;
  for (const auto& [slot, b] : entry.blocks) hashes.push_back(b.hash);
  absl::Status s = co_await put_block_refs(std::move(hashes), uuid, /*deleted_ref=*/false);
  if (!s.ok()) co_return s;
  co_return co_await put_version(uuid, std::move(entry));
}

Task<absl::Status> Model::put_block_refs(std::vector<std::string> hashes, std::string uuid, bool deleted_ref) {
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  std::vector<TableItem> items;
  for (const std::string& h : hashes)
    items.push_back(TableItem{make_tree_key(h, h + uuid), BlockRefEntry{deleted_ref}.encode()});
  if (items.empty()) co_return absl::OkStatus();
  co_return co_await t_.block_ref.insert(std::move(items));
}

// ---- multipart

Task<absl::Status> Model::put_part(std::string upload_uuid, uint32_t part_number, UploadPart part) {
  // A fourth field only with a checksum: parts without one read as before 2026-12-07.
  std::string value = absl::StrCat(to_hex(part.uuid), "|", part.etag, "|", part.size);
  if (!part.checksum_algorithm.empty()) absl::StrAppend(&value, "|", part.checksum_algorithm, ":", part.checksum);
  std::map<std::string, std::string> fields{{absl::StrFormat("part:%05d", part_number), std::move(value)}};
  const std::string no_sort_key;
  co_return co_await put_map(t_.mpu, upload_uuid, no_sort_key, std::move(fields));
}

Task<absl::StatusOr<bool>> Model::upload_names_part(std::string upload_uuid, std::string part_uuid) {
  std::string tree_key = make_tree_key(upload_uuid, "");
  absl::StatusOr<std::optional<std::string>> raw = co_await t_.mpu.get_everywhere(std::move(tree_key));
  if (!raw.ok()) co_return raw.status();
  if (!raw->has_value()) co_return false;
  absl::StatusOr<UploadEntry> u = UploadEntry::decode(**raw);
  if (!u.ok()) co_return u.status();
  for (const auto& [field, uuid] : u->part_uuids()) {
    if (uuid == part_uuid) co_return true;
  }
  co_return false;
}

Task<absl::StatusOr<std::map<uint32_t, UploadPart>>> Model::get_parts(std::string upload_uuid) {
  const std::string no_sort_key;
  absl::StatusOr<std::optional<LwwMap>> m = co_await get_map(t_.mpu, upload_uuid, no_sort_key);
  if (!m.ok()) co_return m.status();
  std::map<uint32_t, UploadPart> out;
  if (!m->has_value()) co_return out;
  for (const auto& [k, reg] : (*m)->items) {
    if (!absl::StartsWith(k, "part:") || !reg.value) continue;
    std::vector<std::string> f = absl::StrSplit(*reg.value, '|');
    if (f.size() != 3 && f.size() != 4) continue;
    UploadPart p{from_hex(f[0]), f[1], std::strtoull(f[2].c_str(), nullptr, 10), reg.stamp_ms};
    if (f.size() == 4) {
      const size_t colon = f[3].find(':');
      if (colon != std::string::npos) {
        p.checksum_algorithm = f[3].substr(0, colon);
        p.checksum = f[3].substr(colon + 1);
      }
    }
    out[static_cast<uint32_t>(std::strtoul(k.c_str() + 5, nullptr, 10))] = std::move(p);
  }
  co_return out;
}

}  // namespace garage
