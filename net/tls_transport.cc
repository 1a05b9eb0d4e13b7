#include "net/tls_transport.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <deque>

#include "absl/strings/str_cat.h"
#include "net/asio_await.h"
#include "net/frame.h"
#include "net/tls_identity.h"
#include "node/config.h"
#include "node/runtime/combinators.h"

namespace garage {

namespace asio = boost::asio;
using asio::ip::tcp;
using ErrorCode = boost::system::error_code;

class TlsTransport::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(TlsTransport* owner, tcp::socket socket, asio::ssl::context& ctx, std::string label)
      : owner(owner), stream(std::move(socket), ctx), label(std::move(label)) {}

  // Queues a frame; false if the connection is closed or too far behind.
  bool send(std::string bytes) {
    if (closed || queued_bytes + bytes.size() > kMaxQueuedBytes) return false;
    queued_bytes += bytes.size();
    write_queue.push_back(std::move(bytes));
    if (!writing) write_next();
    return true;
  }

  void close(const absl::Status& why) {
    if (closed) return;
    closed = true;
    for (auto& [id, reply] : pending) reply.set(why);
    pending.clear();
    ErrorCode ignored;
    stream.lowest_layer().close(ignored);
    if (owner != nullptr) owner->forget(this);
  }

  TlsTransport* owner;
  asio::ssl::stream<tcp::socket> stream;
  std::string label;  // the address dialled, or the remote endpoint
  NodeId peer;
  bool peer_is_administrator = false;  // its certificate is an administration one (tls_identity.h)
  bool closed = false;
  uint64_t next_call_id = 1;
  int serving = 0;
  std::map<uint64_t, Oneshot<absl::StatusOr<RpcReply>>> pending;

 private:
  void write_next() {
    if (write_queue.empty() || closed) {
      writing = false;
      return;
    }
    writing = true;
    asio::async_write(stream, asio::buffer(write_queue.front()), [self = shared_from_this()](ErrorCode ec, size_t) {
      if (ec) {
        self->close(absl::UnavailableError(absl::StrCat("write to ", self->label, " failed: ", ec.message())));
        return;
      }
      self->queued_bytes -= self->write_queue.front().size();
      self->write_queue.pop_front();
      self->write_next();
    });
  }

  std::deque<std::string> write_queue;
  size_t queued_bytes = 0;
  bool writing = false;
};

absl::StatusOr<std::unique_ptr<TlsTransport>> TlsTransport::create(asio::io_context& io, Clock& clock, Spawner& spawner,
                                                                   Tracer& tracer, const TlsFiles& files) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls);
  try {
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_3_VERSION);
    ctx->load_verify_file(files.ca_cert);
    ctx->use_certificate_chain_file(files.cert);
    ctx->use_private_key_file(files.key, asio::ssl::context::pem);
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  } catch (const boost::system::system_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("TLS setup failed (ca_cert=", files.ca_cert, ", cert=", files.cert,
                                                   ", key=", files.key, "): ", e.what()));
  }
  absl::StatusOr<NodeId> id = node_id_from_cert_file(files.cert);
  if (!id.ok()) return id.status();
  return std::unique_ptr<TlsTransport>(new TlsTransport(io, clock, spawner, tracer, std::move(ctx), *id));
}

TlsTransport::TlsTransport(asio::io_context& io, Clock& clock, Spawner& spawner, Tracer& tracer,
                           std::unique_ptr<asio::ssl::context> ctx, NodeId self_id)
    : io_(io),
      clock_(clock),
      spawner_(spawner),
      tracer_(tracer),
      ctx_(std::move(ctx)),
      self_id_(self_id),
      dialer_(clock, [this](std::string address) { return dial_and_read(std::move(address)); }) {}

TlsTransport::~TlsTransport() {
  if (acceptor_) {
    ErrorCode ignored;
    acceptor_->close(ignored);
  }
  for (const std::shared_ptr<Connection>& conn : dialer_.connections()) {
    conn->owner = nullptr;
    conn->close(absl::CancelledError("transport shut down"));
  }
}

absl::Status TlsTransport::listen(const std::string& bind_address) {
  absl::StatusOr<std::pair<std::string, uint16_t>> hp = split_host_port(bind_address, /*allow_any_port=*/true);
  if (!hp.ok()) return hp.status();
  ErrorCode ec;
  const asio::ip::address ip = asio::ip::make_address(hp->first, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("rpc_bind_addr '", bind_address, "': ", ec.message()));
  auto acceptor = std::make_unique<tcp::acceptor>(io_);
  const tcp::endpoint endpoint(ip, hp->second);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot listen on ", bind_address, ": ", ec.message()));
  acceptor_ = std::move(acceptor);
  spawner_.spawn(accept_loop());
  return absl::OkStatus();
}

uint16_t TlsTransport::listening_port() const {
  ErrorCode ec;
  return acceptor_ ? acceptor_->local_endpoint(ec).port() : 0;
}

Task<absl::StatusOr<RpcReply>> TlsTransport::call(std::string address, std::string body, CallOptions options) {
  co_return co_await with_timeout(clock_, options.timeout, call_on_connection(std::move(address), std::move(body)));
}

Task<absl::StatusOr<RpcReply>> TlsTransport::call_on_connection(std::string address, std::string body) {
  absl::StatusOr<std::shared_ptr<Connection>> conn = co_await dialer_.connection_to(address);
  if (!conn.ok()) co_return conn.status();
  std::shared_ptr<Connection> c = *conn;
  const uint64_t call_id = c->next_call_id++;
  Oneshot<absl::StatusOr<RpcReply>> reply;
  c->pending.emplace(call_id, reply);
  if (!c->send(encode_frame(Frame{Frame::Kind::kRequest, call_id, absl::OkStatus(), std::move(body)}))) {
    c->pending.erase(call_id);
    co_return absl::ResourceExhaustedError(absl::StrCat("connection to ", address, " is closed or overloaded"));
  }
  std::optional<absl::StatusOr<RpcReply>> r = co_await reply.wait();
  c->pending.erase(call_id);
  if (!r.has_value()) co_return absl::CancelledError("call cancelled");
  co_return std::move(*r);
}

Task<absl::StatusOr<std::shared_ptr<TlsTransport::Connection>>> TlsTransport::dial_and_read(std::string address) {
  absl::StatusOr<std::shared_ptr<Connection>> conn = co_await dial(std::move(address));
  if (conn.ok()) spawner_.spawn(read_loop(*conn));
  co_return conn;
}

Task<absl::StatusOr<std::shared_ptr<TlsTransport::Connection>>> TlsTransport::dial(std::string address) {
  absl::StatusOr<std::pair<std::string, uint16_t>> hp = split_host_port(address);
  if (!hp.ok()) co_return hp.status();
  tcp::resolver resolver(io_);
  tcp::resolver::results_type endpoints;
  ErrorCode ec = co_await async_io(
      [&](auto complete) {
        resolver.async_resolve(hp->first, std::to_string(hp->second),
                               [&endpoints, complete](ErrorCode e, tcp::resolver::results_type r) mutable {
                                 endpoints = r;
                                 complete(e);
                               });
      },
      [&] { resolver.cancel(); });
  if (ec) co_return absl::UnavailableError(absl::StrCat("cannot resolve ", address, ": ", ec.message()));
  auto conn = std::make_shared<Connection>(this, tcp::socket(io_), *ctx_, address);
  ec = co_await async_io(
      [&](auto complete) {
        asio::async_connect(conn->stream.lowest_layer(), endpoints,
                            [complete](ErrorCode e, const tcp::endpoint&) mutable { complete(e); });
      },
      [&] { conn->close(absl::CancelledError("dial cancelled")); });
  if (ec) co_return absl::UnavailableError(absl::StrCat("cannot connect to ", address, ": ", ec.message()));
  ErrorCode ignored;
  conn->stream.lowest_layer().set_option(tcp::no_delay(true), ignored);
  if (absl::Status s = co_await handshake(conn, /*as_server=*/false); !s.ok()) co_return s;
  co_return conn;
}

Task<absl::Status> TlsTransport::handshake(std::shared_ptr<Connection> conn, bool as_server) {
  const auto type = as_server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client;
  ErrorCode ec = co_await async_io(
      [&](auto complete) { conn->stream.async_handshake(type, [complete](ErrorCode e) mutable { complete(e); }); },
      [&] { conn->close(absl::CancelledError("handshake cancelled")); });
  if (ec) {
    conn->close(absl::UnauthenticatedError("handshake failed"));
    co_return absl::UnauthenticatedError(absl::StrCat("TLS handshake with ", conn->label, " failed: ", ec.message()));
  }
  X509* cert = SSL_get1_peer_certificate(conn->stream.native_handle());
  if (cert == nullptr) {
    conn->close(absl::UnauthenticatedError("no certificate"));
    co_return absl::UnauthenticatedError(absl::StrCat(conn->label, " presented no certificate"));
  }
  conn->peer = node_id_from_x509(cert);
  conn->peer_is_administrator = is_admin_certificate(cert);
  X509_free(cert);
  co_return absl::OkStatus();
}

Task<> TlsTransport::accept_loop() {
  while (acceptor_ && acceptor_->is_open()) {
    tcp::socket socket(io_);
    ErrorCode ec = co_await async_io(
        [&](auto complete) { acceptor_->async_accept(socket, [complete](ErrorCode e) mutable { complete(e); }); },
        [&] {
          ErrorCode ignored;
          acceptor_->close(ignored);
        });
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) {  // e.g. out of file descriptors: say so, and do not spin
      tracer_.event(Severity::kWarn, "AcceptFailed", ec.message());
      (void)co_await sleep_for(clock_, absl::Milliseconds(100));
      continue;
    }
    spawner_.spawn(serve_incoming(std::move(socket)));
  }
}

Task<> TlsTransport::serve_incoming(tcp::socket socket) {
  ErrorCode ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  const std::string label =
      ec ? std::string("unknown peer") : absl::StrCat(remote.address().to_string(), ":", remote.port());
  auto conn = std::make_shared<Connection>(nullptr, std::move(socket), *ctx_, label);
  absl::Status s = co_await with_timeout(clock_, absl::Seconds(10), handshake(conn, /*as_server=*/true));
  if (!s.ok()) {
    tracer_.event(Severity::kWarn, "PeerRefused", absl::StrCat(label, ": ", s.message()));
    conn->close(s);
    co_return;
  }
  co_await read_loop(conn);
}

Task<> TlsTransport::read_loop(std::shared_ptr<Connection> conn) {
  auto abort = [conn] { conn->close(absl::CancelledError("transport shut down")); };
  absl::Status end = absl::UnavailableError(absl::StrCat(
      "connection to ", conn->label, " closed (at once after connecting: the peer refused our certificate)"));
  auto read_exact = [&](asio::mutable_buffer buffer) {
    return async_io(
        [&conn, buffer](auto complete) {
          asio::async_read(conn->stream, buffer, [complete](ErrorCode e, size_t) mutable { complete(e); });
        },
        abort);
  };
  unsigned char header[4];
  while (!conn->closed) {
    if (ErrorCode ec = co_await read_exact(asio::buffer(header, 4)); ec) break;
    absl::StatusOr<uint32_t> length = decode_frame_length(header);
    if (!length.ok()) {
      end = absl::DataLossError(absl::StrCat("peer ", conn->label, " sent a bad frame: ", length.status().message()));
      tracer_.event(Severity::kWarn, "BadFrame", std::string(end.message()));
      break;
    }
    // Memory follows the bytes that arrived, not the length announced: a peer that announces
    // 32 MiB and sends nothing costs one step (kFrameReadStep), not 32 MiB.
    std::string body;
    bool cut = false;
    while (body.size() < *length) {
      const size_t before = body.size();
      const size_t step = std::min<size_t>(*length - before, kFrameReadStep);
      body.resize(before + step);
      if (ErrorCode ec = co_await read_exact(asio::buffer(body.data() + before, step)); ec) {
        cut = true;
        break;
      }
    }
    if (cut) break;
    absl::StatusOr<Frame> frame = decode_frame(body);
    if (!frame.ok()) {
      end = absl::DataLossError(absl::StrCat("peer ", conn->label, " sent a bad frame: ", frame.status().message()));
      tracer_.event(Severity::kWarn, "BadFrame", std::string(end.message()));
      break;
    }
    if (frame->kind == Frame::Kind::kRequest) {
      spawner_.spawn(serve(conn, frame->call_id, std::move(frame->payload)));
      continue;
    }
    auto it = conn->pending.find(frame->call_id);
    if (it == conn->pending.end()) continue;  // the caller gave up already
    if (frame->status.ok()) {
      it->second.set(RpcReply{conn->peer, std::move(frame->payload)});
    } else {
      it->second.set(frame->status);
    }
    conn->pending.erase(it);
  }
  conn->close(end);
}

Task<> TlsTransport::serve(std::shared_ptr<Connection> conn, uint64_t call_id, std::string payload) {
  absl::StatusOr<std::string> result = absl::UnimplementedError("no RPC handler");
  if (conn->serving >= kMaxServedPerConnection) {
    result = absl::ResourceExhaustedError("too many concurrent requests on one connection");
  } else if (handler_) {
    ++conn->serving;
    RpcCaller caller{conn->peer, conn->peer_is_administrator};
    result = co_await handler_(std::move(caller), std::move(payload));
    --conn->serving;
  }
  Frame reply{Frame::Kind::kResponse, call_id, result.status(), result.ok() ? std::move(*result) : std::string()};
  conn->send(encode_frame(reply));
}

void TlsTransport::forget(Connection* conn) { dialer_.forget(conn->label, conn); }

}  // namespace garage
