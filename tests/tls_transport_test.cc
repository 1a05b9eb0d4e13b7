// The real transport, in one process on loopback: calls and replies, remote errors, timeouts,
// reconnection backoff, peers speaking garbage, and certificates from another CA.
#include "net/tls_transport.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <memory>

#include "net/prod_env.h"
#include "node/runtime/combinators.h"

namespace garage {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class TlsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/garage-tls-test-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    const std::string genkeys = std::string(GARAGE_SOURCE_DIR) + "/scripts/genkeys.sh";
    ASSERT_EQ(std::system((genkeys + " " + *dir_ + "/keys a b >/dev/null").c_str()), 0);
    ASSERT_EQ(std::system((genkeys + " " + *dir_ + "/evil x >/dev/null").c_str()), 0);
  }
  static void TearDownTestSuite() {
    std::system(("rm -rf " + *dir_).c_str());
    delete dir_;
  }
  static TlsFiles files(const std::string& ca_dir, const std::string& name) {
    const std::string d = *dir_ + "/" + ca_dir;
    return TlsFiles{d + "/ca.crt", d + "/" + name + ".crt", d + "/" + name + ".key"};
  }

  void SetUp() override {
    server_ = make(files("keys", "a"));
    ASSERT_TRUE(server_->listen("127.0.0.1:0").ok());
    server_->set_handler([this](RpcCaller from, std::string body) { return handle(from, std::move(body)); });
    address_ = "127.0.0.1:" + std::to_string(server_->listening_port());
  }

  std::unique_ptr<TlsTransport> make(const TlsFiles& f) {
    auto t = TlsTransport::create(io_, clock_, spawner_, tracer_, f);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? std::move(*t) : nullptr;
  }

  Task<absl::StatusOr<std::string>> handle(RpcCaller from, std::string body) {
    last_caller_ = from.id;
    last_caller_is_administrator_ = from.administrator;
    if (body == "slow") (void)co_await sleep_for(clock_, absl::Seconds(5));
    if (body == "missing") co_return absl::NotFoundError("no such key");
    co_return "echo:" + body;
  }

  // Runs one call to completion on the io_context.
  absl::StatusOr<RpcReply> call(TlsTransport& from, std::string address, std::string body,
                                absl::Duration timeout = absl::Seconds(5)) {
    absl::StatusOr<RpcReply> out = absl::UnknownError("never ran");
    bool done = false;
    spawner_.spawn([](TlsTransport* t, std::string a, std::string b, absl::Duration d, absl::StatusOr<RpcReply>* o,
                      bool* flag) -> Task<> {
      *o = co_await t->call(a, b, CallOptions{.timeout = d});
      *flag = true;
    }(&from, address, body, timeout, &out, &done));
    while (!done && io_.run_one_for(std::chrono::seconds(10)) > 0) {
    }
    EXPECT_TRUE(done);
    return out;
  }

  static std::string* dir_;
  asio::io_context io_;
  AsioClock clock_{io_};
  StderrTracer tracer_{Severity::kError};
  Spawner spawner_{clock_};
  std::unique_ptr<TlsTransport> server_;
  std::string address_;
  NodeId last_caller_;
  bool last_caller_is_administrator_ = false;
};
std::string* TlsTransportTest::dir_ = nullptr;

TEST_F(TlsTransportTest, CallsGetRepliesFromTheAuthenticatedPeer) {
  auto client = make(files("keys", "b"));
  absl::StatusOr<RpcReply> r = call(*client, address_, "hello");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "echo:hello");
  EXPECT_EQ(r->from, server_->self_id());
  EXPECT_EQ(last_caller_, client->self_id());
  EXPECT_NE(client->self_id(), server_->self_id());
  // The connection is reused for the next call.
  EXPECT_EQ(call(*client, address_, "again")->body, "echo:again");
}

TEST_F(TlsTransportTest, OnlyTheCliCertificateIsAnAdministrator) {
  auto node = make(files("keys", "b"));
  ASSERT_TRUE(call(*node, address_, "from a node").ok());
  EXPECT_FALSE(last_caller_is_administrator_) << "a node certificate passed for an administrator";
  auto cli = make(files("keys", "cli"));
  ASSERT_TRUE(call(*cli, address_, "from the cli").ok());
  EXPECT_EQ(last_caller_, cli->self_id());
  EXPECT_TRUE(last_caller_is_administrator_) << "genkeys.sh's cli.crt is not taken for an administrator";
}

TEST_F(TlsTransportTest, RemoteErrorsArriveWithCodeAndMessage) {
  auto client = make(files("keys", "b"));
  absl::StatusOr<RpcReply> r = call(*client, address_, "missing");
  EXPECT_EQ(r.status(), absl::NotFoundError("no such key"));
}

TEST_F(TlsTransportTest, SlowPeerTimesOut) {
  auto client = make(files("keys", "b"));
  const absl::Duration start = clock_.now_monotonic();
  absl::StatusOr<RpcReply> r = call(*client, address_, "slow", absl::Milliseconds(200));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(clock_.now_monotonic() - start, absl::Seconds(2));
}

TEST_F(TlsTransportTest, UnreachablePeerFailsThenBacksOff) {
  auto client = make(files("keys", "b"));
  tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string closed_port = "127.0.0.1:" + std::to_string(probe.local_endpoint().port());
  probe.close();  // nothing listens there now
  absl::StatusOr<RpcReply> first = call(*client, closed_port, "x");
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  absl::StatusOr<RpcReply> second = call(*client, closed_port, "x");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("retrying later"), std::string::npos) << second.status();
}

// Starts `n` calls at once (all find the same connection attempt in progress) and runs the
// io_context until every one has ended or `limit` has passed; how many ended.
struct ConcurrentCalls {
  std::vector<absl::StatusOr<RpcReply>> results;
  int ended = 0;
};

// Every caller that finds a connection attempt in progress waits for it, and each is resumed:
// with the connection once it is up, or by its own timeout if the attempt hangs (issue 25
// point 2: one shared waiter slot left all but the last caller waiting for good).
TEST_F(TlsTransportTest, ConcurrentCallsShareOneDialAndEachEnds) {
  auto client = make(files("keys", "b"));
  auto run_all = [&](const std::string& address, int n, absl::Duration timeout) {
    auto out = std::make_shared<ConcurrentCalls>();
    out->results.assign(n, absl::UnknownError("never ended"));
    for (int i = 0; i < n; ++i) {
      spawner_.spawn(
          [](TlsTransport* t, std::string a, absl::Duration d, std::shared_ptr<ConcurrentCalls> o, int slot) -> Task<> {
            absl::StatusOr<RpcReply> r = co_await t->call(a, "hi", CallOptions{.timeout = d});
            o->results[slot] = std::move(r);
            ++o->ended;
          }(client.get(), address, timeout, out, i));
    }
    const absl::Duration give_up = clock_.now_monotonic() + timeout + absl::Seconds(3);
    while (out->ended < n && clock_.now_monotonic() < give_up) io_.run_one_for(std::chrono::milliseconds(50));
    return out;
  };

  // A peer that accepts TCP and never answers the TLS handshake: the attempt hangs until the
  // first caller's timeout; every other caller's own timeout still fires.
  tcp::acceptor silent(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string silent_address = "127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  const absl::Duration start = clock_.now_monotonic();
  std::shared_ptr<ConcurrentCalls> hung = run_all(silent_address, 6, absl::Milliseconds(300));
  EXPECT_EQ(hung->ended, 6) << "callers waiting on a hung connection attempt were never resumed";
  for (const absl::StatusOr<RpcReply>& r : hung->results) EXPECT_FALSE(r.ok()) << r.status();
  EXPECT_LT(clock_.now_monotonic() - start, absl::Seconds(2));

  // A peer that answers: every caller gets its reply over the one connection.
  std::shared_ptr<ConcurrentCalls> served = run_all(address_, 8, absl::Seconds(5));
  EXPECT_EQ(served->ended, 8);
  for (const absl::StatusOr<RpcReply>& r : served->results) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, "echo:hi");
  }
}

TEST_F(TlsTransportTest, ForeignCertificatesAreRefusedBothWays) {
  auto intruder = make(files("evil", "x"));
  EXPECT_FALSE(call(*intruder, address_, "let me in").ok());
  EXPECT_TRUE(last_caller_.is_zero());  // the handler never ran
}

TEST_F(TlsTransportTest, GarbageFromAPeerClosesOnlyItsConnection) {
  // Plain text where a TLS handshake should be.
  tcp::socket raw(io_);
  raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->listening_port()));
  asio::write(raw, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));

  // An authenticated peer announcing a frame far over the limit.
  asio::ssl::context ctx(asio::ssl::context::tls);
  const TlsFiles b = files("keys", "b");
  ctx.load_verify_file(b.ca_cert);
  ctx.use_certificate_chain_file(b.cert);
  ctx.use_private_key_file(b.key, asio::ssl::context::pem);
  asio::ssl::stream<tcp::socket> tls(io_, ctx);
  bool handshaken = false;
  tls.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->listening_port()));
  tls.async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code ec) { handshaken = !ec; });
  while (!handshaken && io_.run_one_for(std::chrono::seconds(5)) > 0) {
  }
  ASSERT_TRUE(handshaken);
  const unsigned char huge[4] = {0xff, 0xff, 0xff, 0x7f};
  bool closed = false;
  asio::async_write(tls, asio::buffer(huge, 4), [&](boost::system::error_code, size_t) {
    static char byte;
    asio::async_read(tls, asio::buffer(&byte, 1), [&](boost::system::error_code ec, size_t) { closed = bool(ec); });
  });
  while (!closed && io_.run_one_for(std::chrono::seconds(5)) > 0) {
  }
  EXPECT_TRUE(closed);  // the server hung up on it

  // And the node still serves well-behaved peers.
  auto client = make(files("keys", "b"));
  EXPECT_EQ(call(*client, address_, "still there?")->body, "echo:still there?");
}

TEST_F(TlsTransportTest, BadTlsFilesAreReportedClearly) {
  auto t = TlsTransport::create(io_, clock_, spawner_, tracer_, TlsFiles{"/nonexistent/ca.crt", "c", "k"});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("/nonexistent/ca.crt"), std::string::npos) << t.status();
}

}  // namespace
}  // namespace garage
