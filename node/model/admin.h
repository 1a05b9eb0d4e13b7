// Admin: the CLI's view of keys and buckets (`garage key ...`, `garage bucket ...`), over the
// kAdmin RPC. Replies are typed (AdminReply); the CLI formats them (node/assembly/cli_format.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/model/model.h"
#include "node/rpc.h"

namespace garage {

struct AdminRequest {
  static constexpr uint8_t kVersion = 1;
  enum class Op : uint8_t {
    kKeyCreate = 1,  // args: name
    kKeyImport = 2,  // args: name, id, secret
    kKeyList = 3,
    kKeyInfo = 4,       // args: id, id prefix or name
    kKeyDelete = 5,     // args: id, id prefix or name
    kBucketCreate = 6,  // args: name
    kBucketList = 7,
    kBucketInfo = 8,        // args: name
    kBucketDelete = 9,      // args: name
    kBucketAllow = 10,      // args: bucket, key, perms ("RWO" letters)
    kBucketDeny = 11,       // args: bucket, key, perms
    kBucketAlias = 12,      // args: bucket, alias, key ("": a global alias)
    kBucketUnalias = 13,    // args: alias, key ("": the global alias)
    kKeyAllow = 14,         // args: key, flag ("create_bucket")
    kKeyDeny = 15,          // args: key, flag
    kBucketWebsite = 16,    // args: bucket, website configuration (s3/website.h's XML; "": none)
    kBucketAnonymous = 17,  // args: bucket, access (AnonymousAccess::str(): "r", "rl"; "": none)
  };
  Op op = Op::kKeyList;
  std::vector<std::string> args;
  std::string encode() const;
  static absl::StatusOr<AdminRequest> decode(std::string_view bytes);
};

// What an admin operation answers. Secrets travel only where the CLI shows them: a created
// key's, and `key info`'s.
struct AdminReply {
  // 2: a bucket carries its anonymous access; 3: and its documents (CORS, website, tags).
  // Formats 1 and 2 still decode.
  static constexpr uint8_t kVersion = 3;
  // A bucket document as a reply carries it (S3 refuses larger ones: 64 KiB each).
  static constexpr size_t kMaxDocumentBytes = 256 * 1024;
  // The key the operation is about (key create, import, info, allow, deny, delete; bucket
  // allow, deny, a local alias), or every key without its secret (key list).
  std::vector<KeyInfo> keys;
  // The bucket the operation is about (bucket create, info, delete, allow, deny, alias), or
  // every bucket (bucket list).
  std::vector<BucketInfo> buckets;
  std::map<std::string, std::string> bucket_names;  // bucket id -> name: names a key's buckets
  std::string encode() const;
  static absl::StatusOr<AdminReply> decode(std::string_view bytes);
};

class Admin {
 public:
  // `planted_unalias_does_nothing`: simulation only (node/planted.h), `bucket unalias` of a
  // global alias answers success and changes nothing.
  explicit Admin(Model& model, bool planted_unalias_does_nothing = false)
      : model_(model), planted_unalias_does_nothing_(planted_unalias_does_nothing) {}
  void register_rpcs(RpcRouter& router);
  Task<absl::StatusOr<AdminReply>> execute(AdminRequest request);

 private:
  Task<absl::StatusOr<AdminReply>> change_bucket(AdminRequest request, AdminReply reply);

  Model& model_;
  const bool planted_unalias_does_nothing_;
};

}  // namespace garage
