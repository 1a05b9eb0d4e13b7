#include "node/assembly/cli_run.h"

#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "net/cli_client.h"
#include "net/tls_identity.h"
#include "node/assembly/cli_format.h"
#include "node/assembly/cli_layout.h"
#include "node/assembly/config_file.h"
#include "node/assembly/server.h"
#include "node/membership_messages.h"

namespace garage {
namespace {

int fail(const absl::Status& s) {
  std::fprintf(stderr, "garage: %s\n", std::string(s.message()).c_str());
  return 1;
}

int run_debug_kv(const TlsFiles& files, const std::string& address, const DebugKvRequest& req) {
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

int run_admin(const TlsFiles& files, const std::string& address, const AdminRequest& req) {
  absl::StatusOr<std::string> bytes = call_node(files, address, RpcMethod::kAdmin, req.encode());
  if (!bytes.ok()) return fail(bytes.status());
  absl::StatusOr<AdminReply> reply = AdminReply::decode(*bytes);
  if (!reply.ok()) return fail(reply.status());
  std::fputs(format_admin_reply(req, *reply).c_str(), stdout);
  return 0;
}

int run_status(const TlsFiles& files, const std::string& address) {
  absl::StatusOr<std::string> reply = call_node(files, address, RpcMethod::kClusterStatus, "", kCliStatusTimeout);
  if (!reply.ok()) return fail(reply.status());
  absl::StatusOr<ClusterStatusReply> status = ClusterStatusReply::decode(*reply);
  if (!status.ok()) return fail(status.status());
  std::fputs(format_status(*status).c_str(), stdout);
  return 0;
}

// The commands that ask a node: status, layout, debug, key, bucket.
int run_client_command(const CliCommand& command, const Config& config) {
  const RpcConnectArgs& c = command.connect;
  const TlsFiles files{c.ca_cert.empty() ? config.rpc_tls.ca_cert : c.ca_cert,
                       c.client_cert.empty() ? config.rpc_tls.cli_cert : c.client_cert,
                       c.client_key.empty() ? config.rpc_tls.cli_key : c.client_key};
  if (files.cert.empty() || files.key.empty()) {
    return fail(absl::InvalidArgumentError(
        "no CLI certificate: set rpc_tls.cli_cert and rpc_tls.cli_key, or pass --client-cert and --client-key"));
  }
  const std::string address = c.rpc_host.empty() ? config.advertised_address() : c.rpc_host;
  switch (command.kind) {
    case CliCommand::Kind::kStatus:
      return run_status(files, address);
    case CliCommand::Kind::kAdmin:
      return run_admin(files, address, command.admin);
    case CliCommand::Kind::kDebugKv:
      return run_debug_kv(files, address, command.debug_kv);
    case CliCommand::Kind::kLayout: {
      absl::StatusOr<std::string> out =
          run_layout_command(command.layout_op, command.layout, files, address, config.replication_factor);
      if (!out.ok()) return fail(out.status());
      std::fputs(out->c_str(), stdout);
      return 0;
    }
    case CliCommand::Kind::kServer:
    case CliCommand::Kind::kNodeId:
      break;
  }
  return fail(absl::InternalError("not a client command"));
}

}  // namespace

int run_cli(const CliCommand& command) {
  absl::StatusOr<Config> config = load_config_file(command.config_path);
  if (!config.ok()) return fail(config.status());
  switch (command.kind) {
    case CliCommand::Kind::kServer: {
      const absl::Status s = run_server(*config);
      return s.ok() ? 0 : fail(s);
    }
    case CliCommand::Kind::kNodeId: {
      absl::StatusOr<NodeId> id = node_id_from_cert_file(config->rpc_tls.node_cert);
      if (!id.ok()) return fail(id.status());
      std::printf("%s@%s\n", id->hex().c_str(), config->advertised_address().c_str());
      return 0;
    }
    default:
      return run_client_command(command, *config);
  }
}

}  // namespace garage
