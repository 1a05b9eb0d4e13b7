#include "net/cli_client.h"

#include "absl/strings/str_cat.h"
#include "net/prod_env.h"

namespace garage {
namespace {

Task<> run_call(TlsTransport* transport, std::string address, std::string request, absl::Duration timeout,
                absl::StatusOr<std::string>* out, boost::asio::io_context* io) {
  absl::StatusOr<RpcReply> reply =
      co_await transport->call(address, std::move(request), CallOptions{.timeout = timeout});
  if (reply.ok()) {
    *out = std::move(reply->body);
  } else if (reply.status().code() == absl::StatusCode::kUnavailable ||
             reply.status().code() == absl::StatusCode::kUnauthenticated ||
             reply.status().code() == absl::StatusCode::kDeadlineExceeded) {
    *out = absl::Status(reply.status().code(),
                        absl::StrCat("cannot reach node at ", address, ": ", reply.status().message()));
  } else {
    *out = reply.status();  // the node's own answer (e.g. a refused layout change)
  }
  io->stop();
}

}  // namespace

absl::StatusOr<std::string> call_node(const TlsFiles& files, const std::string& address, RpcMethod method,
                                      const std::string& payload, absl::Duration timeout) {
  boost::asio::io_context io;
  AsioClock clock(io);
  StderrTracer tracer(Severity::kError);
  Spawner spawner(clock);
  absl::StatusOr<std::unique_ptr<TlsTransport>> transport = TlsTransport::create(io, clock, spawner, tracer, files);
  if (!transport.ok()) return transport.status();
  absl::StatusOr<std::string> out = absl::UnknownError("no answer");
  spawner.spawn(run_call(transport->get(), address, encode_rpc(method, payload), timeout, &out, &io));
  io.run();
  return out;
}

}  // namespace garage
