// HttpServer: HTTP/1.1 on Boost.Beast, serving an http::HttpRequest handler (the S3 API; it
// knows nothing of S3).
//
// Bodies stream both ways: the handler pulls the request body in pieces (BodySource over
// Beast's buffer_body parser) and the server pulls a streamed response body piece by piece,
// so a request never holds a whole object. Keep-alive; "Expect: 100-continue" is answered
// before the body is read; a request whose body the handler did not read is drained (up to
// 1 MiB) or the connection closed.
//
// Bounds (HttpServerOptions): at most max_connections at once (one more is told 503 SlowDown
// and closed, never left hanging); a request's headers, and the next request on a kept-alive
// connection, within header_timeout; a body that stalls (no byte for body_stall_timeout) or
// crawls (under min_body_bytes_per_second once body_rate_grace has passed) is cut; a response
// piece the client does not take within write_timeout closes the connection, releasing it;
// and when the response pieces waiting on slow clients exceed pending_write_budget_bytes, the
// clients stalled longest are let go first.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "node/env.h"
#include "node/http/message.h"
#include "node/runtime/spawner.h"

namespace garage {

struct HttpServerOptions {
  int max_connections = 512;                              // s3_api.max_connections
  absl::Duration header_timeout = absl::Seconds(60);      // also the keep-alive idle limit
  absl::Duration body_stall_timeout = absl::Seconds(60);  // no byte of the body for this long
  absl::Duration body_rate_grace = absl::Seconds(30);     // before min_body_bytes_per_second applies
  double min_body_bytes_per_second = 1024;                // averaged since the body began
  absl::Duration write_timeout = absl::Seconds(60);       // for the client to take one piece
  // Response bytes held by writes in progress, over every connection. Past it, the writes
  // stalled longest (at least stall_eviction_after) lose their connection: clients that do not
  // read cannot hold the node's memory. Streams hold about as much again, prefetched.
  uint64_t pending_write_budget_bytes = 32u << 20;
  absl::Duration stall_eviction_after = absl::Seconds(5);
  // What a connection over max_connections is told before it is closed (the service's own
  // "slow down" answer: S3's SlowDown error document for the S3 API). Default: a plain 503.
  std::function<http::HttpResponse()> overloaded_response;
};

class HttpServer {
 public:
  using Handler = std::function<Task<http::HttpResponse>(http::HttpRequest&)>;

  HttpServer(boost::asio::io_context& io, Clock& clock, Spawner& spawner, Tracer& tracer, Handler handler,
             HttpServerOptions options = {});
  ~HttpServer();

  absl::Status listen(const std::string& bind_address);
  uint16_t listening_port() const;

 private:
  Task<> accept_loop();
  Task<> serve(boost::asio::ip::tcp::socket socket);
  Task<> refuse(boost::asio::ip::tcp::socket socket);
  // A response piece written under the budget (see HttpServerOptions): registers it, evicts
  // stalled writers if the total is over, writes, unregisters.
  Task<boost::system::error_code> write_piece(boost::asio::ip::tcp::socket& socket, std::string_view piece);
  void evict_stalled_writers(absl::Duration now);
  Task<> eviction_loop();  // once a second: writers that stalled while nothing else was written

  struct PendingWrite {
    boost::asio::ip::tcp::socket* socket;
    uint64_t bytes;
    absl::Duration since;  // monotonic
  };

  boost::asio::io_context& io_;
  Clock& clock_;
  Spawner& spawner_;
  Tracer& tracer_;
  Handler handler_;
  HttpServerOptions options_;
  int open_connections_ = 0;
  std::map<uint64_t, PendingWrite> pending_writes_;  // by id, oldest first
  uint64_t pending_bytes_ = 0;
  uint64_t next_write_id_ = 0;
  uint64_t stalled_evicted_ = 0;
  bool trim_after_eviction_ = false;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

}  // namespace garage
