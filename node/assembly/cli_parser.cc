#include "node/assembly/cli_parser.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <tuple>
#include <utility>

#include "node/version.h"
#include "s3/website.h"

namespace garage {

std::optional<int> parse_command_line(int argc, char** argv, CliCommand& command) {
  CLI::App app{"garage: an S3-compatible object store for small self-hosted geo-distributed clusters"};
  app.require_subcommand(1);
  // Options of a command also work after its subcommands (`garage status -c f.toml`, `garage
  // bucket allow b --key k --rpc-host h`); subcommands inherit this. A subcommand's own option
  // wins: `layout assign -c 2T` is a capacity.
  app.fallthrough();
  app.add_option("-c,--config", command.config_path, "configuration file")->capture_default_str();
  // `garage --version` / `-V` print the version and exit 0, needing no subcommand. A
  // subcommand's own --version still wins: `layout apply --version 7` is a layout version.
  app.set_version_flag("-V,--version", std::string(kGarageVersion));

  CLI::App* server = app.add_subcommand("server", "run a node");
  CLI::App* status = app.add_subcommand("status", "show the nodes of the cluster, up or down");
  CLI::App* layout = app.add_subcommand("layout", "show and change the cluster layout");
  layout->require_subcommand(1);
  LayoutArgs& largs = command.layout;
  CLI::App* l_show = layout->add_subcommand("show", "the current layout, staged changes and their effect");
  CLI::App* l_assign = layout->add_subcommand("assign", "stage a role for a node");
  l_assign->add_option("node", largs.node, "node id (a unique prefix is enough)")->required();
  l_assign->add_option("-z,--zone", largs.zone, "zone (site) of the node");
  l_assign->add_option("-c,--capacity", largs.capacity, "storage capacity, e.g. 500G, 2T");
  l_assign->add_flag("-g,--gateway", largs.gateway, "the node stores nothing");
  l_assign->add_option("-t,--tag", largs.tags, "tag (repeatable)");
  CLI::App* l_remove = layout->add_subcommand("remove", "stage the removal of a node");
  l_remove->add_option("node", largs.node, "node id (a unique prefix is enough)")->required();
  CLI::App* l_apply = layout->add_subcommand("apply", "apply the staged changes as a new version");
  l_apply->add_option("--version", largs.version, "the new version number (as `layout show` says)")->required();
  CLI::App* l_revert = layout->add_subcommand("revert", "drop the staged changes");

  CLI::App* debug = app.add_subcommand("debug", "low-level tools: the replicated debug_kv table");
  debug->require_subcommand(1);
  std::string kv_key, kv_value;
  CLI::App* kv_put = debug->add_subcommand("kv-put", "write KEY = VALUE (returns once a write quorum has it)");
  kv_put->add_option("key", kv_key)->required();
  kv_put->add_option("value", kv_value)->required();
  CLI::App* kv_get = debug->add_subcommand("kv-get", "read KEY from a read quorum (exit 2 if absent)");
  kv_get->add_option("key", kv_key)->required();
  CLI::App* kv_del = debug->add_subcommand("kv-del", "delete KEY");
  kv_del->add_option("key", kv_key)->required();

  CLI::App* key = app.add_subcommand("key", "S3 access keys");
  key->require_subcommand(1);
  std::string key_name, key_id, key_secret, bucket_name;
  CLI::App* k_create = key->add_subcommand("create", "create a key (prints its id and secret)");
  k_create->add_option("name", key_name)->required();
  CLI::App* k_import = key->add_subcommand("import", "add a key with a given id and secret");
  k_import->add_option("name", key_name)->required();
  k_import->add_option("--id", key_id, "access key id")->required();
  k_import->add_option("--secret", key_secret, "secret key")->required();
  CLI::App* k_list = key->add_subcommand("list", "list keys");
  CLI::App* k_info = key->add_subcommand("info", "a key's id, secret and buckets");
  k_info->add_option("key", key_name, "id, id prefix or name")->required();
  CLI::App* k_delete = key->add_subcommand("delete", "delete a key");
  k_delete->add_option("key", key_name, "id, id prefix or name")->required();
  bool create_bucket_flag = false;
  CLI::App* k_allow = key->add_subcommand("allow", "give a key a right that is not about one bucket");
  CLI::App* k_deny = key->add_subcommand("deny", "take such a right away");
  for (CLI::App* sub : {k_allow, k_deny}) {
    sub->add_option("key", key_name, "id, id prefix or name")->required();
    sub->add_flag("--create-bucket", create_bucket_flag, "creating buckets through S3")->required();
  }

  CLI::App* bucket = app.add_subcommand("bucket", "S3 buckets");
  bucket->require_subcommand(1);
  bool perm_read = false, perm_write = false, perm_owner = false;
  CLI::App* b_create = bucket->add_subcommand("create", "create a bucket");
  CLI::App* b_list = bucket->add_subcommand("list", "list buckets");
  CLI::App* b_info = bucket->add_subcommand("info", "a bucket's id and keys");
  CLI::App* b_delete = bucket->add_subcommand("delete", "delete an empty bucket");
  CLI::App* b_allow = bucket->add_subcommand("allow", "give a key rights on a bucket");
  CLI::App* b_deny = bucket->add_subcommand("deny", "take rights away from a key");
  std::string alias_name, alias_key;
  CLI::App* b_alias = bucket->add_subcommand("alias", "give a bucket another name (global, or --local to one key)");
  b_alias->add_option("bucket", bucket_name)->required();
  b_alias->add_option("alias", alias_name)->required();
  b_alias->add_option("--local", alias_key, "the key that alone sees this name");
  CLI::App* b_unalias = bucket->add_subcommand("unalias", "remove a name (global, or --local of one key)");
  b_unalias->add_option("alias", alias_name)->required();
  b_unalias->add_option("--local", alias_key, "the key whose name it is");
  CLI::App* b_website = bucket->add_subcommand("website", "serve a bucket as a website (--allow) or stop (--deny)");
  bool website_allow = false, website_deny = false;
  std::string index_document = "index.html", error_document;
  CLI::Option* allow_opt = b_website->add_flag("--allow", website_allow, "serve it");
  CLI::Option* deny_opt = b_website->add_flag("--deny", website_deny, "stop serving it");
  allow_opt->excludes(deny_opt);
  b_website->add_option("--index-document", index_document, "served for a folder's path")->capture_default_str();
  b_website->add_option("--error-document", error_document, "served with the status of a 4xx error");
  CLI::App* b_anonymous = bucket->add_subcommand(
      "anonymous", "let anyone read (--read) or list (--list) a bucket without a key, or not (--deny)");
  bool anonymous_read = false, anonymous_list = false, anonymous_deny = false;
  CLI::Option* read_opt = b_anonymous->add_flag("--read", anonymous_read, "anyone may GET and HEAD its objects");
  CLI::Option* list_opt = b_anonymous->add_flag("--list", anonymous_list, "anyone may list its objects");
  CLI::Option* anonymous_deny_opt = b_anonymous->add_flag("--deny", anonymous_deny, "only keys may (the default)");
  anonymous_deny_opt->excludes(read_opt)->excludes(list_opt);
  for (CLI::App* sub : {b_create, b_info, b_delete, b_allow, b_deny, b_website, b_anonymous}) {
    sub->add_option("bucket", bucket_name)->required();
  }
  for (CLI::App* sub : {b_allow, b_deny}) {
    sub->add_option("--key", key_name, "key id, id prefix or name")->required();
    sub->add_flag("--read", perm_read);
    sub->add_flag("--write", perm_write);
    sub->add_flag("--owner", perm_owner);
  }

  RpcConnectArgs& connect = command.connect;
  for (CLI::App* sub : {status, layout, debug, key, bucket}) {
    sub->add_option("--rpc-host", connect.rpc_host, "node to ask (default: this config's rpc_public_addr)");
    sub->add_option("--ca-cert", connect.ca_cert, "cluster CA certificate (default: rpc_tls.ca_cert)");
    sub->add_option("--client-cert", connect.client_cert, "CLI certificate (default: rpc_tls.cli_cert)");
    sub->add_option("--client-key", connect.client_key, "CLI key (default: rpc_tls.cli_key)");
  }
  CLI::App* node = app.add_subcommand("node", "this node's identity");
  node->require_subcommand(1);
  CLI::App* node_id = node->add_subcommand("id", "print <node id>@<address>");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  using Kind = CliCommand::Kind;
  if (*server) command.kind = Kind::kServer;
  if (*node_id) command.kind = Kind::kNodeId;
  if (*status) command.kind = Kind::kStatus;
  using LayoutOp = CliCommand::LayoutOp;
  for (auto [sub, op] : {std::pair{l_show, LayoutOp::kShow}, std::pair{l_assign, LayoutOp::kAssign},
                         std::pair{l_remove, LayoutOp::kRemove}, std::pair{l_apply, LayoutOp::kApply},
                         std::pair{l_revert, LayoutOp::kRevert}}) {
    if (*sub) {
      command.kind = Kind::kLayout;
      command.layout_op = op;
    }
  }
  using KvOp = DebugKvRequest::Op;
  for (auto [sub, op] :
       {std::pair{kv_put, KvOp::kPut}, std::pair{kv_get, KvOp::kGet}, std::pair{kv_del, KvOp::kDelete}}) {
    if (*sub) {
      command.kind = Kind::kDebugKv;
      command.debug_kv = DebugKvRequest{op, kv_key, op == KvOp::kPut ? kv_value : ""};
    }
  }
  using Op = AdminRequest::Op;
  const std::string perms = std::string(perm_read ? "R" : "") + (perm_write ? "W" : "") + (perm_owner ? "O" : "");
  for (auto [sub, op, args] :
       {std::tuple{k_create, Op::kKeyCreate, std::vector<std::string>{key_name}},
        std::tuple{k_import, Op::kKeyImport, std::vector<std::string>{key_name, key_id, key_secret}},
        std::tuple{k_list, Op::kKeyList, std::vector<std::string>{}},
        std::tuple{k_info, Op::kKeyInfo, std::vector<std::string>{key_name}},
        std::tuple{k_delete, Op::kKeyDelete, std::vector<std::string>{key_name}},
        std::tuple{k_allow, Op::kKeyAllow, std::vector<std::string>{key_name, "create_bucket"}},
        std::tuple{k_deny, Op::kKeyDeny, std::vector<std::string>{key_name, "create_bucket"}},
        std::tuple{b_create, Op::kBucketCreate, std::vector<std::string>{bucket_name}},
        std::tuple{b_list, Op::kBucketList, std::vector<std::string>{}},
        std::tuple{b_info, Op::kBucketInfo, std::vector<std::string>{bucket_name}},
        std::tuple{b_delete, Op::kBucketDelete, std::vector<std::string>{bucket_name}},
        std::tuple{b_allow, Op::kBucketAllow, std::vector<std::string>{bucket_name, key_name, perms}},
        std::tuple{b_deny, Op::kBucketDeny, std::vector<std::string>{bucket_name, key_name, perms}},
        std::tuple{b_alias, Op::kBucketAlias, std::vector<std::string>{bucket_name, alias_name, alias_key}},
        std::tuple{b_website, Op::kBucketWebsite, std::vector<std::string>{bucket_name, ""}},
        std::tuple{b_anonymous, Op::kBucketAnonymous,
                   std::vector<std::string>{bucket_name, AnonymousAccess{anonymous_read, anonymous_list}.str()}},
        std::tuple{b_unalias, Op::kBucketUnalias, std::vector<std::string>{alias_name, alias_key}}}) {
    if (*sub) {
      command.kind = Kind::kAdmin;
      command.admin = AdminRequest{op, args};
    }
  }
  if (*b_anonymous && !anonymous_read && !anonymous_list && !anonymous_deny) {
    std::cerr << "garage bucket anonymous: say --read, --list (or both), or --deny\n";
    return 2;
  }
  if (*b_website) {
    if (website_allow == website_deny) {
      std::cerr << "garage bucket website: say --allow or --deny\n";
      return 2;
    }
    if (website_allow) {
      s3::WebsiteConfig config;
      config.index_suffix = index_document;
      config.error_key = error_document;
      // Checked as PutBucketWebsite checks it: the CLI stores nothing S3 would refuse.
      const std::string xml = s3::website_configuration_xml(config);
      absl::StatusOr<s3::WebsiteConfig> valid = s3::parse_website_configuration(xml);
      if (!valid.ok()) {
        std::cerr << "garage bucket website: " << valid.status().message() << "\n";
        return 2;
      }
      command.admin.args[1] = xml;
    }
  }
  return std::nullopt;
}

}  // namespace garage
