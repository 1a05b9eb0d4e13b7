// Model: typed access to the S3 data model's replicated tables (DESIGN.md, "Data model").
//
// Tables and keys:
//   bucket    pk "buckets", sk bucket id      LwwMap: name, created, deleted, key:<id> = perms
//   key       pk "keys",    sk access key id  LwwMap: name, secret, created, deleted, bucket:<id> = perms,
//                                             local:<alias> = bucket id (names only this key sees),
//                                             allow_create_bucket = "1" | "0"
//   alias     pk "aliases", sk bucket name    LwwRegister: bucket id (global aliases)
//   object    pk bucket id, sk object key     ObjectEntry (node/model/object.h)
//   version   pk version uuid                 VersionEntry (node/model/version.h)
//   block_ref pk block hash, sk hash + uuid   BlockRefEntry (the hash repeated: resync reads it back)
//   mpu       pk upload uuid                  UploadEntry (node/model/upload.h): part:<nnnnn> =
//                                             "<uuid>|<etag>|<size>", ended
// Buckets, keys and aliases are small and live in one partition each, so they can be listed.
//
// Timestamps for new versions come from next_timestamp(): never lower than the last one this
// node issued, nor than the newest version already seen for the key, so a node's writes to one
// key are ordered even when its clock steps back. Administrative changes to buckets, keys and
// aliases are read first and stamped above every field read (update_map, put_alias): deleting
// a key, revoking a right or deleting a bucket wins over every grant or creation acknowledged
// before it, even one stamped by a node whose clock is hours ahead. Only changes concurrent
// with each other are ordered by the clocks (last writer wins).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/env.h"
#include "node/hash.h"
#include "node/model/object.h"
#include "node/model/upload.h"
#include "node/model/version.h"
#include "node/table/lww.h"
#include "node/table/table.h"

namespace garage {

inline constexpr char kBucketTable[] = "bucket";
inline constexpr char kKeyTable[] = "key";
inline constexpr char kAliasTable[] = "alias";

struct Perms {
  bool read = false;
  bool write = false;
  bool owner = false;
  bool any() const { return read || write || owner; }
  std::string str() const;  // "RWO" letters, "-" for none
  static Perms parse(std::string_view s);
  bool operator==(const Perms&) const = default;
};

// What anyone may do in a bucket without a key (`garage bucket anonymous`, the canned ACL
// public-read): nothing by default; read its objects (GET, HEAD); and list them.
struct AnonymousAccess {
  bool read = false;
  bool list = false;
  bool any() const { return read || list; }
  std::string str() const;  // "r", "l" letters; "" for none (the stored and admin form)
  static AnonymousAccess parse(std::string_view s);
  bool operator==(const AnonymousAccess&) const = default;
};

struct KeyInfo {
  std::string id;
  std::string name;
  std::string secret;
  int64_t created_ms = 0;
  std::map<std::string, Perms> buckets;              // bucket id -> rights
  std::map<std::string, std::string> local_aliases;  // name -> bucket id, seen by this key only
  bool allow_create_bucket = false;                  // may create buckets through S3 (off unless granted)
};

// A bucket configuration kept as one XML document (the S3 layer checks it: s3/cors.h,
// s3/website.h, s3/tagging.h; the model stores it as given).
enum class BucketDocument : uint8_t { kCors, kWebsite, kTagging };

struct BucketInfo {
  std::string id;
  std::string name;
  int64_t created_ms = 0;
  std::map<std::string, Perms> keys;  // key id -> rights
  std::string cors;                   // its CORS configuration (s3/cors.h's XML); empty: none
  std::string website;                // its website configuration (s3/website.h's XML); empty: none
  std::string tagging;                // its tags (s3/tagging.h's XML); empty: none
  AnonymousAccess anonymous;          // what requests without a signature may do there

  const std::string& document(BucketDocument which) const {
    return which == BucketDocument::kCors ? cors : which == BucketDocument::kWebsite ? website : tagging;
  }
};

struct UploadPart {
  std::string uuid;  // the part's own version uuid (its blocks)
  std::string etag;
  uint64_t size = 0;
  int64_t stamp_ms = 0;
  // The x-amz-checksum-* the part was sent with and that matched (ObjectMeta's form); empty: none.
  std::string checksum_algorithm;
  std::string checksum;
};

struct ModelTables {
  Table& bucket;
  Table& key;
  Table& alias;
  Table& object;
  Table& version;
  Table& block_ref;
  Table& mpu;
};

class Model {
 public:
  Model(Env env, ModelTables tables) : env_(env), t_(tables) {}

  // ---- access keys
  Task<absl::StatusOr<KeyInfo>> create_key(std::string name);
  // Imports a key with a given id and secret (scripts/run.sh reuses its key across restarts).
  Task<absl::StatusOr<KeyInfo>> import_key(std::string name, std::string id, std::string secret);
  Task<absl::StatusOr<std::optional<KeyInfo>>> get_key(std::string id);
  Task<absl::StatusOr<std::vector<KeyInfo>>> list_keys();
  // By exact id, id prefix or name; NotFound or InvalidArgument (ambiguous) otherwise.
  Task<absl::StatusOr<KeyInfo>> find_key(std::string pattern);
  Task<absl::Status> delete_key(std::string id);
  Task<absl::Status> set_allow_create_bucket(std::string key_id, bool allow);

  // ---- buckets
  Task<absl::StatusOr<BucketInfo>> create_bucket(std::string name);
  Task<absl::StatusOr<std::optional<BucketInfo>>> bucket_by_name(std::string name);
  // By global name, exact id or unique id prefix, in that order (a name wins over an id
  // prefix); deleted buckets never match. NotFound, or InvalidArgument when ambiguous.
  Task<absl::StatusOr<BucketInfo>> find_bucket(std::string pattern);
  Task<absl::StatusOr<std::optional<BucketInfo>>> get_bucket(std::string id);
  Task<absl::StatusOr<std::vector<BucketInfo>>> list_buckets();
  // FailedPrecondition if it still holds objects.
  Task<absl::Status> delete_bucket(std::string id);
  // Global aliases (every key sees them) and local ones (a key's own names for buckets).
  Task<absl::Status> set_global_alias(std::string alias, std::string bucket_id, bool present);
  Task<absl::Status> set_local_alias(std::string key_id, std::string alias, std::string bucket_id, bool present);
  // A bucket's CORS configuration, website configuration or tags (PutBucketCors,
  // PutBucketWebsite and `garage bucket website`, PutBucketTagging; empty: none).
  Task<absl::Status> set_bucket_document(std::string bucket_id, BucketDocument which, std::string document);
  Task<absl::Status> set_bucket_anonymous(std::string bucket_id, AnonymousAccess access);
  // Grants (allow) or revokes (!allow) the rights set in `which`.
  Task<absl::Status> set_permissions(std::string bucket_id, std::string key_id, Perms which, bool allow);

  // ---- objects
  Task<absl::StatusOr<std::optional<ObjectEntry>>> get_object(std::string bucket_id, std::string key);
  Task<absl::Status> put_object(std::string bucket_id, std::string key, ObjectEntry entry);
  // Up to `limit` object entries with start <= key (all keys if start is empty), in key order;
  // deleted keys are skipped at the cost of a seek (Table::get_live_range), though a few may
  // still come back as tombstones. Fewer than `limit` entries: no more keys.
  Task<absl::StatusOr<std::vector<std::pair<std::string, ObjectEntry>>>> list_objects(std::string bucket_id,
                                                                                      std::string start,
                                                                                      uint32_t limit);
  Task<absl::StatusOr<std::optional<VersionEntry>>> get_version(std::string uuid);
  Task<absl::Status> put_version(std::string uuid, VersionEntry entry);
  // A new version's block references, then its block list (in that order: a block is never
  // listed before it is referenced). A failure leaves what was written: the caller's write
  // journal takes it back (node/model/write_journal.h). Never a tombstone here: a retry under
  // the same uuid would merge into it and name a deleted list.
  Task<absl::Status> put_version_and_refs(std::string uuid, VersionEntry entry);
  Task<absl::Status> put_block_refs(std::vector<std::string> hashes, std::string uuid, bool deleted);

  // ---- multipart uploads (the upload's state itself is an uploading ObjectVersion)
  Task<absl::Status> put_part(std::string upload_uuid, uint32_t part_number, UploadPart part);
  Task<absl::StatusOr<std::map<uint32_t, UploadPart>>> get_parts(std::string upload_uuid);

  // ---- for rolling back cut writes (node/model/write_journal.h): every replica is asked, and
  // any error (one replica unreachable) means "cannot tell yet".
  Task<absl::StatusOr<bool>> object_names_version(std::string bucket_id, std::string key, std::string uuid);
  Task<absl::StatusOr<bool>> upload_names_part(std::string upload_uuid, std::string part_uuid);

  // ---- ids and time
  std::string new_uuid();  // 16 unpredictable bytes (Entropy): clients see these ids
  int64_t next_timestamp(int64_t at_least = 0);

 private:
  // Writes `fields` (or deletes them) stamped above `above_stamp` and this node's last stamp.
  Task<absl::Status> put_map(Table& table, std::string pk, std::string sk, std::map<std::string, std::string> fields,
                             bool delete_fields = false, int64_t above_stamp = 0);
  // The same, stamped above every field of the entry as read first: an administrative change
  // wins over every change acknowledged before it began, whatever the nodes' clocks.
  Task<absl::Status> update_map(Table& table, std::string pk, std::string sk, std::map<std::string, std::string> fields,
                                bool delete_fields = false);
  // A global alias set (bucket id) or removed (nullopt), stamped above the register as read.
  Task<absl::Status> put_alias(std::string alias, std::optional<std::string> bucket_id);
  Task<absl::StatusOr<std::optional<LwwMap>>> get_map(Table& table, std::string pk, std::string sk);
  // Removes every right, alias and permission a key holds, on the key and on its buckets.
  Task<absl::Status> revoke_everything(std::string id, LwwMap key);
  Task<absl::StatusOr<std::vector<std::pair<std::string, LwwMap>>>> list_map(Table& table, std::string pk);

  Env env_;
  ModelTables t_;
  int64_t last_timestamp_ = 0;
};

// The tree key just past every sort key of `pk` (for range reads of one partition key).
std::string partition_key_end(std::string_view pk);

}  // namespace garage
