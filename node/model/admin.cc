#include "node/model/admin.h"

#include "absl/strings/str_cat.h"
#include "node/codec.h"
#include "node/planted.h"

namespace garage {

std::string AdminRequest::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.u8(static_cast<uint8_t>(op));
  e.list(args, [](Encoder& e, const std::string& a) { e.str(a); });
  return e.take();
}

absl::StatusOr<AdminRequest> AdminRequest::decode(std::string_view bytes) {
  Decoder d(bytes);
  d.version(kVersion, kVersion);
  AdminRequest r;
  const uint8_t op = d.u8();
  if (op < 1 || op > static_cast<uint8_t>(Op::kBucketAnonymous)) d.fail("unknown admin op");
  r.op = static_cast<Op>(op);
  r.args = d.list<std::string>(8, [](Decoder& d) { return d.str(1024); });
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return r;
}

namespace {

// Sizes a reply may carry: a cluster's keys and buckets, each with its grants.
constexpr uint32_t kMaxReplyItems = 1 << 20;
constexpr uint32_t kMaxGrants = 1 << 16;

void encode_perms(Encoder& e, const std::pair<const std::string, Perms>& grant) {
  e.str(grant.first);
  e.u8(static_cast<uint8_t>(grant.second.read | grant.second.write << 1 | grant.second.owner << 2));
}

std::map<std::string, Perms> decode_grants(Decoder& d) {
  std::map<std::string, Perms> out;
  for (auto& [id, bits] : d.list<std::pair<std::string, uint8_t>>(kMaxGrants, [](Decoder& d) {
         std::string id = d.str(1024);
         return std::pair{id, d.u8()};
       })) {
    out[id] = Perms{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0};
  }
  return out;
}

template <typename Map>
std::vector<std::pair<std::string, typename Map::mapped_type>> entries(const Map& m) {
  return {m.begin(), m.end()};
}

std::map<std::string, std::string> decode_names(Decoder& d) {
  std::map<std::string, std::string> out;
  for (auto& [a, b] : d.list<std::pair<std::string, std::string>>(kMaxReplyItems, [](Decoder& d) {
         std::string first = d.str(1024);
         return std::pair{first, d.str(1024)};
       })) {
    out[a] = b;
  }
  return out;
}

void encode_names(Encoder& e, const std::map<std::string, std::string>& names) {
  e.list(entries(names), [](Encoder& e, const std::pair<std::string, std::string>& p) {
    e.str(p.first);
    e.str(p.second);
  });
}

}  // namespace

std::string AdminReply::encode() const {
  Encoder e;
  e.u8(kVersion);
  e.list(keys, [](Encoder& e, const KeyInfo& k) {
    e.str(k.id);
    e.str(k.name);
    e.str(k.secret);
    e.i64(k.created_ms);
    e.list(entries(k.buckets), [](Encoder& e, const std::pair<std::string, Perms>& g) { encode_perms(e, g); });
    encode_names(e, k.local_aliases);
    e.boolean(k.allow_create_bucket);
  });
  e.list(buckets, [](Encoder& e, const BucketInfo& b) {
    e.str(b.id);
    e.str(b.name);
    e.i64(b.created_ms);
    e.list(entries(b.keys), [](Encoder& e, const std::pair<std::string, Perms>& g) { encode_perms(e, g); });
    e.str(b.anonymous.str());
    e.str(b.cors);
    e.str(b.website);
    e.str(b.tagging);
  });
  encode_names(e, bucket_names);
  return e.take();
}

absl::StatusOr<AdminReply> AdminReply::decode(std::string_view bytes) {
  Decoder d(bytes);
  const uint8_t format = d.version(1, kVersion);
  AdminReply r;
  r.keys = d.list<KeyInfo>(kMaxReplyItems, [](Decoder& d) {
    KeyInfo k;
    k.id = d.str(1024);
    k.name = d.str(1024);
    k.secret = d.str(1024);
    k.created_ms = d.i64();
    k.buckets = decode_grants(d);
    k.local_aliases = decode_names(d);
    k.allow_create_bucket = d.boolean();
    return k;
  });
  r.buckets = d.list<BucketInfo>(kMaxReplyItems, [format](Decoder& d) {
    BucketInfo b;
    b.id = d.str(1024);
    b.name = d.str(1024);
    b.created_ms = d.i64();
    b.keys = decode_grants(d);
    if (format >= 2) b.anonymous = AnonymousAccess::parse(d.str(8));
    if (format >= 3) {
      b.cors = d.str(kMaxDocumentBytes);
      b.website = d.str(kMaxDocumentBytes);
      b.tagging = d.str(kMaxDocumentBytes);
    }
    return b;
  });
  r.bucket_names = decode_names(d);
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return r;
}

void Admin::register_rpcs(RpcRouter& router) {
  router.add(RpcMethod::kAdmin, [this](NodeId, std::string payload) -> Task<absl::StatusOr<std::string>> {
    absl::StatusOr<AdminRequest> req = AdminRequest::decode(payload);
    if (!req.ok()) co_return req.status();
    absl::StatusOr<AdminReply> reply = co_await execute(std::move(*req));
    if (!reply.ok()) co_return reply.status();
    co_return reply->encode();
  });
}

Task<absl::StatusOr<AdminReply>> Admin::execute(AdminRequest r) {
  using Op = AdminRequest::Op;
  auto need = [&](size_t n) { return r.args.size() == n; };
  AdminReply reply;
  if (r.op == Op::kKeyInfo || r.op == Op::kKeyCreate || r.op == Op::kKeyImport) {
    absl::StatusOr<std::vector<BucketInfo>> all = co_await model_.list_buckets();
    if (!all.ok()) co_return all.status();  // key info tells live buckets from deleted ones by it
    for (const BucketInfo& b : *all) reply.bucket_names[b.id] = b.name;
  }
  switch (r.op) {
    case Op::kKeyCreate: {
      if (!need(1)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.create_key(r.args[0]);
      if (!k.ok()) co_return k.status();
      reply.keys.push_back(*k);
      co_return reply;
    }
    case Op::kKeyImport: {
      if (!need(3)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.import_key(r.args[0], r.args[1], r.args[2]);
      if (!k.ok()) co_return k.status();
      k->secret.clear();  // the caller gave it
      reply.keys.push_back(*k);
      co_return reply;
    }
    case Op::kKeyList: {
      absl::StatusOr<std::vector<KeyInfo>> keys = co_await model_.list_keys();
      if (!keys.ok()) co_return keys.status();
      for (KeyInfo& k : *keys) k.secret.clear();
      reply.keys = std::move(*keys);
      co_return reply;
    }
    case Op::kKeyInfo: {
      if (!need(1)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[0]);
      if (!k.ok()) co_return k.status();
      // A deleted bucket leaves its grants and local names on the keys (deletion does not
      // visit every key): they lead nowhere and are not shown.
      std::erase_if(k->buckets, [&](const auto& grant) { return !reply.bucket_names.contains(grant.first); });
      std::erase_if(k->local_aliases, [&](const auto& name) { return !reply.bucket_names.contains(name.second); });
      reply.keys.push_back(*k);
      co_return reply;
    }
    case Op::kKeyAllow:
    case Op::kKeyDeny: {
      if (!need(2)) break;
      if (r.args[1] != "create_bucket") co_return absl::InvalidArgumentError("say which right: --create-bucket");
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[0]);
      if (!k.ok()) co_return k.status();
      const bool allow = r.op == Op::kKeyAllow;
      absl::Status s = co_await model_.set_allow_create_bucket(k->id, allow);
      if (!s.ok()) co_return s;
      k->secret.clear();
      k->allow_create_bucket = allow;
      reply.keys.push_back(*k);
      co_return reply;
    }
    case Op::kKeyDelete: {
      if (!need(1)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[0]);
      if (!k.ok()) co_return k.status();
      absl::Status s = co_await model_.delete_key(k->id);
      if (!s.ok()) co_return s;
      k->secret.clear();
      reply.keys.push_back(*k);
      co_return reply;
    }
    case Op::kBucketCreate: {
      if (!need(1)) break;
      absl::StatusOr<BucketInfo> b = co_await model_.create_bucket(r.args[0]);
      if (!b.ok()) co_return b.status();
      reply.buckets.push_back(*b);
      co_return reply;
    }
    case Op::kBucketList: {
      absl::StatusOr<std::vector<BucketInfo>> all = co_await model_.list_buckets();
      if (!all.ok()) co_return all.status();
      reply.buckets = std::move(*all);
      // A listing names buckets: their documents are for `bucket info`.
      for (BucketInfo& b : reply.buckets) b.cors.clear(), b.website.clear(), b.tagging.clear();
      co_return reply;
    }
    case Op::kBucketInfo:
    case Op::kBucketDelete:
    case Op::kBucketAllow:
    case Op::kBucketDeny:
    case Op::kBucketAlias:
    case Op::kBucketWebsite:
    case Op::kBucketAnonymous: {
      const bool sizes_ok = (r.op == Op::kBucketInfo || r.op == Op::kBucketDelete)         ? need(1)
                            : (r.op == Op::kBucketWebsite || r.op == Op::kBucketAnonymous) ? need(2)
                                                                                           : need(3);
      if (!sizes_ok) break;
      absl::StatusOr<BucketInfo> b = co_await model_.find_bucket(r.args[0]);
      if (!b.ok()) co_return b.status();
      reply.buckets.push_back(std::move(*b));
      co_return co_await change_bucket(std::move(r), std::move(reply));
    }
    case Op::kBucketUnalias: {
      if (!need(2)) break;
      if (r.args[1].empty()) {
        if (planted(planted_unalias_does_nothing_)) co_return reply;
        absl::Status s = co_await model_.set_global_alias(r.args[0], "", false);
        if (!s.ok()) co_return s;
        co_return reply;
      }
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[1]);
      if (!k.ok()) co_return k.status();
      absl::Status s = co_await model_.set_local_alias(k->id, r.args[0], "", false);
      if (!s.ok()) co_return s;
      k->secret.clear();
      reply.keys.push_back(*k);
      co_return reply;
    }
  }
  co_return absl::InvalidArgumentError("wrong number of arguments for this admin operation");
}

// The bucket operations once the bucket is found (reply.buckets[0]).
Task<absl::StatusOr<AdminReply>> Admin::change_bucket(AdminRequest r, AdminReply reply) {
  using Op = AdminRequest::Op;
  const std::string bucket_id = reply.buckets[0].id;
  switch (r.op) {
    case Op::kBucketInfo:
      co_return reply;
    case Op::kBucketDelete: {
      absl::Status s = co_await model_.delete_bucket(bucket_id);
      if (!s.ok()) co_return s;
      co_return reply;
    }
    case Op::kBucketWebsite: {
      // The CLI wrote the configuration (node/assembly/cli_parser.cc, with s3/website.h); the
      // S3 layer reads it back and refuses to serve one it cannot parse.
      absl::Status s = co_await model_.set_bucket_document(bucket_id, BucketDocument::kWebsite, r.args[1]);
      if (!s.ok()) co_return s;
      reply.buckets[0].website = r.args[1];
      co_return reply;
    }
    case Op::kBucketAnonymous: {
      const AnonymousAccess access = AnonymousAccess::parse(r.args[1]);
      if (access.str() != r.args[1]) co_return absl::InvalidArgumentError("anonymous access: 'r', 'rl' or ''");
      absl::Status s = co_await model_.set_bucket_anonymous(bucket_id, access);
      if (!s.ok()) co_return s;
      reply.buckets[0].anonymous = access;
      co_return reply;
    }
    case Op::kBucketAllow:
    case Op::kBucketDeny: {
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[1]);
      if (!k.ok()) co_return k.status();
      const Perms which = Perms::parse(r.args[2]);
      if (!which.any()) co_return absl::InvalidArgumentError("give at least one of --read, --write, --owner");
      absl::Status s = co_await model_.set_permissions(bucket_id, k->id, which, r.op == Op::kBucketAllow);
      if (!s.ok()) co_return s;
      k->secret.clear();
      reply.keys.push_back(*k);
      co_return reply;
    }
    case Op::kBucketAlias: {
      if (r.args[2].empty()) {
        absl::Status s = co_await model_.set_global_alias(r.args[1], bucket_id, true);
        if (!s.ok()) co_return s;
        co_return reply;
      }
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[2]);
      if (!k.ok()) co_return k.status();
      absl::Status s = co_await model_.set_local_alias(k->id, r.args[1], bucket_id, true);
      if (!s.ok()) co_return s;
      k->secret.clear();
      reply.keys.push_back(*k);
      co_return reply;
    }
    default:
      break;
  }
  co_return absl::InternalError("not a bucket operation");
}

}  // namespace garage
