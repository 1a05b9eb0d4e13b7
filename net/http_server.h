// HttpServer: HTTP/1.1 on Boost.Beast, serving an s3::HttpRequest handler (the S3 API).
//
// Bodies stream both ways: the handler pulls the request body in pieces (BodySource over
// Beast's buffer_body parser) and the server pulls a streamed response body piece by piece,
// so a request never holds a whole object. Keep-alive; "Expect: 100-continue" is answered
// before the body is read; a request whose body the handler did not read is drained (up to
// 1 MiB) or the connection closed. Headers must arrive within 60 s, a body piece within 120 s.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "node/env.h"
#include "node/runtime/spawner.h"
#include "s3/http.h"

namespace garage {

class HttpServer {
 public:
  using Handler = std::function<Task<s3::HttpResponse>(s3::HttpRequest&)>;

  HttpServer(boost::asio::io_context& io, Clock& clock, Spawner& spawner, Tracer& tracer, Handler handler);
  ~HttpServer();

  absl::Status listen(const std::string& bind_address);
  uint16_t listening_port() const;

 private:
  Task<> accept_loop();
  Task<> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  Clock& clock_;
  Spawner& spawner_;
  Tracer& tracer_;
  Handler handler_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

}  // namespace garage
