#include "node/assembly/server.h"

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "net/http_server.h"
#include "net/prod_env.h"
#include "net/tls_transport.h"
#include "node/assembly/node.h"
#include "node/planted.h"
#include "s3/api.h"
#include "s3/errors.h"
#include "store/fs_disk.h"
#include "store/rocks_kv.h"

namespace garage {

static_assert(!kPlantedBugs, "the garage binary is built without the simulator's planted bugs");

namespace {

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

}  // namespace

absl::Status run_server(const Config& config) {
  for (const std::string& w : config.warnings) std::fprintf(stderr, "garage: warning: %s\n", w.c_str());
  // The metadata holds secret keys and the data folder the objects: owner-only, whatever the
  // caller's umask (directories 0700, files 0600).
  ::umask(077);
  for (const std::string& dir : {config.metadata_dir, config.data_dir}) {
    if (absl::Status s = make_dirs(dir); !s.ok()) return s;
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
  if (!transport.ok()) return transport.status();
  if (absl::Status s = (*transport)->listen(config.rpc_bind_addr); !s.ok()) return s;

  OsEntropy entropy;
  Env env{&clock, rng.get(), transport->get(), &disk, &offload, &tracer, /*chaos=*/nullptr, &entropy};
  absl::StatusOr<std::unique_ptr<RocksKv>> kv = RocksKv::open(config.metadata_dir + "/db");
  if (!kv.ok()) return kv.status();
  FsDisk data_disk(config.data_dir, offload);
  absl::StatusOr<std::unique_ptr<Node>> node =
      Node::create(env, **kv, data_disk, spawner, node_options_from_config(config, (*transport)->self_id()));
  if (!node.ok()) return node.status();
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
      return s3::error_response(s3::s3_error(s3::S3Code::kSlowDown), "/", "",
                                /*head=*/false);
    };
    s3_server = std::make_unique<HttpServer>(
        io, clock, spawner, tracer, [&s3_api](s3::HttpRequest& r) { return s3_api.handle(r); }, http_options);
    if (absl::Status s = s3_server->listen(config.s3_api.api_bind_addr); !s.ok()) return s;
  }
  // The website endpoint: anonymous GET/HEAD/OPTIONS of buckets whose website is enabled.
  std::unique_ptr<HttpServer> web_server;
  if (!config.s3_web.bind_addr.empty()) {
    HttpServerOptions web_options;
    web_options.max_connections = max_connections_for_fd_limit(config.s3_api.max_connections, raise_fd_limit());
    web_options.memory_wanted = [&s3_api] { return s3_api.read_budget().waiting() > 0; };
    web_server = std::make_unique<HttpServer>(
        io, clock, spawner, tracer, [&s3_api](s3::HttpRequest& r) { return s3_api.handle_website(r); }, web_options);
    if (absl::Status s = web_server->listen(config.s3_web.bind_addr); !s.ok()) return s;
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
                            s3_server ? absl::StrCat(", s3 api on ", config.s3_api.api_bind_addr) : "",
                            web_server ? absl::StrCat(", websites on ", config.s3_web.bind_addr) : ""));
  // What this node runs (tests compare it with the simulator's node: tests/real_cluster_test.sh).
  tracer.event(Severity::kInfo, "NodeServices", absl::StrJoin((*node)->services(), " "));
  io.run();
  spawner.cancel_all();
  spawner.destroy_all();  // before the node's services, which the frames' locals refer to
  return absl::OkStatus();
}

}  // namespace garage
