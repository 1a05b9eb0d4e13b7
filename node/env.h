// The ports: the only way node logic reaches time, randomness, the network and disks.
//
// Each port has a production implementation (net/, store/) and a simulated one (sim/). Node
// objects receive the ports they need in their constructor (see Env); nothing in node/ or s3/
// may touch the OS directly (tests/check_layering.sh enforces it).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "node/node_id.h"
#include "node/runtime/executor.h"
#include "node/runtime/task.h"

namespace garage {

// Time. Monotonic time is a duration since an arbitrary origin (never goes backwards); wall time
// is for object timestamps and may be skewed or drifting per node. Timers come from Executor.
class Clock : public Executor {
 public:
  virtual absl::Duration now_monotonic() = 0;
  virtual absl::Time now_wall() = 0;
};

// Randomness: a stream of 64-bit words. All distributions are ours (node/rng.h), never std::'s.
class Rng {
 public:
  virtual ~Rng() = default;
  virtual uint64_t next_u64() = 0;
};

// Unpredictable bytes for secrets and for every identifier a client sees (access key ids and
// secrets, upload ids, request ids, version ids). Production: the OS's cryptographic generator
// (getrandom); simulation: a stream derived from the seed, apart from Rng's. Never shares state
// with Rng, whose output (timings, tie-breakers) a client may observe.
class Entropy {
 public:
  virtual ~Entropy() = default;
  virtual std::string bytes(size_t n) = 0;
};

// Network. Peers are reached by address ("host:port"); the reply carries the peer's verified
// id (from its certificate in production). Incoming requests go to one handler.
enum class RpcPriority : uint8_t { kHigh = 0, kNormal = 1, kBackground = 2 };

struct CallOptions {
  absl::Duration timeout = absl::Seconds(10);
  RpcPriority priority = RpcPriority::kNormal;
};

struct RpcReply {
  NodeId from;
  std::string body;
};

// Who sent a request, as its transport authenticated it (the TLS handshake in production).
struct RpcCaller {
  NodeId id;                   // SHA-256 of the certificate's public key
  bool administrator = false;  // an administration certificate (net/tls_identity.h), never a node's
};

using RpcHandler = std::function<Task<absl::StatusOr<std::string>>(RpcCaller from, std::string body)>;

class Transport {
 public:
  virtual ~Transport() = default;
  virtual const NodeId& self_id() const = 0;
  // Sends `body` to the node at `address`, waits for its reply. Fails with Unavailable (cannot
  // connect), DeadlineExceeded (no reply in time) or the remote handler's error.
  virtual Task<absl::StatusOr<RpcReply>> call(std::string address, std::string body, CallOptions options) = 0;
  virtual void set_handler(RpcHandler handler) = 0;
};

// Files: whole-file operations on paths relative to the disk's root. A write is durable only
// after sync_file (which also makes the file's name durable in its directory).
class Disk {
 public:
  virtual ~Disk() = default;
  virtual Task<absl::Status> write_file(std::string path, std::string data) = 0;
  virtual Task<absl::Status> sync_file(std::string path) = 0;
  // NotFound if absent. The bytes may be corrupt: callers verify checksums.
  virtual Task<absl::StatusOr<std::string>> read_file(std::string path) = 0;
  // Whether the file exists (without reading it). Corruption is not checked.
  virtual Task<absl::StatusOr<bool>> exists(std::string path) = 0;
  virtual Task<absl::Status> remove_file(std::string path) = 0;
  virtual Task<absl::StatusOr<std::vector<std::string>>> list_files(std::string dir) = 0;
  virtual absl::StatusOr<uint64_t> free_bytes() = 0;
};

// Metadata: an ordered key-value store with atomic batches and explicit sync.
// Implementations: store/ (RocksDB; in-memory with crash semantics for simulation).
struct KvWrite {
  std::string key;
  std::optional<std::string> value;  // nullopt deletes

  // Prefer these to braces: a braced list like {{"a", "1"}, {"b", "2"}} can brace-elide into
  // ONE KvWrite whose key is std::string{"a", "1"} (an iterator pair).
  static KvWrite put(std::string key, std::string value) { return KvWrite{std::move(key), std::move(value)}; }
  static KvWrite remove(std::string key) { return KvWrite{std::move(key), std::nullopt}; }
};

// The smallest key above every key that starts with `prefix`: the end of a prefix scan ("" if
// the prefix is empty or all 0xff bytes, which scan() reads as no upper bound).
inline std::string kv_prefix_end(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

class Kv {
 public:
  virtual ~Kv() = default;
  virtual absl::StatusOr<std::optional<std::string>> get(std::string_view key) = 0;
  // Applies the whole batch atomically; durable only after sync() (or if `sync` is true).
  virtual absl::Status write(const std::vector<KvWrite>& batch, bool sync) = 0;
  // Up to `limit` entries with start <= key < end (end empty: no upper bound), in key order.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> scan(std::string_view start,
                                                                                std::string_view end, size_t limit) = 0;
  virtual absl::Status sync() = 0;
};

// CPU-heavy or blocking work: a worker pool in production, inline (with simulated latency) in
// simulation. The function runs off the node's thread: it must touch no node state.
class Offload {
 public:
  virtual ~Offload() = default;
  virtual Task<> run(std::function<void()> work) = 0;
};

// Typed trace events (FoundationDB's TraceEvent): logged in production, hashed in simulation.
enum class Severity : uint8_t { kDebug, kInfo, kWarn, kError };

class Tracer {
 public:
  virtual ~Tracer() = default;
  virtual void event(Severity severity, std::string_view type, std::string_view detail) = 0;
};

class Chaos;  // node/chaos.h: fault injection and coverage probes, simulation only

// The ports a node is given. Non-owning; the composition root owns them.
struct Env {
  Clock* clock = nullptr;
  Rng* rng = nullptr;
  Transport* transport = nullptr;
  Disk* disk = nullptr;
  Offload* offload = nullptr;
  Tracer* tracer = nullptr;
  Chaos* chaos = nullptr;  // null in production
  Entropy* entropy = nullptr;
};

}  // namespace garage
