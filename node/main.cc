// The `garage` binary: the composition root. It reads files, owns the real ports (net/, store/)
// and wires them into the node logic; node/ itself never touches the OS.
//
//   garage server -c garage.toml     run a node
//   garage status -c garage.toml     list the nodes the local node knows, up or down
//   garage node id -c garage.toml    print this node's id@address (for bootstrap_peers)
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "net/prod_env.h"
#include "net/tls_identity.h"
#include "net/tls_transport.h"
#include "node/config.h"
#include "node/membership.h"
#include "node/rpc.h"
#include "node/runtime/combinators.h"
#include "node/version.h"
#include "store/fs_disk.h"

namespace garage {
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
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(absl::StrCat("cannot create directory ", dir, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

int fail(const absl::Status& s) {
  std::fprintf(stderr, "garage: %s\n", std::string(s.message()).c_str());
  return 1;
}

int run_server(const Config& config) {
  for (const std::string& w : config.warnings) std::fprintf(stderr, "garage: warning: %s\n", w.c_str());
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

  RpcRouter router;
  Env env{&clock, rng.get(), transport->get(), &disk, &offload, &tracer};
  NodeStatus self{(*transport)->self_id(), config.advertised_address(), config.zone, kGarageVersion};
  Membership membership(env, spawner, self, config.bootstrap_peers);
  membership.register_rpcs(router);
  (*transport)->set_handler(router.handler());
  membership.start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    tracer.event(Severity::kInfo, "Shutdown", "signal received");
    io.stop();
  });
  tracer.event(Severity::kInfo, "NodeStarted",
               absl::StrCat(self.id.hex(), " rpc ", config.rpc_bind_addr, " (advertised ", self.address, ")"));
  io.run();
  spawner.cancel_all();
  return 0;
}

Task<> fetch_status(TlsTransport& transport, std::string address, absl::StatusOr<ClusterStatusReply>* out) {
  absl::StatusOr<RpcReply> reply = co_await transport.call(address, encode_rpc(RpcMethod::kClusterStatus, ""),
                                                           CallOptions{.timeout = absl::Seconds(5)});
  if (!reply.ok()) {
    *out = absl::Status(reply.status().code(),
                        absl::StrCat("cannot reach node at ", address, ": ", reply.status().message()));
    co_return;
  }
  *out = ClusterStatusReply::decode(reply->body);
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

int run_status(const Config& config, TlsFiles files, std::string address) {
  boost::asio::io_context io;
  AsioClock clock(io);
  StderrTracer tracer(Severity::kWarn);
  Spawner spawner(clock);
  absl::StatusOr<std::unique_ptr<TlsTransport>> transport = TlsTransport::create(io, clock, spawner, tracer, files);
  if (!transport.ok()) return fail(transport.status());
  absl::StatusOr<ClusterStatusReply> status = absl::UnknownError("no answer");
  spawner.spawn([](Task<> t, boost::asio::io_context* io) -> Task<> {
    co_await std::move(t);
    io->stop();
  }(fetch_status(**transport, address, &status), &io));
  io.run();
  if (!status.ok()) return fail(status.status());
  print_status(*status);
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
  status->add_option("--rpc-host", rpc_host, "node to ask (default: this config's rpc_public_addr)");
  status->add_option("--ca-cert", ca_cert, "cluster CA certificate (default: rpc_tls.ca_cert)");
  status->add_option("--client-cert", client_cert, "CLI certificate (default: rpc_tls.cli_cert)");
  status->add_option("--client-key", client_key, "CLI key (default: rpc_tls.cli_key)");
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
  if (*status) {
    TlsFiles files{ca_cert.empty() ? config->rpc_tls.ca_cert : ca_cert,
                   client_cert.empty() ? config->rpc_tls.cli_cert : client_cert,
                   client_key.empty() ? config->rpc_tls.cli_key : client_key};
    if (files.cert.empty() || files.key.empty()) {
      return fail(absl::InvalidArgumentError(
          "no CLI certificate: set rpc_tls.cli_cert and rpc_tls.cli_key, or pass --client-cert and --client-key"));
    }
    return run_status(*config, files, rpc_host.empty() ? config->advertised_address() : rpc_host);
  }
  return 0;
}
