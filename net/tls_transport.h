// TlsTransport: the Transport port on Boost.Asio + OpenSSL, with mutual TLS 1.3.
//
// Every connection, in either direction, must present a certificate signed by the cluster CA;
// the peer's node id is the hash of its certificate's public key (net/tls_identity.h). One
// outgoing connection per peer address carries many concurrent calls, matched by call id
// (net/frame.h). Connections are opened through a Dialer (node/runtime/dialer.h): one attempt
// at a time per address, any number of callers waiting for it, and after a failure a backoff
// (100 ms doubling to 10 s) during which calls fail fast with Unavailable. Everything runs on
// the node's one io_context thread.
//
// Bounds: frames <= kMaxFrameBytes; <= kMaxQueuedBytes waiting to be written per connection;
// <= kMaxServedPerConnection requests served at once per connection; TLS handshakes of
// incoming connections must finish within 10 s.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "node/env.h"
#include "node/runtime/dialer.h"
#include "node/runtime/oneshot.h"
#include "node/runtime/spawner.h"

namespace garage {

struct TlsFiles {
  std::string ca_cert;
  std::string cert;
  std::string key;
};

class TlsTransport final : public Transport {
 public:
  static constexpr size_t kMaxQueuedBytes = 64u << 20;
  static constexpr int kMaxServedPerConnection = 256;

  static absl::StatusOr<std::unique_ptr<TlsTransport>> create(boost::asio::io_context& io, Clock& clock,
                                                              Spawner& spawner, Tracer& tracer, const TlsFiles& files);
  ~TlsTransport() override;

  // Starts accepting connections on `bind_address` ("host:port").
  absl::Status listen(const std::string& bind_address);
  // The port actually bound (useful with port 0).
  uint16_t listening_port() const;

  const NodeId& self_id() const override { return self_id_; }
  Task<absl::StatusOr<RpcReply>> call(std::string address, std::string body, CallOptions options) override;
  void set_handler(RpcHandler handler) override { handler_ = std::move(handler); }

  class Connection;

 private:
  TlsTransport(boost::asio::io_context& io, Clock& clock, Spawner& spawner, Tracer& tracer,
               std::unique_ptr<boost::asio::ssl::context> ctx, NodeId self_id);

  Task<absl::StatusOr<RpcReply>> call_on_connection(std::string address, std::string body);
  // A new outgoing connection, its read loop started (the Dialer's dial).
  Task<absl::StatusOr<std::shared_ptr<Connection>>> dial_and_read(std::string address);
  Task<absl::StatusOr<std::shared_ptr<Connection>>> dial(std::string address);
  Task<absl::Status> handshake(std::shared_ptr<Connection> conn, bool as_server);
  Task<> accept_loop();
  Task<> serve_incoming(boost::asio::ip::tcp::socket socket);
  Task<> read_loop(std::shared_ptr<Connection> conn);
  Task<> serve(std::shared_ptr<Connection> conn, uint64_t call_id, std::string payload);
  void forget(Connection* conn);

  boost::asio::io_context& io_;
  Clock& clock_;
  Spawner& spawner_;
  Tracer& tracer_;
  std::unique_ptr<boost::asio::ssl::context> ctx_;
  NodeId self_id_;
  RpcHandler handler_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  Dialer<Connection> dialer_;  // outgoing connections, by address
};

}  // namespace garage
