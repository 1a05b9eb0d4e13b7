// HttpServer: HTTP/1.1 on Boost.Beast, serving an http::HttpRequest handler (the S3 API; it
// knows nothing of S3).
//
// Bodies stream both ways: the handler pulls the request body in pieces (BodySource over
// Beast's buffer_body parser) and the server pulls a streamed response body piece by piece,
// so a request never holds a whole object. Keep-alive; "Expect: 100-continue" is answered
// before the body is read; a request whose body the handler did not read is drained (up to
// 1 MiB) or the connection closed.
//
// Bounds (HttpServerOptions): at most max_connections at once. When full, a new connection
// takes the place of an idle one (waiting for its next request's headers): first a stranger's
// (no request on it was ever authenticated), oldest first, then a known client's; so idle
// connections, however many and however often reopened, cannot lock others out. With none
// idle, the new one is told 503 SlowDown and closed, never left hanging; a request's headers, and the next request on a
// kept-alive connection, within header_timeout; a body that stalls (no byte for body_stall_timeout) or crawls (under
// min_body_bytes_per_second once body_rate_grace has passed) is cut; a response the client takes nothing of for
// write_timeout closes the connection, releasing it. Memory for response bodies is bounded where it is taken (the S3
// API's read budget, by backpressure); when others wait for it (memory_wanted), a client that has taken nothing of its
// response for stall_eviction_after is let go. A client that keeps reading, however slowly, is not: progress is what
// the kernel's send queue shows (SIOCOUTQ), sampled once a second.
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
  int max_connections = 512;                              // s3_api.max_connections, lowered to what the fd limit allows
  absl::Duration header_timeout = absl::Seconds(60);      // also the keep-alive idle limit
  absl::Duration body_stall_timeout = absl::Seconds(60);  // no byte of the body for this long
  absl::Duration body_rate_grace = absl::Seconds(30);     // before min_body_bytes_per_second applies
  double min_body_bytes_per_second = 1024;                // averaged since the body began
  absl::Duration write_timeout = absl::Seconds(60);       // the client took no byte of a response
  // True while requests wait for memory the responses being written hold. Default: never.
  std::function<bool()> memory_wanted;
  absl::Duration stall_eviction_after = absl::Seconds(5);  // of no progress, while memory_wanted
  // What a connection over max_connections is told before it is closed (the service's own
  // "slow down" answer: S3's SlowDown error document for the S3 API). Default: a plain 503.
  std::function<http::HttpResponse()> overloaded_response;
};

// The connections the process can afford with `fd_limit` open files, keeping room for the
// metadata store, peers and block files: half the limit up to 1024, then all but 512.
int max_connections_for_fd_limit(int configured, uint64_t fd_limit);
// Raises the soft limit on open files to the hard one; returns the soft limit then in force.
uint64_t raise_fd_limit();

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
  // A response piece, registered while it is written so that the eviction loop sees its
  // progress; the eviction loop closes it if the client takes nothing for write_timeout.
  Task<boost::system::error_code> write_piece(boost::asio::ip::tcp::socket& socket, std::string_view piece);
  void evict_stalled_writers(absl::Duration now);
  Task<> eviction_loop();  // once a second: samples progress, lets stalled writers go if needed

  // Every connection being served, by id (accept order): what eviction needs to choose.
  struct Connection {
    boost::asio::ip::tcp::socket* socket;
    bool idle = true;            // waiting for a request's headers
    absl::Duration idle_since;   // monotonic
    bool authenticated = false;  // a request on it was authenticated
    bool evicted = false;        // closed to make room; no longer counted
  };
  // Closes the idle connection to sacrifice for a new one; false if none is idle.
  bool evict_an_idle_connection();

  struct PendingWrite {
    boost::asio::ip::tcp::socket* socket;
    absl::Duration last_progress;  // monotonic
    int64_t last_send_queue = -1;  // SIOCOUTQ at the last sample
  };

  boost::asio::io_context& io_;
  Clock& clock_;
  Spawner& spawner_;
  Tracer& tracer_;
  Handler handler_;
  HttpServerOptions options_;
  int open_connections_ = 0;  // in connections_, not evicted
  std::map<uint64_t, Connection> connections_;
  uint64_t next_connection_id_ = 0;
  uint64_t idle_evicted_ = 0;
  std::map<uint64_t, PendingWrite> pending_writes_;  // by id, oldest first
  uint64_t next_write_id_ = 0;
  uint64_t stalled_evicted_ = 0;
  bool trim_after_eviction_ = false;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  // False once destroyed: connection frames the spawner destroys later must not touch it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace garage
