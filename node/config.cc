#include "node/config.h"

#include <toml++/toml.h>

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "node/size.h"

namespace garage {
namespace {

// Sections of Garage's format that this build accepts but does not act on yet.
const std::set<std::string> kKnownButNotServed = {
    "db_engine", "compression_level", "rpc_secret",          "rpc_secret_file",
    "admin",     "consul_discovery",  "kubernetes_discovery"};

absl::Status type_error(std::string_view key, std::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("config key '", std::string(key), "' must be ", std::string(expected)));
}

// A memory budget in bytes, from 1 MiB to 1 TiB: an integer, or a string such as "64MiB"
// (node/size.h).
absl::StatusOr<uint64_t> read_buffer_size(const toml::node& value, std::string_view key) {
  absl::StatusOr<uint64_t> bytes = absl::InvalidArgumentError("");
  if (value.is_integer() && value.as_integer()->get() >= 0) {
    bytes = static_cast<uint64_t>(value.as_integer()->get());
  } else if (value.is_string()) {
    bytes = parse_size(value.as_string()->get());
  }
  if (!bytes.ok() || *bytes < (uint64_t{1} << 20) || *bytes > (uint64_t{1} << 40)) {
    return absl::InvalidArgumentError(absl::StrCat("config key '", std::string(key),
                                                   "' must be a size from 1 MiB to 1 TiB (bytes, or e.g. \"64MiB\")"));
  }
  return bytes;
}

absl::Status read_string(const toml::table& t, std::string_view key, std::string& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return absl::OkStatus();
  if (!n->is_string()) return type_error(key, "a string");
  out = n->as_string()->get();
  return absl::OkStatus();
}

absl::Status read_rpc_tls(const toml::table& root, Config& c) {
  const toml::node* n = root.get("rpc_tls");
  if (n == nullptr) return absl::OkStatus();
  if (!n->is_table()) return type_error("rpc_tls", "a table");
  const toml::table& t = *n->as_table();
  for (const auto& [key, value] : t) {
    const std::string k(key.str());
    std::string* dest = k == "ca_cert"     ? &c.rpc_tls.ca_cert
                        : k == "node_cert" ? &c.rpc_tls.node_cert
                        : k == "node_key"  ? &c.rpc_tls.node_key
                        : k == "cli_cert"  ? &c.rpc_tls.cli_cert
                        : k == "cli_key"   ? &c.rpc_tls.cli_key
                                           : nullptr;
    if (dest == nullptr) {
      c.warnings.push_back(absl::StrCat("unknown config key 'rpc_tls.", k, "' ignored"));
      continue;
    }
    if (!value.is_string()) return type_error("rpc_tls." + k, "a string");
    *dest = value.as_string()->get();
  }
  return absl::OkStatus();
}

absl::Status read_bootstrap(const toml::table& root, Config& c) {
  const toml::node* n = root.get("bootstrap_peers");
  if (n == nullptr) return absl::OkStatus();
  if (!n->is_array()) return type_error("bootstrap_peers", "an array of \"host:port\" strings");
  for (const toml::node& item : *n->as_array()) {
    if (!item.is_string()) return type_error("bootstrap_peers", "an array of \"host:port\" strings");
    absl::StatusOr<BootstrapPeer> peer = parse_bootstrap_peer(item.as_string()->get());
    if (!peer.ok()) return peer.status();
    c.bootstrap_peers.push_back(*peer);
  }
  return absl::OkStatus();
}

absl::Status read_top_level(const toml::table& root, Config& c) {
  static const std::set<std::string> kHandled = {"metadata_dir",
                                                 "data_dir",
                                                 "replication_factor",
                                                 "rpc_bind_addr",
                                                 "rpc_public_addr",
                                                 "bootstrap_peers",
                                                 "rpc_tls",
                                                 "zone",
                                                 "consistency_mode",
                                                 "metadata_fsync",
                                                 "data_fsync",
                                                 "block_size",
                                                 "s3_api",
                                                 "s3_web",
                                                 "block_gc_delay_secs",
                                                 "allow_short_gc_delay_for_tests",
                                                 "block_ram_buffer_max"};
  for (const auto& [key, value] : root) {
    const std::string k(key.str());
    if (kHandled.count(k)) continue;
    c.warnings.push_back(kKnownButNotServed.count(k)
                             ? absl::StrCat("config key '", k, "' is not supported yet; ignored")
                             : absl::StrCat("unknown config key '", k, "' ignored"));
  }
  for (auto [key, dest] : {std::pair{"metadata_dir", &c.metadata_dir}, std::pair{"data_dir", &c.data_dir},
                           std::pair{"rpc_bind_addr", &c.rpc_bind_addr},
                           std::pair{"rpc_public_addr", &c.rpc_public_addr}, std::pair{"zone", &c.zone}}) {
    if (absl::Status s = read_string(root, key, *dest); !s.ok()) return s;
  }
  if (const toml::node* rf = root.get("replication_factor")) {
    if (!rf->is_integer()) return type_error("replication_factor", "an integer");
    const int64_t v = rf->as_integer()->get();
    if (v < 1 || v > 7) return absl::InvalidArgumentError("config key 'replication_factor' must be between 1 and 7");
    c.replication_factor = static_cast<int>(v);
  }
  if (const toml::node* mode = root.get("consistency_mode")) {
    if (!mode->is_string()) return type_error("consistency_mode", "a string");
    const std::string m = mode->as_string()->get();
    if (m == "consistent") {
      c.consistency_mode = ConsistencyMode::kConsistent;
    } else if (m == "degraded") {
      c.consistency_mode = ConsistencyMode::kDegraded;
    } else if (m == "dangerous") {
      c.consistency_mode = ConsistencyMode::kDangerous;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "config key 'consistency_mode' must be \"consistent\", \"degraded\" or \"dangerous\", not \"", m, "\""));
    }
  }
  if (const toml::node* fsync = root.get("metadata_fsync")) {
    if (!fsync->is_boolean()) return type_error("metadata_fsync", "true or false");
    c.metadata_fsync = fsync->as_boolean()->get();
  }
  if (const toml::node* fsync = root.get("data_fsync")) {
    if (!fsync->is_boolean()) return type_error("data_fsync", "true or false");
    c.data_fsync = fsync->as_boolean()->get();
  }
  bool short_gc_for_tests = false;
  if (const toml::node* t = root.get("allow_short_gc_delay_for_tests")) {
    if (!t->is_boolean()) return type_error("allow_short_gc_delay_for_tests", "true or false");
    short_gc_for_tests = t->as_boolean()->get();
  }
  if (const toml::node* gc = root.get("block_gc_delay_secs")) {
    if (!gc->is_integer()) return type_error("block_gc_delay_secs", "an integer number of seconds");
    const int64_t v = gc->as_integer()->get();
    const int64_t min = short_gc_for_tests ? 1 : Config::kMinBlockGcDelaySecs;
    if (v < min || v > 30 * 86400) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config key 'block_gc_delay_secs' must be between ", min, " and 2592000 (30 days)",
          short_gc_for_tests ? "" : "; shorter delays risk deleting blocks whose references are still on their way"));
    }
    c.block_gc_delay_secs = v;
    if (v < Config::kMinBlockGcDelaySecs)
      c.warnings.push_back(
          absl::StrCat("block_gc_delay_secs = ", v, ": for tests only (allow_short_gc_delay_for_tests)"));
  }
  if (const toml::node* n = root.get("block_ram_buffer_max")) {
    absl::StatusOr<uint64_t> bytes = read_buffer_size(*n, "block_ram_buffer_max");
    if (!bytes.ok()) return bytes.status();
    c.block_ram_buffer_max = *bytes;
  }
  if (const toml::node* bs = root.get("block_size")) {
    int64_t v = 0;
    if (bs->is_integer()) {
      v = bs->as_integer()->get();
    } else if (bs->is_string()) {
      std::string text = bs->as_string()->get();
      int64_t mult = 1;
      if (!text.empty() && (text.back() == 'K' || text.back() == 'k')) mult = 1024;
      if (!text.empty() && (text.back() == 'M' || text.back() == 'm')) mult = 1024 * 1024;
      if (mult != 1) text.pop_back();
      if (!absl::SimpleAtoi(text, &v)) return type_error("block_size", "a number of bytes (or \"1M\", \"512K\")");
      v *= mult;
    } else {
      return type_error("block_size", "a number of bytes");
    }
    if (v < 4096 || v > (16 << 20))
      return absl::InvalidArgumentError("config key 'block_size' must be between 4 KiB and 16 MiB");
    c.block_size = static_cast<uint32_t>(v);
  }
  if (const toml::node* n = root.get("s3_api")) {
    if (!n->is_table()) return type_error("s3_api", "a table");
    for (const auto& [key, value] : *n->as_table()) {
      const std::string k(key.str());
      if (k == "max_connections") {
        const std::optional<int64_t> n = value.value<int64_t>();
        if (!value.is_integer() || !n || *n < 1 || *n > 1000000)
          return absl::InvalidArgumentError("config key 's3_api.max_connections' must be an integer from 1 to 1000000");
        c.s3_api.max_connections = static_cast<int>(*n);
        continue;
      }
      if (k == "read_buffer_max") {
        absl::StatusOr<uint64_t> bytes = read_buffer_size(value, "s3_api.read_buffer_max");
        if (!bytes.ok()) return bytes.status();
        c.s3_api.read_buffer_max = *bytes;
        continue;
      }
      std::string* dest = k == "api_bind_addr" ? &c.s3_api.api_bind_addr
                          : k == "s3_region"   ? &c.s3_api.s3_region
                          : k == "root_domain" ? &c.s3_api.root_domain
                                               : nullptr;
      if (dest == nullptr) {
        c.warnings.push_back(absl::StrCat("unknown config key 's3_api.", k, "' ignored"));
        continue;
      }
      if (!value.is_string()) return type_error("s3_api." + k, "a string");
      *dest = value.as_string()->get();
    }
    if (!c.s3_api.api_bind_addr.empty()) {
      if (auto hp = split_host_port(c.s3_api.api_bind_addr, true); !hp.ok()) return hp.status();
    }
    if (c.s3_api.s3_region.empty())
      return absl::InvalidArgumentError("config key 's3_api.s3_region' must not be empty");
  }
  if (const toml::node* n = root.get("s3_web")) {
    if (!n->is_table()) return type_error("s3_web", "a table");
    for (const auto& [key, value] : *n->as_table()) {
      const std::string k(key.str());
      std::string* dest = k == "bind_addr" ? &c.s3_web.bind_addr : k == "root_domain" ? &c.s3_web.root_domain : nullptr;
      if (dest == nullptr) {
        c.warnings.push_back(absl::StrCat("unknown config key 's3_web.", k, "' ignored"));
        continue;
      }
      if (!value.is_string()) return type_error("s3_web." + k, "a string");
      *dest = value.as_string()->get();
    }
    if (!c.s3_web.bind_addr.empty()) {
      if (auto hp = split_host_port(c.s3_web.bind_addr, true); !hp.ok()) return hp.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string Config::advertised_address() const {
  if (!rpc_public_addr.empty()) return rpc_public_addr;
  auto hp = split_host_port(rpc_bind_addr);
  if (hp.ok() && (hp->first == "0.0.0.0" || hp->first == "::")) return absl::StrCat("127.0.0.1:", hp->second);
  return rpc_bind_addr;
}

absl::StatusOr<std::pair<std::string, uint16_t>> split_host_port(std::string_view address, bool allow_any_port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("address '", std::string(address), "' is not host:port"));
  }
  std::string host(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(std::string(address.substr(colon + 1)), &port) || (port == 0 && !allow_any_port) ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("address '", std::string(address), "' has no valid port"));
  }
  return std::pair{host, static_cast<uint16_t>(port)};
}

absl::StatusOr<BootstrapPeer> parse_bootstrap_peer(std::string_view text) {
  BootstrapPeer peer;
  const size_t at = text.find('@');
  if (at != std::string_view::npos) {
    peer.id = NodeId::from_hex(text.substr(0, at));
    if (!peer.id) {
      return absl::InvalidArgumentError(
          absl::StrCat("bootstrap peer '", std::string(text), "': the part before '@' must be a 64-hex-digit node id"));
    }
    text = text.substr(at + 1);
  }
  if (absl::Status s = split_host_port(text).status(); !s.ok()) return s;
  peer.address = std::string(text);
  return peer;
}

absl::StatusOr<Config> parse_config(std::string_view toml_text) {
  toml::table root;
  try {  // Debian builds toml++ with exceptions: turn them into a Status at this edge
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& err) {
    return absl::InvalidArgumentError(absl::StrCat("config is not valid TOML (line ", err.source().begin.line,
                                                   ", column ", err.source().begin.column,
                                                   "): ", std::string(err.description())));
  }
  Config c;
  for (auto step : {read_top_level, read_bootstrap, read_rpc_tls}) {
    if (absl::Status s = step(root, c); !s.ok()) return s;
  }
  if (c.metadata_dir.empty()) return absl::InvalidArgumentError("config key 'metadata_dir' is required");
  if (c.data_dir.empty()) return absl::InvalidArgumentError("config key 'data_dir' is required");
  if (absl::Status s = split_host_port(c.rpc_bind_addr).status(); !s.ok()) return s;
  if (!c.rpc_public_addr.empty()) {
    if (absl::Status s = split_host_port(c.rpc_public_addr).status(); !s.ok()) return s;
  }
  return c;
}

}  // namespace garage
