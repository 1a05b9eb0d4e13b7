// The HTTP server's connection bounds, on real loopback sockets: the server runs on its own
// thread (its io_context), the test talks to it with blocking client sockets.
#include "net/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "net/prod_env.h"

namespace garage {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

TEST(HttpServer, MaxConnectionsFollowTheFileLimit) {
  EXPECT_EQ(max_connections_for_fd_limit(512, 1024), 512);
  EXPECT_EQ(max_connections_for_fd_limit(512, 256), 128);  // a client past it would hang
  EXPECT_EQ(max_connections_for_fd_limit(512, 65536), 512);
  EXPECT_EQ(max_connections_for_fd_limit(100000, 65536), 65536 - 512);
  EXPECT_EQ(max_connections_for_fd_limit(512, 1), 1);
  EXPECT_GE(raise_fd_limit(), 1u);
}

// A server on 127.0.0.1 whose handler answers "ok" and counts a request as authenticated when
// it carries "x-known".
class ServerOnAThread {
 public:
  explicit ServerOnAThread(int max_connections) {
    HttpServerOptions options;
    options.max_connections = max_connections;
    server_ = std::make_unique<HttpServer>(
        io_, clock_, spawner_, tracer_,
        [](http::HttpRequest& r) -> Task<http::HttpResponse> {
          http::HttpResponse response;
          response.body = "ok";
          response.authenticated = r.header("x-known").has_value();
          co_return response;
        },
        options);
    // A free port: the one the OS gives a throwaway acceptor (listen() wants a port number).
    {
      tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      port_ = probe.local_endpoint().port();
    }
    absl::Status listening = server_->listen("127.0.0.1:" + std::to_string(port_));
    EXPECT_TRUE(listening.ok()) << listening;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServerOnAThread() {
    io_.stop();
    thread_.join();
    spawner_.cancel_all();
  }
  uint16_t port() const { return port_; }

 private:
  asio::io_context io_;
  AsioClock clock_{io_};
  Spawner spawner_{clock_};
  StderrTracer tracer_{Severity::kWarn};
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send_request(bool known) {
    const std::string request = std::string("GET / HTTP/1.1\r\nhost: t\r\n") + (known ? "x-known: 1\r\n" : "") + "\r\n";
    asio::write(socket_, asio::buffer(request));
  }
  // The next response's status line, or "closed" if the server closed the connection first.
  std::string read_response() {
    std::string got;
    char buf[4096];
    while (!absl::StrContains(got, "\r\n\r\nok")) {
      boost::system::error_code ec;
      const size_t n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) return "closed";
      got.append(buf, n);
    }
    return got.substr(0, got.find("\r\n"));
  }
  // True if the server closed this connection (read gives end of file or a reset).
  bool closed_by_server() {
    char c;
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return static_cast<bool>(ec);
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
};

void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(200)); }

// Issue 25 point 3: when full, a new connection takes an idle one's place, a stranger's before
// a known client's, so idle connections cannot lock anyone out.
TEST(HttpServer, WhenFullAnIdleStrangerMakesRoomBeforeAKnownClient) {
  ServerOnAThread server(2);
  Client known(server.port());
  known.send_request(/*known=*/true);
  EXPECT_EQ(known.read_response(), "HTTP/1.1 200 OK");  // kept alive: idle, and known
  Client stranger(server.port());                       // idle, never sent a byte
  settle();
  Client newcomer(server.port());  // the server is full: the stranger goes
  newcomer.send_request(false);
  EXPECT_EQ(newcomer.read_response(), "HTTP/1.1 200 OK");
  EXPECT_TRUE(stranger.closed_by_server());
  known.send_request(true);
  EXPECT_EQ(known.read_response(), "HTTP/1.1 200 OK") << "the known client's idle connection was kept";
  // Now full of a known client and an idle stranger (the newcomer, kept alive after its
  // request): the next one again takes the stranger's place.
  settle();
  Client another(server.port());
  another.send_request(false);
  EXPECT_EQ(another.read_response(), "HTTP/1.1 200 OK");
  EXPECT_TRUE(newcomer.closed_by_server());
  // Only known clients idle: the one idle longest goes.
  another.send_request(true);
  EXPECT_EQ(another.read_response(), "HTTP/1.1 200 OK");
  settle();
  Client last(server.port());
  last.send_request(false);
  EXPECT_EQ(last.read_response(), "HTTP/1.1 200 OK");
  EXPECT_TRUE(known.closed_by_server());
}

}  // namespace
}  // namespace garage
