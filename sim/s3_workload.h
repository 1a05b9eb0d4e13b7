// The "s3" workload: clients PUT, GET and DELETE objects through the real S3 handlers (S3Api,
// signed SigV4 requests, bodies cut into blocks) of random nodes of a 3-zone cluster while
// faults run; every object body is derived from its operation id, so a read can be checked
// byte for byte.
//
// Timeline: setup (a key and a bucket, through a node's Model) from 5 s; clients [10 s, heal+5 s),
// one operation each every 150-500 ms on 12 keys, objects 0-10 KiB with 4 KiB blocks (so
// inline, one-block and multi-block objects), a tenth of the writes as multipart uploads of two
// parts (create, two parts, complete: four signed requests); final reads of every key at end - 5 s.
// Checked per seed:
//   - integrity: a GET returns exactly the bytes some PUT of that key sent (never corrupt);
//   - read-after-write: a GET never returns a PUT acknowledged before some other operation on
//     that key (PUT or DELETE) was acknowledged before the GET began; a 404 is allowed only if
//     some DELETE is not older than every PUT acknowledged before the GET began;
//   - no acknowledged object lost: the final reads (all nodes up, healed) obey the same rule;
//   - listings (ListObjectsV2 of the bucket) follow the same rule per key: a key is missing only
//     as a 404 may be, and shown only if no DELETE acknowledged before the listing began came
//     after every PUT of it;
//   - every running node's live index (node/table/table_store.h) names exactly its entries that
//     are not tombstones, half the restarts coming back as an upgrade that builds it;
//   - space comes back: at the end every follow-up has been delivered, and the block list and
//     block references of an acknowledged PUT that no object names any more are deleted on
//     every node (failed PUTs may leave some: those are counted, not checked).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/cluster.h"
#include "sim/event_loop.h"
#include "sim/scenario.h"

namespace garage::sim {

class S3Workload {
 public:
  static constexpr int kKeys = 12;
  static constexpr int kClients = 3;

  S3Workload(EventLoop& loop, Cluster& cluster, uint64_t seed, SimResult& result);
  void plan(absl::Duration heal_at, absl::Duration end);
  static BlockOptions block_options(int replication_factor);
  static WriteJournalOptions journal_options();

  struct History;

 private:
  void setup();
  void client_tick(int client, absl::Duration stop_at);
  // reupload_of: for kReupload, the PUT whose body to send again (else one is picked).
  void start_op(int node, int key, int kind, bool final_read, std::optional<uint64_t> reupload_of = std::nullopt);
  void start_listing(int node);
  void start_copy(int node, int key);
  void read_back(int key, std::vector<absl::Duration> after);
  int random_running_node();
  int node_for_next_op();
  void check_space_reclaimed();
  void check_live_indexes();
  void check_blocks_present();
  std::optional<uint64_t> reupload_candidate(int key);
  void aim_reupload(int key, uint64_t superseding_op);
  void grant_every_bucket_of_the_name();
  static Task<> operator_round(std::shared_ptr<History> h, RpcHandler node, int round);

  EventLoop& loop_;
  Cluster& cluster_;
  Xoshiro256 rng_;
  SimResult& result_;
  std::shared_ptr<History> history_;
  uint64_t next_op_ = 1;
  uint64_t probe_reuploads_ = 0;               // re-uploads of a body whose blocks were falling due
  uint64_t probe_retried_completes_ = 0;       // multipart uploads acknowledged on a retried Complete
  uint64_t probe_copies_ = 0;                  // CopyObject requests sent
  uint64_t probe_moves_ = 0;                   // of which acknowledged and followed by the source's DELETE
  uint64_t probe_aimed_reuploads_ = 0;         // of which aimed at the moment the blocks fall due
  std::set<uint64_t> reuploaded_;              // contents re-uploaded once (a second would reset the clock)
  std::map<int, absl::Duration> quiet_until_;  // keys written by no one until then (read_back)
};

}  // namespace garage::sim
