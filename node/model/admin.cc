#include "node/model/admin.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "node/codec.h"

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
  if (op < 1 || op > 15) d.fail("unknown admin op");
  r.op = static_cast<Op>(op);
  r.args = d.list<std::string>(8, [](Decoder& d) { return d.str(1024); });
  if (absl::Status s = d.finish(); !s.ok()) return s;
  return r;
}

void Admin::register_rpcs(RpcRouter& router) {
  router.add(RpcMethod::kAdmin, [this](NodeId, std::string payload) -> Task<absl::StatusOr<std::string>> {
    absl::StatusOr<AdminRequest> req = AdminRequest::decode(payload);
    if (!req.ok()) co_return req.status();
    co_return co_await execute(std::move(*req));
  });
}

namespace {
std::string describe_key(const KeyInfo& k, const std::map<std::string, std::string>& bucket_names, bool secret) {
  std::string out = absl::StrCat("Key name: ", k.name, "\nKey ID: ", k.id, "\n");
  if (secret) absl::StrAppend(&out, "Secret key: ", k.secret, "\n");
  absl::StrAppend(&out, "Can create buckets: ", k.allow_create_bucket ? "yes" : "no", "\n");
  for (const auto& [alias, id] : k.local_aliases) {
    auto it = bucket_names.find(id);
    absl::StrAppend(&out, "Local alias: ", alias, " -> ", it == bucket_names.end() ? id : it->second, "\n");
  }
  absl::StrAppend(&out, "Buckets:\n");
  for (const auto& [id, p] : k.buckets) {
    auto it = bucket_names.find(id);
    absl::StrAppend(&out, absl::StrFormat("  %-4s %s\n", p.str(), it == bucket_names.end() ? id : it->second));
  }
  return out;
}
}  // namespace

Task<absl::StatusOr<std::string>> Admin::execute(AdminRequest r) {
  using Op = AdminRequest::Op;
  auto need = [&](size_t n) { return r.args.size() == n; };
  std::map<std::string, std::string> bucket_names;
  if (r.op == Op::kKeyInfo || r.op == Op::kKeyCreate || r.op == Op::kKeyImport) {
    absl::StatusOr<std::vector<BucketInfo>> all = co_await model_.list_buckets();
    if (all.ok())
      for (const BucketInfo& b : *all) bucket_names[b.id] = b.name;
  }
  switch (r.op) {
    case Op::kKeyCreate: {
      if (!need(1)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.create_key(r.args[0]);
      if (!k.ok()) co_return k.status();
      co_return describe_key(*k, bucket_names, true);
    }
    case Op::kKeyImport: {
      if (!need(3)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.import_key(r.args[0], r.args[1], r.args[2]);
      if (!k.ok()) co_return k.status();
      co_return describe_key(*k, bucket_names, false);
    }
    case Op::kKeyList: {
      absl::StatusOr<std::vector<KeyInfo>> keys = co_await model_.list_keys();
      if (!keys.ok()) co_return keys.status();
      std::string out = "ID                           Name\n";
      for (const KeyInfo& k : *keys) absl::StrAppend(&out, absl::StrFormat("%-28s %s\n", k.id, k.name));
      co_return out;
    }
    case Op::kKeyInfo: {
      if (!need(1)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[0]);
      if (!k.ok()) co_return k.status();
      co_return describe_key(*k, bucket_names, true);
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
      co_return absl::StrCat("Key ", k->id, allow ? " may now create buckets.\n" : " may no longer create buckets.\n");
    }
    case Op::kKeyDelete: {
      if (!need(1)) break;
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[0]);
      if (!k.ok()) co_return k.status();
      absl::Status s = co_await model_.delete_key(k->id);
      if (!s.ok()) co_return s;
      co_return absl::StrCat("Key ", k->id, " deleted.\n");
    }
    case Op::kBucketCreate: {
      if (!need(1)) break;
      absl::StatusOr<BucketInfo> b = co_await model_.create_bucket(r.args[0]);
      if (!b.ok()) co_return b.status();
      co_return absl::StrCat("Bucket ", b->name, " created (id ", b->id, ").\n");
    }
    case Op::kBucketList: {
      absl::StatusOr<std::vector<BucketInfo>> all = co_await model_.list_buckets();
      if (!all.ok()) co_return all.status();
      std::string out = "Name                             ID\n";
      for (const BucketInfo& b : *all) absl::StrAppend(&out, absl::StrFormat("%-32s %s\n", b.name, b.id));
      co_return out;
    }
    case Op::kBucketInfo: {
      if (!need(1)) break;
      absl::StatusOr<std::optional<BucketInfo>> b = co_await model_.bucket_by_name(r.args[0]);
      if (!b.ok()) co_return b.status();
      if (!b->has_value()) co_return absl::NotFoundError(absl::StrCat("no bucket named ", r.args[0]));
      std::string out = absl::StrCat("Bucket: ", (*b)->name, "\nID: ", (*b)->id, "\nKeys:\n");
      for (const auto& [id, p] : (*b)->keys) absl::StrAppend(&out, absl::StrFormat("  %-4s %s\n", p.str(), id));
      co_return out;
    }
    case Op::kBucketDelete: {
      if (!need(1)) break;
      absl::StatusOr<std::optional<BucketInfo>> b = co_await model_.bucket_by_name(r.args[0]);
      if (!b.ok()) co_return b.status();
      if (!b->has_value()) co_return absl::NotFoundError(absl::StrCat("no bucket named ", r.args[0]));
      absl::Status s = co_await model_.delete_bucket((*b)->id);
      if (!s.ok()) co_return s;
      co_return absl::StrCat("Bucket ", r.args[0], " deleted.\n");
    }
    case Op::kBucketAllow:
    case Op::kBucketDeny: {
      if (!need(3)) break;
      absl::StatusOr<std::optional<BucketInfo>> b = co_await model_.bucket_by_name(r.args[0]);
      if (!b.ok()) co_return b.status();
      if (!b->has_value()) co_return absl::NotFoundError(absl::StrCat("no bucket named ", r.args[0]));
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[1]);
      if (!k.ok()) co_return k.status();
      const Perms which = Perms::parse(r.args[2]);
      if (!which.any()) co_return absl::InvalidArgumentError("give at least one of --read, --write, --owner");
      const bool allow = r.op == Op::kBucketAllow;
      absl::Status s = co_await model_.set_permissions((*b)->id, k->id, which, allow);
      if (!s.ok()) co_return s;
      co_return absl::StrCat(allow ? "Allowed " : "Denied ", which.str(), " on bucket ", r.args[0], " for key ", k->id,
                             ".\n");
    }
    case Op::kBucketAlias: {
      if (!need(3)) break;
      absl::StatusOr<std::optional<BucketInfo>> b = co_await model_.bucket_by_name(r.args[0]);
      if (!b.ok()) co_return b.status();
      if (!b->has_value()) co_return absl::NotFoundError(absl::StrCat("no bucket named ", r.args[0]));
      if (r.args[2].empty()) {
        absl::Status s = co_await model_.set_global_alias(r.args[1], (*b)->id, true);
        if (!s.ok()) co_return s;
        co_return absl::StrCat("Global alias ", r.args[1], " -> ", r.args[0], ".\n");
      }
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[2]);
      if (!k.ok()) co_return k.status();
      absl::Status s = co_await model_.set_local_alias(k->id, r.args[1], (*b)->id, true);
      if (!s.ok()) co_return s;
      co_return absl::StrCat("Local alias ", r.args[1], " -> ", r.args[0], " for key ", k->id, ".\n");
    }
    case Op::kBucketUnalias: {
      if (!need(2)) break;
      if (r.args[1].empty()) {
        absl::Status s = co_await model_.set_global_alias(r.args[0], "", false);
        if (!s.ok()) co_return s;
        co_return absl::StrCat("Global alias ", r.args[0], " removed.\n");
      }
      absl::StatusOr<KeyInfo> k = co_await model_.find_key(r.args[1]);
      if (!k.ok()) co_return k.status();
      absl::Status s = co_await model_.set_local_alias(k->id, r.args[0], "", false);
      if (!s.ok()) co_return s;
      co_return absl::StrCat("Local alias ", r.args[0], " removed for key ", k->id, ".\n");
    }
  }
  co_return absl::InvalidArgumentError("wrong number of arguments for this admin operation");
}

}  // namespace garage
