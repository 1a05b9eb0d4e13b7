#include "net/http_server.h"

#include <linux/sockios.h>
#include <malloc.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "net/asio_await.h"
#include "node/config.h"
#include "node/runtime/combinators.h"

namespace garage {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {
constexpr size_t kMaxPiece = 1u << 20;
constexpr size_t kFirstPiece = 64u << 10;
constexpr size_t kMaxDrain = 1u << 20;

// The request body, read from the socket as the handler asks for it.
class SocketBody final : public http::BodySource {
 public:
  SocketBody(tcp::socket& socket, beast::flat_buffer& buffer, bhttp::request_parser<bhttp::buffer_body>& parser,
             Clock& clock, const HttpServerOptions& options, bool expect_continue)
      : socket_(socket),
        buffer_(buffer),
        parser_(parser),
        clock_(clock),
        options_(options),
        expect_continue_(expect_continue),
        started_(clock.now_monotonic()) {}

  bool failed() const { return failed_; }

  Task<absl::StatusOr<std::string>> read(size_t max) override {
    if (parser_.is_done()) co_return std::string();
    if (expect_continue_) {
      expect_continue_ = false;
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      ErrorCode ec = co_await async_io(
          [&](auto complete) {
            asio::async_write(socket_, asio::buffer(kContinue),
                              [complete](ErrorCode e, size_t) mutable { complete(e); });
          },
          [&] { socket_.close(); });
      if (ec) {
        failed_ = true;
        co_return absl::UnavailableError(absl::StrCat("writing 100-continue: ", ec.message()));
      }
    }
    // Filled as far as the caller asked (a piece per call, as a whole block for PUTs), one
    // read_some at a time: each is bounded by the stall timeout and counted for the rate.
    // Memory follows what arrived: a first small piece, grown to the whole ask once it is full,
    // so a client that sends headers and then nothing holds kFirstPiece, not a block.
    const size_t wanted = std::min(std::max<size_t>(max, 1), kMaxPiece);
    std::string out(std::min(wanted, kFirstPiece), '\0');
    size_t filled = 0;
    while (!parser_.is_done() && filled < wanted) {
      if (filled == out.size()) out.resize(wanted);
      parser_.get().body().data = out.data() + filled;
      parser_.get().body().size = out.size() - filled;
      Task<ErrorCode> step = async_io(
          [&](auto complete) {
            bhttp::async_read_some(socket_, buffer_, parser_, [complete](ErrorCode e, size_t) mutable { complete(e); });
          },
          [&] { socket_.close(); });
      absl::StatusOr<ErrorCode> ec = co_await with_timeout(clock_, options_.body_stall_timeout, std::move(step));
      const size_t got = out.size() - filled - parser_.get().body().size;
      if (!ec.ok()) {
        failed_ = true;
        co_return absl::DeadlineExceededError("request body: the client stopped sending");
      }
      filled += got;
      received_ += got;
      // A body trickled in (a byte every few seconds) would hold the connection for ever.
      const absl::Duration elapsed = clock_.now_monotonic() - started_;
      if (elapsed > options_.body_rate_grace &&
          static_cast<double>(received_) < options_.min_body_bytes_per_second * absl::ToDoubleSeconds(elapsed)) {
        failed_ = true;
        co_return absl::DeadlineExceededError("request body: the client sends too slowly");
      }
      if (*ec && *ec != bhttp::error::need_buffer) {
        failed_ = true;
        co_return absl::InvalidArgumentError(absl::StrCat("request body: ", ec->message()));
      }
    }
    if (filled > 0) {
      out.resize(filled);
      co_return out;
    }
    co_return std::string();
  }

 private:
  tcp::socket& socket_;
  beast::flat_buffer& buffer_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  Clock& clock_;
  const HttpServerOptions& options_;
  bool expect_continue_;
  absl::Duration started_;
  uint64_t received_ = 0;
  bool failed_ = false;
};

// Writes everything, or fails (and closes the socket) if the client does not take it within
// `timeout`: a client that never reads releases its connection and what it holds.
Task<ErrorCode> write_all(Clock& clock, absl::Duration timeout, tcp::socket& socket, std::string_view bytes) {
  Task<ErrorCode> write = async_io(
      [&](auto complete) {
        asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()),
                          [complete](ErrorCode e, size_t) mutable { complete(e); });
      },
      [&] { socket.close(); });
  absl::StatusOr<ErrorCode> ec = co_await with_timeout(clock, timeout, std::move(write));
  if (!ec.ok()) co_return asio::error::timed_out;
  co_return *ec;
}

const char* reason(int status) { return bhttp::obsolete_reason(static_cast<bhttp::status>(status)).data(); }

// The status line and headers (Beast's serializer would do; this keeps HEAD's announced
// Content-Length and the streamed case in one place).
std::string response_head(const http::HttpResponse& r, uint64_t length, bool keep_alive) {
  std::string out = absl::StrCat("HTTP/1.1 ", r.status, " ", reason(r.status), "\r\n");
  for (const auto& [k, v] : r.headers) {
    // A header value must not smuggle a line break into the response.
    if (k.find_first_of("\r\n") != std::string::npos || v.find_first_of("\r\n") != std::string::npos) continue;
    absl::StrAppend(&out, k, ": ", v, "\r\n");
  }
  if (r.status != 304 && r.status != 204) absl::StrAppend(&out, "content-length: ", length, "\r\n");
  if (!keep_alive) out += "connection: close\r\n";
  out += "\r\n";
  return out;
}
}  // namespace

HttpServer::HttpServer(asio::io_context& io, Clock& clock, Spawner& spawner, Tracer& tracer, Handler handler,
                       HttpServerOptions options)
    : io_(io), clock_(clock), spawner_(spawner), tracer_(tracer), handler_(std::move(handler)), options_(options) {}

HttpServer::~HttpServer() { *alive_ = false; }

int max_connections_for_fd_limit(int configured, uint64_t fd_limit) {
  const uint64_t affordable = fd_limit > 1024 ? fd_limit - 512 : fd_limit / 2;
  return static_cast<int>(std::max<uint64_t>(1, std::min<uint64_t>(configured, affordable)));
}

uint64_t raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? uint64_t{1} << 20 : static_cast<uint64_t>(limit.rlim_cur);
}

absl::Status HttpServer::listen(const std::string& bind_address) {
  absl::StatusOr<std::pair<std::string, uint16_t>> hp = split_host_port(bind_address);
  if (!hp.ok()) return hp.status();
  ErrorCode ec;
  const asio::ip::address addr = asio::ip::make_address(hp->first, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad bind address ", bind_address, ": ", ec.message()));
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  const tcp::endpoint ep(addr, hp->second);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot listen on ", bind_address, ": ", ec.message()));
  spawner_.spawn(accept_loop());
  spawner_.spawn(eviction_loop());
  return absl::OkStatus();
}

uint16_t HttpServer::listening_port() const { return acceptor_ ? acceptor_->local_endpoint().port() : 0; }

Task<> HttpServer::accept_loop() {
  for (;;) {
    tcp::socket socket(io_);
    ErrorCode ec = co_await async_io(
        [&](auto complete) { acceptor_->async_accept(socket, [complete](ErrorCode e) mutable { complete(e); }); },
        [&] { acceptor_->close(); });
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) {
      absl::Status slept = co_await sleep_for(clock_, absl::Milliseconds(100));  // e.g. out of file descriptors
      if (!slept.ok()) co_return;
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (open_connections_ >= options_.max_connections && !evict_an_idle_connection()) {
      spawner_.spawn(refuse(std::move(socket)));
      continue;
    }
    spawner_.spawn(serve(std::move(socket)));
  }
}

namespace {
// Bytes in the kernel's send queue not yet acknowledged by the client: it changes while the
// client reads, however slowly, and stays put when it has stopped. -1 if unknown.
int64_t send_queue_bytes(tcp::socket& socket) {
  int queued = 0;
  if (!socket.is_open() || ::ioctl(socket.native_handle(), SIOCOUTQ, &queued) != 0) return -1;
  return queued;
}
}  // namespace

bool HttpServer::evict_an_idle_connection() {
  Connection* victim = nullptr;
  for (auto& [id, c] : connections_) {
    if (!c.idle || c.evicted) continue;
    // Strangers before known clients; among equals, idle longest first.
    if (victim == nullptr || (victim->authenticated && !c.authenticated) ||
        (victim->authenticated == c.authenticated && c.idle_since < victim->idle_since)) {
      victim = &c;
    }
  }
  if (victim == nullptr) return false;
  victim->evicted = true;
  --open_connections_;
  ErrorCode ignored;
  victim->socket->close(ignored);  // its header read fails; its coroutine ends
  if (++idle_evicted_ % 1000 == 1) {
    tracer_.event(Severity::kInfo, "HttpIdleConnectionsLetGo",
                  absl::StrCat(idle_evicted_, " idle connections closed so far to serve new ones (max_connections ",
                               options_.max_connections, ")"));
  }
  return true;
}

void HttpServer::evict_stalled_writers(absl::Duration now) {
  for (auto& [id, w] : pending_writes_) {
    const int64_t queued = send_queue_bytes(*w.socket);
    if (queued != w.last_send_queue) {
      w.last_send_queue = queued;
      w.last_progress = now;
    }
  }
  const bool memory_wanted = options_.memory_wanted && options_.memory_wanted();
  const uint64_t before = stalled_evicted_;
  // A client that took nothing for write_timeout loses its connection; while others wait for
  // memory, one that took nothing for stall_eviction_after does. Its write fails and its piece
  // is released.
  for (auto it = pending_writes_.begin(); it != pending_writes_.end();) {
    const absl::Duration stalled = now - it->second.last_progress;
    if (stalled < options_.write_timeout && !(memory_wanted && stalled >= options_.stall_eviction_after)) {
      ++it;
      continue;
    }
    ErrorCode ignored;
    it->second.socket->close(ignored);
    it = pending_writes_.erase(it);
    ++stalled_evicted_;
  }
  if (stalled_evicted_ != before) {
    trim_after_eviction_ = true;
    tracer_.event(Severity::kInfo, "HttpStalledClientsLetGo",
                  absl::StrCat(stalled_evicted_ - before, " connections whose client stopped reading",
                               memory_wanted ? ", while others wait for memory" : ""));
  }
}

Task<> HttpServer::eviction_loop() {
  for (;;) {
    absl::Status slept = co_await sleep_for(clock_, absl::Seconds(1));
    if (!slept.ok() || !acceptor_ || !acceptor_->is_open()) co_return;
    if (trim_after_eviction_) {
      // The connections let go a second ago have freed their blocks by now; glibc keeps freed
      // memory in its heap unless asked, and a burst of stalled clients should not leave the
      // node's RSS high for good.
      trim_after_eviction_ = false;
      ::malloc_trim(0);
    }
    evict_stalled_writers(clock_.now_monotonic());
  }
}

Task<ErrorCode> HttpServer::write_piece(tcp::socket& socket, std::string_view piece) {
  const uint64_t id = next_write_id_++;
  pending_writes_[id] = PendingWrite{&socket, clock_.now_monotonic()};
  // One composed write for the piece; each step's progress is noted (the completion
  // condition runs after every write_some), and the eviction loop closes the connection if
  // the client takes nothing for write_timeout: a slow reader that keeps taking bytes is never
  // cut, however long the piece takes.
  auto note_progress = [this, id](const ErrorCode& e, size_t transferred) -> size_t {
    if (e) return 0;
    if (transferred > 0) {
      if (auto it = pending_writes_.find(id); it != pending_writes_.end())
        it->second.last_progress = clock_.now_monotonic();
    }
    return 64 * 1024;  // per write_some, as asio's transfer_all (1 MiB steps measured slower)
  };
  ErrorCode ec = co_await async_io(
      [&](auto complete) {
        asio::async_write(socket, asio::buffer(piece.data(), piece.size()), note_progress,
                          [complete](ErrorCode e, size_t) mutable { complete(e); });
      },
      [&] { socket.close(); });
  pending_writes_.erase(id);
  co_return ec;
}

Task<> HttpServer::refuse(tcp::socket socket) {
  // Over the limit: an answer S3 clients back off from, then the door closes.
  http::HttpResponse busy;
  if (options_.overloaded_response) {
    busy = options_.overloaded_response();
  } else {
    busy.status = 503;
    busy.body = "too many connections; retry later\n";
  }
  busy.set("retry-after", "1");
  std::string bytes = response_head(busy, busy.body.size(), false) + busy.body;
  (void)co_await write_all(clock_, absl::Seconds(5), socket, bytes);
  ErrorCode ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

Task<> HttpServer::serve(tcp::socket socket) {
  ++open_connections_;
  const uint64_t connection_id = next_connection_id_++;
  Connection& self = connections_[connection_id];
  self = Connection{&socket, true, clock_.now_monotonic()};
  // Also when the frame is destroyed at shutdown, possibly after the server itself.
  struct Release {
    HttpServer& server;
    std::shared_ptr<const bool> server_alive;
    uint64_t id;
    ~Release() {
      if (!*server_alive) return;
      auto it = server.connections_.find(id);
      if (it == server.connections_.end()) return;
      if (!it->second.evicted) --server.open_connections_;
      server.connections_.erase(it);
    }
  } release{*this, alive_, connection_id};
  std::string remote;
  {
    ErrorCode ec;
    tcp::endpoint ep = socket.remote_endpoint(ec);
    if (!ec) remote = absl::StrCat(ep.address().to_string(), ":", ep.port());
  }
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // sizes are the handlers' business (they stream)
    parser.header_limit(64 * 1024);
    Task<ErrorCode> read_head = async_io(
        [&](auto complete) {
          bhttp::async_read_header(socket, buffer, parser, [complete](ErrorCode e, size_t) mutable { complete(e); });
        },
        [&] { socket.close(); });
    absl::StatusOr<ErrorCode> ec = co_await with_timeout(clock_, options_.header_timeout, std::move(read_head));
    self.idle = false;
    if (self.evicted) break;
    if (!ec.ok() || *ec) {
      if (ec.ok() && *ec != bhttp::error::end_of_stream && *ec != asio::error::eof &&
          *ec != asio::error::connection_reset && socket.is_open()) {
        // Malformed request: say so once, then hang up.
        http::HttpResponse bad;
        bad.status = 400;
        bad.body = absl::StrCat("bad HTTP request: ", ec->message(), "\n");
        std::string head = response_head(bad, bad.body.size(), false);
        head += bad.body;
        (void)co_await write_all(clock_, options_.write_timeout, socket, head);
      }
      break;
    }
    auto& req = parser.get();
    http::HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.remote = remote;
    bool expect_continue = false;
    for (const auto& field : req) {
      std::string name = absl::AsciiStrToLower(std::string(field.name_string()));
      std::string value(field.value());
      if (name == "expect" && absl::AsciiStrToLower(value) == "100-continue") expect_continue = true;
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    const bool keep_alive_requested = req.keep_alive();
    SocketBody body(socket, buffer, parser, clock_, options_, expect_continue);
    request.body = &body;

    http::HttpResponse response = co_await handler_(request);
    self.authenticated = self.authenticated || response.authenticated;
    if (body.failed() || !socket.is_open()) break;

    // Drain what the handler left unread (an error answered before the body), within reason.
    bool keep_alive = keep_alive_requested;
    if (!parser.is_done()) {
      if (expect_continue) {
        keep_alive = false;  // the client has not sent the body: we never said continue
      } else {
        size_t drained = 0;
        while (!parser.is_done() && drained < kMaxDrain) {
          absl::StatusOr<std::string> piece = co_await body.read(64 * 1024);
          if (!piece.ok() || piece->empty()) break;
          drained += piece->size();
        }
        if (!parser.is_done()) keep_alive = false;
      }
    }

    const bool streamed = response.stream != nullptr && !response.head;
    const uint64_t length = streamed || response.head ? response.content_length : response.body.size();
    std::string head = response_head(response, length, keep_alive);
    if (!streamed) {
      if (!response.head) head += response.body;
      ErrorCode wec = co_await write_all(clock_, options_.write_timeout, socket, head);
      if (wec) break;
    } else {
      ErrorCode wec = co_await write_all(clock_, options_.write_timeout, socket, head);
      if (wec) break;
      uint64_t sent = 0;
      bool ok = true;
      while (sent < length) {
        absl::StatusOr<std::optional<std::string>> piece = co_await response.stream->next();
        if (!piece.ok() || !piece->has_value() || (*piece)->empty()) {
          // Headers are out: the only way left to signal the failure is to cut the connection.
          tracer_.event(Severity::kWarn, "HttpBodyFailed",
                        absl::StrCat(request.method, " ", http::redacted_target(request.target), ": ",
                                     piece.ok() ? "body ended early" : std::string(piece.status().message())));
          ok = false;
          break;
        }
        sent += (*piece)->size();
        wec = co_await write_piece(socket, **piece);
        if (wec) {
          ok = false;
          break;
        }
      }
      if (!ok) break;
    }
    if (!keep_alive) break;
    self.idle = true;
    self.idle_since = clock_.now_monotonic();
  }
  ErrorCode ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace garage
