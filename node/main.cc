// The `garage` binary: the composition root. It reads files, owns the real ports (net/, store/)
// and wires them into the node logic; node/ itself never touches the OS.
//
//   garage server -c garage.toml     run a node
//   garage status -c garage.toml     list the nodes the local node knows, up or down
//   garage node id -c garage.toml    print this node's id@address (for bootstrap_peers)
//   garage key create NAME, garage bucket create NAME, garage bucket allow ...: S3 keys and buckets
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "net/cli_client.h"
#include "net/http_server.h"
#include "net/prod_env.h"
#include "net/tls_identity.h"
#include "net/tls_transport.h"
#include "node/config.h"
#include "node/layout/layout_manager.h"
#include "node/membership.h"
#include "node/model/admin.h"
#include "node/planted.h"
#include "node/assembly/node.h"
#include "node/rpc.h"
#include "node/size.h"
#include "node/table/debug_kv.h"
#include "node/version.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "store/fs_disk.h"
#include "store/rocks_kv.h"

namespace garage {

static_assert(!kPlantedBugs, "the garage binary is built without the simulator's planted bugs");
namespace {

absl::StatusOr<Config> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Config> config = parse_config(text.str());
  if (!config.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", config.status().message()));
  return config;
}

absl::Status make_dirs(const std::string& path) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    const std::string dir = path.substr(0, pos);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(absl::StrCat("cannot create directory ", dir, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

int fail(const absl::Status& s) {
  std::fprintf(stderr, "garage: %s\n", std::string(s.message()).c_str());
  return 1;
}

// The node's part of the configuration, with the daemon's derived values.
NodeOptions node_options(const Config& config, NodeId self_id) {
  NodeOptions o;
  o.self = NodeStatus{self_id, config.advertised_address(), config.zone, kGarageVersion};
  o.bootstrap_peers = config.bootstrap_peers;
  o.replication_factor = config.replication_factor;
  o.tables.quorums = quorums_for(config.replication_factor, config.consistency_mode);
  o.tables.fsync = config.metadata_fsync;
  o.blocks.block_size = config.block_size;
  o.blocks.quorums = o.tables.quorums;
  o.blocks.fsync = config.data_fsync;
  o.blocks.gc_delay = absl::Seconds(config.block_gc_delay_secs);
  o.s3.region = config.s3_api.s3_region;
  o.s3.root_domain = config.s3_api.root_domain;
  o.s3.read_buffer_bytes = config.s3_api.read_buffer_max;
  o.s3.write_buffer_bytes = config.block_ram_buffer_max;
  o.journal.fsync = config.metadata_fsync;
  o.journal.rollback_delay = std::max(absl::Seconds(30), 4 * o.tables.rpc_timeout);
  return o;
}

int run_server(const Config& config) {
  for (const std::string& w : config.warnings) std::fprintf(stderr, "garage: warning: %s\n", w.c_str());
  // The metadata holds secret keys and the data folder the objects: owner-only, whatever the
  // caller's umask (directories 0700, files 0600).
  ::umask(077);
  for (const std::string& dir : {config.metadata_dir, config.data_dir}) {
    if (absl::Status s = make_dirs(dir); !s.ok()) return fail(s);
  }
  // Declaration order is teardown order, reversed: the offload pool joins (finishing work that
  // refers to coroutine frames) before the spawner destroys those frames.
  boost::asio::io_context io;
  AsioClock clock(io);
  Spawner spawner(clock);
  PoolOffload offload(io, 2);
  StderrTracer tracer(Severity::kInfo);
  std::unique_ptr<Rng> rng = new_os_seeded_rng();
  FsDisk disk(config.metadata_dir, offload);
  absl::StatusOr<std::unique_ptr<TlsTransport>> transport = TlsTransport::create(
      io, clock, spawner, tracer, TlsFiles{config.rpc_tls.ca_cert, config.rpc_tls.node_cert, config.rpc_tls.node_key});
  if (!transport.ok()) return fail(transport.status());
  if (absl::Status s = (*transport)->listen(config.rpc_bind_addr); !s.ok()) return fail(s);

  OsEntropy entropy;
  Env env{&clock, rng.get(), transport->get(), &disk, &offload, &tracer, /*chaos=*/nullptr, &entropy};
  absl::StatusOr<std::unique_ptr<RocksKv>> kv = RocksKv::open(config.metadata_dir + "/db");
  if (!kv.ok()) return fail(kv.status());
  FsDisk data_disk(config.data_dir, offload);
  absl::StatusOr<std::unique_ptr<Node>> node =
      Node::create(env, **kv, data_disk, spawner, node_options(config, (*transport)->self_id()));
  if (!node.ok()) return fail(node.status());
  s3::S3Api& s3_api = (*node)->s3();
  std::unique_ptr<HttpServer> s3_server;
  if (!config.s3_api.api_bind_addr.empty()) {
    HttpServerOptions http_options;
    const uint64_t fd_limit = raise_fd_limit();
    http_options.max_connections = max_connections_for_fd_limit(config.s3_api.max_connections, fd_limit);
    if (http_options.max_connections < config.s3_api.max_connections) {
      tracer.event(Severity::kWarn, "MaxConnectionsLowered",
                   absl::StrCat("s3_api.max_connections ", config.s3_api.max_connections, " lowered to ",
                                http_options.max_connections, ": the process may open ", fd_limit,
                                " files (raise `ulimit -n` to serve more)"));
    }
    http_options.memory_wanted = [&s3_api] { return s3_api.read_budget().waiting() > 0; };
    http_options.overloaded_response = [] {
      return s3::error_response(s3::s3_error("SlowDown", "Please reduce your request rate."), "/", "", /*head=*/false);
    };
    s3_server = std::make_unique<HttpServer>(
        io, clock, spawner, tracer, [&s3_api](s3::HttpRequest& r) { return s3_api.handle(r); }, http_options);
    if (absl::Status s = s3_server->listen(config.s3_api.api_bind_addr); !s.ok()) return fail(s);
  }

  (*transport)->set_handler((*node)->rpc_handler());
  (*node)->start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    tracer.event(Severity::kInfo, "Shutdown", "signal received");
    io.stop();
  });
  const NodeStatus& self = (*node)->membership().self();
  tracer.event(Severity::kInfo, "NodeStarted",
               absl::StrCat(self.id.hex(), " rpc ", config.rpc_bind_addr, " (advertised ", self.address, ")",
                            s3_server ? absl::StrCat(", s3 api on ", config.s3_api.api_bind_addr) : ""));
  io.run();
  spawner.cancel_all();
  spawner.destroy_all();  // before the node's services, which the frames' locals refer to
  return 0;
}

int run_debug_kv(const TlsFiles& files, const std::string& address, DebugKvRequest req) {
  absl::StatusOr<std::string> reply = call_node(files, address, RpcMethod::kDebugKv, req.encode());
  if (!reply.ok()) return fail(reply.status());
  if (req.op != DebugKvRequest::Op::kGet) {
    std::printf("ok\n");
    return 0;
  }
  absl::Status error;
  std::optional<LwwRegister> r = decode_debug_kv_reply(*reply, &error);
  if (!error.ok()) return fail(error);
  if (!r || r->is_tombstone()) {
    std::fprintf(stderr, "garage: key '%s' not found\n", req.key.c_str());
    return 2;
  }
  std::printf("%s\n", r->value->c_str());
  return 0;
}

int run_admin(const TlsFiles& files, const std::string& address, AdminRequest req) {
  absl::StatusOr<std::string> reply = call_node(files, address, RpcMethod::kAdmin, req.encode());
  if (!reply.ok()) return fail(reply.status());
  std::fputs(reply->c_str(), stdout);
  return 0;
}

void print_status(const ClusterStatusReply& status) {
  const char* kFormat = "%-17s %-22s %-8s %-18s %-6s %s\n";
  std::printf(kFormat, "ID", "ADDRESS", "ZONE", "VERSION", "STATUS", "LAST SEEN");
  auto zone = [](const std::string& z) { return z.empty() ? std::string("-") : z; };
  std::printf(kFormat, status.self.id.short_hex().c_str(), status.self.address.c_str(), zone(status.self.zone).c_str(),
              status.self.version.c_str(), "up", "(this node)");
  for (const PeerView& p : status.peers) {
    const std::string seen =
        p.last_seen_ms_ago < 0 ? "never" : absl::StrFormat("%.1fs ago", p.last_seen_ms_ago / 1000.0);
    std::printf(kFormat, p.status.id.short_hex().c_str(), p.status.address.c_str(), zone(p.status.zone).c_str(),
                p.status.version.empty() ? "?" : p.status.version.c_str(), p.up ? "up" : "DOWN", seen.c_str());
  }
}

absl::StatusOr<ClusterStatusReply> fetch_status(const TlsFiles& files, const std::string& address) {
  absl::StatusOr<std::string> reply = call_node(files, address, RpcMethod::kClusterStatus, "", absl::Seconds(5));
  if (!reply.ok()) return reply.status();
  return ClusterStatusReply::decode(*reply);
}

int run_status(const TlsFiles& files, const std::string& address) {
  absl::StatusOr<ClusterStatusReply> status = fetch_status(files, address);
  if (!status.ok()) return fail(status.status());
  print_status(*status);
  return 0;
}

// ---- garage layout ...

void print_roles(const std::map<NodeId, NodeRole>& roles, const Assignment* assignment) {
  const char* kFormat = "  %-17s %-10s %-10s %-10s %s\n";
  std::printf(kFormat, "ID", "ZONE", "CAPACITY", "PARTITIONS", "TAGS");
  for (const auto& [id, role] : roles) {
    const std::string capacity = role.capacity_bytes ? format_size(*role.capacity_bytes) : "gateway";
    const std::string parts = assignment ? std::to_string(assignment->partitions_on(id)) : "-";
    std::printf(kFormat, id.short_hex().c_str(), role.zone.c_str(), capacity.c_str(), parts.c_str(),
                absl::StrJoin(role.tags, ",").c_str());
  }
}

void print_layout(const ClusterLayout& layout, int replication_factor) {
  if (const LayoutVersion* v = layout.current()) {
    std::printf("==== CURRENT CLUSTER LAYOUT (version %llu) ====\n", static_cast<unsigned long long>(v->version));
    print_roles(v->roles, &v->assignment);
    std::printf("  replication factor %d, zone redundancy %d, usable capacity %s\n", v->replication_factor,
                v->assignment.zone_redundancy, format_size(v->assignment.usable_capacity_bytes()).c_str());
  } else {
    std::printf("==== NO LAYOUT APPLIED YET ====\n");
  }
  const std::vector<const LayoutVersion*> active = layout.active_versions();
  if (active.size() > 1) {
    const uint64_t current = layout.current_version();
    std::printf(
        "\nTransition in progress: versions %llu to %llu are in use until every storage node has\n"
        "synced version %llu. Not yet synced:",
        static_cast<unsigned long long>(active.front()->version), static_cast<unsigned long long>(current),
        static_cast<unsigned long long>(current));
    for (const auto& [id, role] : layout.current()->roles) {
      auto it = layout.syncs().find(id);
      if (role.capacity_bytes && (it == layout.syncs().end() || it->second < current)) {
        std::printf(" %s", id.short_hex().c_str());
      }
    }
    std::printf("\n");
  }
  if (layout.staged().empty()) {
    std::printf("\nNo staged changes. Stage some with `garage layout assign`.\n");
    return;
  }
  std::printf("\n==== STAGED CHANGES ====\n");
  for (const auto& [id, s] : layout.staged()) {
    if (s.role) {
      std::printf("  %-17s zone %s, %s\n", id.short_hex().c_str(), s.role->zone.c_str(),
                  s.role->capacity_bytes ? format_size(*s.role->capacity_bytes).c_str() : "gateway");
    } else {
      std::printf("  %-17s remove\n", id.short_hex().c_str());
    }
  }
  absl::StatusOr<LayoutVersion> next = layout.preview(replication_factor);
  if (!next.ok()) {
    std::printf("\nThese changes cannot be applied: %s\n", std::string(next.status().message()).c_str());
    return;
  }
  std::printf("\n==== NEW LAYOUT IF APPLIED (version %llu) ====\n", static_cast<unsigned long long>(next->version));
  print_roles(next->roles, &next->assignment);
  std::printf("  usable capacity %s; %d of %d partition replicas move\n",
              format_size(next->assignment.usable_capacity_bytes()).c_str(), next->assignment.moved_replicas,
              kPartitions * replication_factor);
  std::printf("\nTo apply: garage layout apply --version %llu   (or drop them: garage layout revert)\n",
              static_cast<unsigned long long>(next->version));
}

// Finds the one node whose id starts with `prefix`, among the nodes the cluster knows and the
// layout's roles.
absl::StatusOr<NodeId> resolve_node(const TlsFiles& files, const std::string& address, const std::string& prefix,
                                    const ClusterLayout& layout) {
  std::set<NodeId> known;
  absl::StatusOr<ClusterStatusReply> status = fetch_status(files, address);
  if (!status.ok()) return status.status();
  known.insert(status->self.id);
  for (const PeerView& p : status->peers) known.insert(p.status.id);
  for (const auto& [id, role] : layout.staged_roles()) known.insert(id);
  std::vector<NodeId> matches;
  for (const NodeId& id : known) {
    if (!prefix.empty() && id.hex().rfind(absl::AsciiStrToLower(prefix), 0) == 0) matches.push_back(id);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) return absl::NotFoundError(absl::StrCat("no known node id starts with '", prefix, "'"));
  return absl::InvalidArgumentError(
      absl::StrCat("'", prefix, "' matches ", matches.size(), " nodes; give more digits"));
}

absl::StatusOr<ClusterLayout> layout_admin(const TlsFiles& files, const std::string& address,
                                           const LayoutAdminRequest& request) {
  absl::StatusOr<std::string> reply = call_node(files, address, RpcMethod::kLayoutAdmin, request.encode());
  if (!reply.ok()) return reply.status();
  return ClusterLayout::decode(*reply);
}

struct LayoutArgs {
  std::string node, zone, capacity;
  std::vector<std::string> tags;
  bool gateway = false;
  uint64_t version = 0;
};

int run_layout(const std::string& command, const LayoutArgs& args, const TlsFiles& files, const std::string& address,
               int replication_factor) {
  absl::StatusOr<ClusterLayout> layout = layout_admin(files, address, LayoutAdminRequest{});
  if (!layout.ok()) return fail(layout.status());
  LayoutAdminRequest req;
  if (command == "assign" || command == "remove") {
    absl::StatusOr<NodeId> node = resolve_node(files, address, args.node, *layout);
    if (!node.ok()) return fail(node.status());
    req.node = *node;
    req.op = command == "assign" ? LayoutAdminRequest::Op::kAssign : LayoutAdminRequest::Op::kRemove;
    if (command == "assign") {
      const std::map<NodeId, NodeRole> roles = layout->staged_roles();  // by value: keep it alive
      auto current = roles.find(*node);
      if (current != roles.end()) req.role = current->second;  // change only what is given
      if (!args.zone.empty()) req.role.zone = args.zone;
      if (req.role.zone.empty()) return fail(absl::InvalidArgumentError("a new node needs a zone: -z ZONE"));
      if (args.gateway) {
        req.role.capacity_bytes.reset();
      } else if (!args.capacity.empty()) {
        absl::StatusOr<uint64_t> capacity = parse_size(args.capacity);
        if (!capacity.ok()) return fail(capacity.status());
        req.role.capacity_bytes = *capacity;
      } else if (current == roles.end()) {
        return fail(absl::InvalidArgumentError("a new node needs a capacity (-c 1T) or --gateway"));
      }
      if (!args.tags.empty()) req.role.tags = args.tags;
    }
  } else if (command == "apply") {
    req.op = LayoutAdminRequest::Op::kApply;
    req.version = args.version;
  } else if (command == "revert") {
    req.op = LayoutAdminRequest::Op::kRevert;
  }
  if (command != "show") {
    layout = layout_admin(files, address, req);
    if (!layout.ok()) return fail(layout.status());
  }
  if (command == "apply") {
    std::printf("Layout version %llu applied; it spreads to every node by gossip.\n\n",
                static_cast<unsigned long long>(layout->current_version()));
  }
  print_layout(*layout, replication_factor);
  return 0;
}

}  // namespace
}  // namespace garage

int main(int argc, char** argv) {
  using namespace garage;
  CLI::App app{"garage: an S3-compatible object store for small self-hosted geo-distributed clusters"};
  app.require_subcommand(1);
  std::string config_path = "/etc/garage.toml";
  app.add_option("-c,--config", config_path, "configuration file")->capture_default_str();

  CLI::App* server = app.add_subcommand("server", "run a node");
  CLI::App* status = app.add_subcommand("status", "show the nodes of the cluster, up or down");
  std::string rpc_host, ca_cert, client_cert, client_key;
  CLI::App* layout = app.add_subcommand("layout", "show and change the cluster layout");
  layout->require_subcommand(1);
  LayoutArgs largs;
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
  for (CLI::App* sub : {b_create, b_info, b_delete, b_allow, b_deny})
    sub->add_option("bucket", bucket_name)->required();
  for (CLI::App* sub : {b_allow, b_deny}) {
    sub->add_option("--key", key_name, "key id, id prefix or name")->required();
    sub->add_flag("--read", perm_read);
    sub->add_flag("--write", perm_write);
    sub->add_flag("--owner", perm_owner);
  }
  for (CLI::App* sub : {status, layout, debug, key, bucket}) {
    sub->add_option("--rpc-host", rpc_host, "node to ask (default: this config's rpc_public_addr)");
    sub->add_option("--ca-cert", ca_cert, "cluster CA certificate (default: rpc_tls.ca_cert)");
    sub->add_option("--client-cert", client_cert, "CLI certificate (default: rpc_tls.cli_cert)");
    sub->add_option("--client-key", client_key, "CLI key (default: rpc_tls.cli_key)");
  }
  CLI::App* node = app.add_subcommand("node", "this node's identity");
  node->require_subcommand(1);
  CLI::App* node_id = node->add_subcommand("id", "print <node id>@<address>");
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<Config> config = load_config(config_path);
  if (!config.ok()) return fail(config.status());
  if (*server) return run_server(*config);
  if (*node_id) {
    absl::StatusOr<NodeId> id = node_id_from_cert_file(config->rpc_tls.node_cert);
    if (!id.ok()) return fail(id.status());
    std::printf("%s@%s\n", id->hex().c_str(), config->advertised_address().c_str());
    return 0;
  }
  if (*status || *layout || *debug || *key || *bucket) {
    TlsFiles files{ca_cert.empty() ? config->rpc_tls.ca_cert : ca_cert,
                   client_cert.empty() ? config->rpc_tls.cli_cert : client_cert,
                   client_key.empty() ? config->rpc_tls.cli_key : client_key};
    if (files.cert.empty() || files.key.empty()) {
      return fail(absl::InvalidArgumentError(
          "no CLI certificate: set rpc_tls.cli_cert and rpc_tls.cli_key, or pass --client-cert and --client-key"));
    }
    const std::string address = rpc_host.empty() ? config->advertised_address() : rpc_host;
    if (*status) return run_status(files, address);
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
          std::tuple{b_unalias, Op::kBucketUnalias, std::vector<std::string>{alias_name, alias_key}}}) {
      if (*sub) return run_admin(files, address, AdminRequest{op, args});
    }
    if (*kv_put) return run_debug_kv(files, address, DebugKvRequest{DebugKvRequest::Op::kPut, kv_key, kv_value});
    if (*kv_get) return run_debug_kv(files, address, DebugKvRequest{DebugKvRequest::Op::kGet, kv_key, ""});
    if (*kv_del) return run_debug_kv(files, address, DebugKvRequest{DebugKvRequest::Op::kDelete, kv_key, ""});
    for (auto [sub, name] : {std::pair{l_show, "show"}, std::pair{l_assign, "assign"}, std::pair{l_remove, "remove"},
                             std::pair{l_apply, "apply"}, std::pair{l_revert, "revert"}}) {
      if (*sub) return run_layout(name, largs, files, address, config->replication_factor);
    }
  }
  return 0;
}
