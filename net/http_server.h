// HttpServer: HTTP/1.1 on Boost.Beast, serving an s3::HttpRequest handler (the S3 API).
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
// piece the client does not take within write_timeout closes the connection, releasing it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "node/env.h"
#include "node/runtime/spawner.h"
#include "s3/http.h"

namespace garage {

struct HttpServerOptions {
  int max_connections = 512;                              // s3_api.max_connections
  absl::Duration header_timeout = absl::Seconds(60);      // also the keep-alive idle limit
  absl::Duration body_stall_timeout = absl::Seconds(60);  // no byte of the body for this long
  absl::Duration body_rate_grace = absl::Seconds(30);     // before min_body_bytes_per_second applies
  double min_body_bytes_per_second = 1024;                // averaged since the body began
  absl::Duration write_timeout = absl::Seconds(60);       // for the client to take one piece
};

class HttpServer {
 public:
  using Handler = std::function<Task<s3::HttpResponse>(s3::HttpRequest&)>;

  HttpServer(boost::asio::io_context& io, Clock& clock, Spawner& spawner, Tracer& tracer, Handler handler,
             HttpServerOptions options = {});
  ~HttpServer();

  absl::Status listen(const std::string& bind_address);
  uint16_t listening_port() const;

 private:
  Task<> accept_loop();
  Task<> serve(boost::asio::ip::tcp::socket socket);
  Task<> refuse(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  Clock& clock_;
  Spawner& spawner_;
  Tracer& tracer_;
  Handler handler_;
  HttpServerOptions options_;
  int open_connections_ = 0;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

}  // namespace garage
