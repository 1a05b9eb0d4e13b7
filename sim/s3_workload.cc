#include "sim/s3_workload.h"

#include <algorithm>
#include <functional>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "node/hash.h"
#include "node/runtime/combinators.h"
#include "s3/api.h"
#include "s3/checksum.h"
#include "s3/errors.h"
#include "s3/sigv4.h"
#include "s3/tagging.h"
#include "s3/website.h"
#include "sim/operator.h"

namespace garage::sim {

namespace {
constexpr char kKeyId[] = "GKsimulatedclient0000000";
constexpr char kSecret[] = "simulated-secret-simulated-secret";
constexpr char kBucket[] = "simbucket";
// A multipart upload and a re-upload (the body of an earlier PUT of the key, sent again about
// when its blocks fall due for deletion) are recorded as PUTs. A listing covers every key.
// A copy (CopyObject of another key's current version, which shares its blocks) is recorded
// as a PUT of the body it copied.
enum Kind { kPut = 0, kGet = 1, kDelete = 2, kMultipart = 3, kReupload = 4, kList = 5, kCopy = 6 };

constexpr size_t kBlock = 4096;  // block_options().block_size
// Shared contents come in time slots: a PUT begun in slot k (of kSlot) uses the two contents
// of slot k mod kSlots, so each content is in use for kSlot, unused for the rest of the cycle,
// and uploaded again kSlots * kSlot after it was last used: about when its blocks' deletion
// falls due (gc_delay in block_options: 20 s). Collection and re-upload race on purpose.
constexpr absl::Duration kSlot = absl::Seconds(5);
constexpr uint64_t kSlots = 5;

// One shared block content.
std::string shared_block(uint64_t index) {
  std::string b = absl::StrCat("shared:", index, ":");
  Xoshiro256 r((index + 1) * 0xd1b54a32d192ed03ULL);
  while (b.size() < kBlock) b.push_back(static_cast<char>('A' + r.next_u64() % 26));
  return b;
}

// The body of PUT `op` begun at `start`: a first block naming the op (bytes derived from it),
// then whole blocks of the shared contents of its time slot, so contents are shared between
// objects, deleted when the last object using them goes, and uploaded again.
std::string body_of(uint64_t op, size_t size, absl::Duration start) {
  std::string b = absl::StrCat("op:", op, ":");
  Xoshiro256 r(op * 0x9e3779b97f4a7c15ULL);
  while (b.size() < std::min(size, kBlock)) b.push_back(static_cast<char>('a' + r.next_u64() % 26));
  const uint64_t slot = static_cast<uint64_t>(absl::IDivDuration(start, kSlot, &start)) % kSlots;
  while (b.size() < size) {
    const std::string block = shared_block(2 * slot + r.next_u64() % 2);
    b.append(block, 0, std::min(kBlock, size - b.size()));
  }
  return b;
}
// A request signed as a client would sign it (header auth, payload hash signed), with its body.
struct Signed {
  std::shared_ptr<s3::HttpRequest> request;
  std::shared_ptr<s3::StringBody> body;
};

// `extra` headers (lowercase names) are sent and signed too.
Signed sign_request(std::string method, std::string path, std::string query, std::string body, absl::Time now,
                    std::vector<std::pair<std::string, std::string>> extra = {}) {
  auto request = std::make_shared<s3::HttpRequest>();
  request->method = std::move(method);
  request->target = query.empty() ? path : absl::StrCat(path, "?", query);
  const std::string amz_date = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  const std::string payload_hash = s3::sha256_hex(body);
  request->headers = {{"host", "sim"}, {"x-amz-content-sha256", payload_hash}, {"x-amz-date", amz_date}};
  for (auto& header : extra) request->headers.push_back(std::move(header));
  const s3::SigV4Scope scope{amz_date.substr(0, 8), "garage", "s3"};
  std::vector<std::string> signed_headers;
  for (const auto& [name, value] : request->headers) signed_headers.push_back(name);
  std::sort(signed_headers.begin(), signed_headers.end());
  const s3::SigV4Request sr{request->method, path, query, request->headers};
  const std::string signature =
      s3::signature_hex(s3::signing_key(kSecret, scope),
                        s3::string_to_sign(amz_date, scope, s3::canonical_request(sr, signed_headers, payload_hash)));
  request->headers.emplace_back(
      "authorization", absl::StrCat("AWS4-HMAC-SHA256 Credential=", kKeyId, "/", scope.to_string(),
                                    ", SignedHeaders=", absl::StrJoin(signed_headers, ";"), ", Signature=", signature));
  auto source = std::make_shared<s3::StringBody>(std::move(body));
  request->body = source.get();
  return Signed{std::move(request), std::move(source)};
}

// The same write as a browser's upload (POST Object): a multipart/form-data form whose policy
// (valid an hour, bound to this key) the client signed. Its tags, if any, go in the tagging field.
Signed post_form_request(const std::string& bucket, const std::string& key, std::string body, absl::Time now,
                         const std::vector<std::pair<std::string, std::string>>& tagging) {
  const std::string amz_date = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  const s3::SigV4Scope scope{amz_date.substr(0, 8), "garage", "s3"};
  const std::string credential = absl::StrCat(kKeyId, "/", scope.to_string());
  const std::string expiration = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now + absl::Hours(1), absl::UTCTimeZone());
  std::vector<std::pair<std::string, std::string>> fields = {{"key", key},
                                                             {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
                                                             {"x-amz-credential", credential},
                                                             {"x-amz-date", amz_date}};
  std::string conditions = absl::StrCat(R"({"bucket": ")", bucket, R"("}, ["eq", "$key", ")", key, R"("])");
  for (size_t i = 1; i < fields.size(); ++i)
    absl::StrAppend(&conditions, R"(, {")", fields[i].first, R"(": ")", fields[i].second, R"("})");
  if (!tagging.empty()) {
    // "origin=N" as a TagSet document.
    const size_t eq = tagging[0].second.find('=');
    fields.emplace_back("tagging",
                        s3::tagging_xml({{tagging[0].second.substr(0, eq), tagging[0].second.substr(eq + 1)}}));
    absl::StrAppend(&conditions, R"(, ["starts-with", "$tagging", ""])");
  }
  const std::string policy =
      absl::Base64Escape(absl::StrCat(R"({"expiration": ")", expiration, R"(", "conditions": [)", conditions, "]}"));
  fields.emplace_back("policy", policy);
  fields.emplace_back("x-amz-signature", s3::signature_hex(s3::signing_key(kSecret, scope), policy));
  // Bodies are made of lowercase letters and digits: this boundary is never in one.
  constexpr char kBoundary[] = "----SimFormBoundaryQX7";
  std::string form;
  for (const auto& [name, value] : fields)
    absl::StrAppend(&form, "--", kBoundary, "\r\nContent-Disposition: form-data; name=\"", name, "\"\r\n\r\n", value,
                    "\r\n");
  absl::StrAppend(&form, "--", kBoundary, "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n",
                  body, "\r\n--", kBoundary, "--\r\n");
  auto request = std::make_shared<s3::HttpRequest>();
  request->method = "POST";
  request->target = absl::StrCat("/", bucket);
  request->headers = {{"host", "sim"}, {"content-type", absl::StrCat("multipart/form-data; boundary=", kBoundary)}};
  auto source = std::make_shared<s3::StringBody>(std::move(form));
  request->body = source.get();
  return Signed{std::move(request), std::move(source)};
}

std::string unquoted(const std::string& etag) {
  return etag.size() >= 2 && etag.front() == '"' && etag.back() == '"' ? etag.substr(1, etag.size() - 2) : etag;
}

// The text of the first <tag> element of an XML reply ("" if none).
std::string xml_text(const std::string& xml, const std::string& tag) {
  const size_t at = xml.find("<" + tag + ">"), end = xml.find("</" + tag + ">");
  return at != std::string::npos && end != std::string::npos && end > at
             ? xml.substr(at + tag.size() + 2, end - at - tag.size() - 2)
             : "";
}

// Tagged writes (x-amz-tagging): the tags follow the body, so that every write sending a body
// (its first PUT, a re-upload of it, a copy of it with the default COPY directive, a multipart
// upload) gives its version the same tags, and a read can tell whether they came back: one body
// in four carries one tag naming its origin.
bool tagged_body(uint64_t body_op) { return body_op % 4 == 1; }
std::vector<std::pair<std::string, std::string>> tagging_of(uint64_t body_op) {
  if (!tagged_body(body_op)) return {};
  return {{"x-amz-tagging", absl::StrCat("origin=", body_op)}};
}

// Checksummed writes (x-amz-checksum-crc32, signed): one body in three, by its op number, so
// that its re-uploads carry it too; reads ask for stored checksums back and check them.
bool checksummed_body(uint64_t body_op) { return body_op % 3 == 0; }
std::string crc32_base64(absl::string_view bytes) {
  s3::Checksummer crc(s3::ChecksumAlgo::kCrc32);
  crc.update(bytes);
  return crc.digest_base64();
}
std::vector<std::pair<std::string, std::string>> put_headers(uint64_t body_op, absl::string_view body) {
  std::vector<std::pair<std::string, std::string>> headers = tagging_of(body_op);
  if (checksummed_body(body_op)) headers.emplace_back("x-amz-checksum-crc32", crc32_base64(body));
  return headers;
}

// One multipart upload of `body` (the first part one block of 4 KiB, the second the rest):
// CreateMultipartUpload, two UploadParts, CompleteMultipartUpload. The number of Complete
// requests it took, 0 if it failed.
Task<int> multipart_upload(s3::S3Api* api, Clock* clock, std::string path, std::string body,
                           std::vector<std::pair<std::string, std::string>> tagging) {
  Signed create = sign_request("POST", path, "uploads", "", clock->now_wall(), std::move(tagging));
  s3::HttpResponse created = co_await api->handle(*create.request);
  const std::string upload_id = xml_text(created.body, "UploadId");
  if (created.status != 200 || upload_id.empty()) co_return 0;
  std::string complete = "<CompleteMultipartUpload>";
  const std::vector<std::string> parts{body.substr(0, 4096), body.substr(4096)};
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string query = absl::StrCat("partNumber=", i + 1, "&uploadId=", upload_id);
    Signed part = sign_request("PUT", path, query, parts[i], clock->now_wall());
    s3::HttpResponse uploaded = co_await api->handle(*part.request);
    std::string etag;
    for (const auto& [name, value] : uploaded.headers)
      if (name == "etag") etag = value;
    if (uploaded.status != 200 || etag.empty()) co_return 0;
    absl::StrAppend(&complete, "<Part><PartNumber>", i + 1, "</PartNumber><ETag>", etag, "</ETag></Part>");
  }
  complete += "</CompleteMultipartUpload>";
  // Retried on a server error, as SDKs retry, after 1 s then 2 s (botocore's backoff, without
  // its jitter): a Complete that failed after writing part of its effect must leave the upload
  // completable (the retry sends the same part list), and a pause lets a partition heal first.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) {
      absl::Status slept = co_await sleep_for(*clock, absl::Seconds(1 << (attempt - 1)));
      if (!slept.ok()) co_return 0;
    }
    Signed finish = sign_request("POST", path, absl::StrCat("uploadId=", upload_id), complete, clock->now_wall());
    s3::HttpResponse done = co_await api->handle(*finish.request);
    if (done.status == 200 && done.body.find("<Error>") == std::string::npos) co_return attempt + 1;
    if (done.status < 500) co_return 0;
  }
  co_return 0;
}

}  // namespace

struct S3Workload::History {
  struct Op {
    int kind = kPut;
    absl::Duration start;
    std::optional<absl::Duration> acked;  // nullopt: failed, or still in flight / lost in a crash
    size_t size = 0;
    std::optional<uint64_t> content_of;  // a re-upload or a copy: the body of this earlier PUT
    std::string etag;                    // of an acknowledged single-request PUT or copy
  };
  std::map<int, std::map<uint64_t, Op>> ops;  // key -> op id -> op
  // Operations not finished yet: op id -> (node, its incarnation, start). A node that did not
  // crash must finish every operation (every step has a timeout): one left over is a hang.
  std::map<uint64_t, std::tuple<int, uint64_t, absl::Duration>> unfinished;
  bool ready = false;
  // The setup attempt in flight, if any: the node it runs on and that node's incarnation.
  // Attempts never overlap (an operator waits for the CLI's answer): two concurrent
  // `bucket create` of one name both succeed, and the name then points to either bucket.
  int setup_node = -1;
  uint64_t setup_incarnation = 0;
  uint64_t operator_rounds_completed = 0;
  uint64_t puts_acked = 0, multipart_acked = 0, deletes_acked = 0, copies_acked = 0, reads_checked = 0, failed = 0;
  uint64_t listings_checked = 0;
  uint64_t website_reads_checked = 0;    // reads through the website endpoint (S3Api::handle_website)
  uint64_t tagged_reads_checked = 0;     // reads of a version whose write carried tags
  uint64_t checksums_checked = 0;        // reads answered with a stored CRC32, checked against the bytes
  uint64_t anonymous_reads_checked = 0;  // reads without a signature (the bucket is public-read)
  std::vector<std::string> violations;

  const Op* find_op(uint64_t id) const {
    for (const auto& [key, key_ops] : ops)
      if (auto it = key_ops.find(id); it != key_ops.end()) return &it->second;
    return nullptr;
  }

  // Is op `a` acknowledged before op `b` began?
  static bool before(const Op& a, const Op& b) { return a.acked && *a.acked < b.start; }

  void check_read(int key, absl::Duration read_start, std::optional<uint64_t> got, const std::string& body,
                  const char* what) {
    auto& key_ops = ops[key];
    // Writes acknowledged before the read began.
    std::vector<const Op*> settled;
    for (auto& [id, op] : key_ops)
      if (op.kind != kGet && op.acked && *op.acked < read_start) settled.push_back(&op);
    if (got) {
      const Op* origin = find_op(*got);
      if (origin == nullptr || origin->kind != kPut || origin->content_of) {
        violations.push_back(absl::StrCat(what, " key ", key, ": returned op ", *got, ", which is no PUT"));
        return;
      }
      if (body != body_of(*got, origin->size, origin->start)) {
        violations.push_back(absl::StrCat(what, " key ", key, ": the body of op ", *got, " came back corrupted (",
                                          body.size(), " bytes, expected ", origin->size, ")"));
        return;
      }
      // The writes of this key that sent this body: op `got` itself if it is one, its
      // re-uploads and the copies of it. One of them must be current.
      std::vector<std::pair<uint64_t, const Op*>> senders;
      for (auto& [id, op] : key_ops)
        if (id == *got || op.content_of == *got) senders.push_back({id, &op});
      if (senders.empty()) {
        violations.push_back(
            absl::StrCat(what, " key ", key, ": returned the body of op ", *got, ", which no write of this key sent"));
        return;
      }
      std::string why;
      for (const auto& [id, sender] : senders) {
        const Op* newer = nullptr;
        for (const Op* w : settled)
          if (w != sender && before(*sender, *w)) newer = w;
        if (newer == nullptr) return;
        if (why.empty() && sender->acked) {
          why =
              absl::StrCat("returned op ", id, " (acknowledged ", absl::FormatDuration(*sender->acked),
                           "), older than a ", newer->kind == kPut ? "PUT" : "DELETE", " begun ",
                           absl::FormatDuration(newer->start), ", acknowledged ", absl::FormatDuration(*newer->acked));
        }
      }
      if (why.empty()) return;  // no sender acknowledged yet: one is in flight, any order is allowed
      violations.push_back(absl::StrCat(what, " key ", key, " (began ", absl::FormatDuration(read_start), "): ", why));
      return;
    }
    // Not found: some DELETE must be no older than every settled PUT.
    bool any_put = false;
    for (const Op* w : settled) any_put = any_put || w->kind == kPut;
    if (!any_put) return;
    for (auto& [id, d] : key_ops) {
      if (d.kind != kDelete || d.start > read_start + absl::Hours(1)) continue;
      bool ok = true;
      for (const Op* w : settled)
        if (w->kind == kPut && before(d, *w)) ok = false;
      if (ok) return;
    }
    violations.push_back(absl::StrCat(what, " key ", key,
                                      ": not found, though a PUT was acknowledged before the "
                                      "read began and no later DELETE exists"));
  }

  // A listing begun at `list_start` that showed `key` (absent: the 404 rule of check_read). It
  // may not show a key for which some DELETE acknowledged before the listing began came after
  // every PUT of it (each acknowledged before that DELETE began).
  void check_listed(int key, absl::Duration list_start, bool listed) {
    if (!listed) {
      check_read(key, list_start, std::nullopt, "", "listing");
      return;
    }
    const auto& key_ops = ops[key];
    bool any_put = false;
    for (const auto& [id, op] : key_ops) any_put = any_put || op.kind == kPut;
    if (!any_put) {
      violations.push_back(absl::StrCat("listing: shows key ", key, ", which no PUT ever wrote"));
      return;
    }
    for (const auto& [did, d] : key_ops) {
      if (d.kind != kDelete || !d.acked || *d.acked >= list_start) continue;
      bool after_every_put = true;
      for (const auto& [pid, p] : key_ops)
        if (p.kind == kPut && !before(p, d)) after_every_put = false;
      if (after_every_put) {
        violations.push_back(absl::StrCat("listing (began ", absl::FormatDuration(list_start), ") shows key ", key,
                                          ", deleted by op ", did, " (acknowledged ", absl::FormatDuration(*d.acked),
                                          ") after every PUT of it"));
        return;
      }
    }
  }
};

S3Workload::S3Workload(EventLoop& loop, Cluster& cluster, uint64_t seed, SimResult& result)
    : loop_(loop),
      cluster_(cluster),
      rng_(seed ^ 0x5333776f726bULL),
      result_(result),
      history_(std::make_shared<History>()) {}

BlockOptions S3Workload::block_options(int replication_factor) {
  BlockOptions o;
  o.block_size = 4096;
  o.quorums = quorums_for(replication_factor, ConsistencyMode::kConsistent);
  o.rpc_timeout = absl::Seconds(3);
  // Block deletion within the run: a short grace, quick retries, so deletions, re-uploads of
  // deleted contents and their races all happen in simulated minutes.
  o.gc_delay = absl::Seconds(20);
  o.resync_retry_min = absl::Seconds(2);
  o.resync_retry_max = absl::Seconds(30);
  return o;
}

int S3Workload::random_running_node() {
  std::vector<int> running;
  for (int i = 0; i < cluster_.size(); ++i)
    if (cluster_.is_running(i)) running.push_back(i);
  if (running.empty()) return -1;
  return running[uniform(rng_, running.size())];
}

// Cut writes are rolled back well within the quiet tail (clients stop 55 s before the end).
WriteJournalOptions S3Workload::journal_options() {
  WriteJournalOptions o;
  o.rollback_delay = absl::Seconds(15);  // 5 RPC timeouts
  o.poll_interval = absl::Seconds(5);
  return o;
}

void S3Workload::plan(absl::Duration heal_at, absl::Duration end) {
  loop_.at(absl::Seconds(5), [this] { setup(); });
  const absl::Duration stop_clients = heal_at + absl::Seconds(5);
  for (int c = 0; c < kClients; ++c) {
    loop_.at(absl::Seconds(10) + absl::Milliseconds(41 * c), [this, c, stop_clients] { client_tick(c, stop_clients); });
  }
  // Setup retries while faults run: two attempts may each create a bucket of the name, and the
  // alias (last writer wins) may settle on the one the key got no rights on. Once healed, the
  // key gets rights on every bucket of the name, so the final reads check data, not that race.
  loop_.at(heal_at + absl::Seconds(10), [this] { grant_every_bucket_of_the_name(); });
  // Operator rounds (keys, buckets, rights, aliases through the admin RPC) while faults run.
  int round = 0;
  for (absl::Duration at = absl::Seconds(12); at < end - absl::Seconds(20); at += absl::Seconds(12)) {
    loop_.at(at, [this, r = round++] {
      const int node = random_running_node();
      if (node >= 0) cluster_.node(node).spawner->spawn(operator_round(history_, cluster_.node(node).rpc_handler(), r));
    });
  }
  loop_.at(end - absl::Seconds(5), [this] {
    for (int k = 0; k < kKeys; ++k) {
      const int node = random_running_node();
      if (node >= 0) start_op(node, k, kGet, /*final_read=*/true);
    }
  });
  loop_.at(end, [this] {
    auto h = history_;
    for (const auto& [op, where] : h->unfinished) {
      const auto& [node, incarnation, start] = where;
      if (cluster_.incarnation(node) == incarnation && start < loop_.now() - absl::Seconds(60)) {
        h->violations.push_back(absl::StrCat("op ", op, " begun at ", absl::FormatDuration(start), " on n", node,
                                             " never finished, though the node did not crash"));
      }
    }
    check_space_reclaimed();
    check_live_indexes();
    if (!h->ready) result_.violations.push_back("s3: the key and bucket were never set up");
    for (const std::string& v : h->violations) result_.violations.push_back("s3: " + v);
    // The workload's own rare paths, beside the nodes' probes: a checker of copies proves
    // nothing on a run where none succeeded.
    if (h->copies_acked > 0) result_.probes["workload.copy_acknowledged"] += h->copies_acked;
    if (probe_aimed_reuploads_ > 0) result_.probes["workload.aimed_reupload"] += probe_aimed_reuploads_;
    if (probe_moves_ > 0) result_.probes["workload.moved_by_copy_and_delete"] += probe_moves_;
    if (probe_retried_completes_ > 0) result_.probes["workload.complete_acked_on_retry"] += probe_retried_completes_;
    if (h->website_reads_checked > 0) result_.probes["workload.website_read_checked"] += h->website_reads_checked;
    if (h->tagged_reads_checked > 0) result_.probes["workload.tagged_read_checked"] += h->tagged_reads_checked;
    if (h->checksums_checked > 0) result_.probes["workload.checksum_checked"] += h->checksums_checked;
    if (h->anonymous_reads_checked > 0) result_.probes["workload.anonymous_read_checked"] += h->anonymous_reads_checked;
    if (h->operator_rounds_completed > 0) {
      result_.probes["workload.operator_round_completed"] += h->operator_rounds_completed;
    }
    result_.log.push_back(absl::StrCat("s3 workload: ", probe_reuploads_, " re-uploads of contents falling due (",
                                       probe_aimed_reuploads_, " aimed)"));
    result_.log.push_back(absl::StrCat("s3 workload: ", h->listings_checked, " listings checked"));
    result_.log.push_back(absl::StrCat("s3 workload: ", h->puts_acked, " puts (", h->multipart_acked, " multipart, ",
                                       h->copies_acked, " copies of ", probe_copies_, " sent) and ", h->deletes_acked,
                                       " deletes acknowledged, ", h->reads_checked, " reads checked, ", h->failed,
                                       " operations failed"));
  });
}

// On every running node, each table's live index names exactly its entries that are not
// tombstones (nodes restarted as an upgrade built theirs while serving; a listing's quorum
// would hide one node's wrong index).
void S3Workload::check_live_indexes() {
  for (int i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.is_running(i)) continue;
    for (Table* table : cluster_.node(i).node->tables()) {
      TableStore& store = table->store();
      absl::StatusOr<std::vector<TableItem>> all = store.all_items();
      absl::StatusOr<std::vector<TableItem>> live = store.range_live("", "", SIZE_MAX);
      if (!all.ok() || !live.ok()) {
        history_->violations.push_back(absl::StrCat("n", i, " table ", table->name(), ": cannot read its store"));
        continue;
      }
      std::vector<std::string> expected, indexed;
      for (const TableItem& it : *all) {
        absl::StatusOr<bool> tomb = store.schema().is_tombstone(it.entry);
        if (tomb.ok() && !*tomb) expected.push_back(it.tree_key);
      }
      for (const TableItem& it : *live) indexed.push_back(it.tree_key);
      if (expected != indexed) {
        history_->violations.push_back(absl::StrCat("n", i, " table ", table->name(), ": the live index names ",
                                                    indexed.size(), " entries, ", expected.size(),
                                                    " are not tombstones"));
      }
    }
  }
}

void S3Workload::check_space_reclaimed() {
  History& h = *history_;
  // Every block of an acknowledged PUT that has blocks names it (bodies differ by op).
  const size_t inline_threshold = s3::S3Settings{}.inline_threshold;
  const uint32_t block_size = block_options(3).block_size;
  std::map<std::string, uint64_t> op_of_block;
  std::set<uint64_t> unacked_contents;  // a re-upload that failed may have left its references
  for (const auto& [key, ops] : h.ops)
    for (const auto& [id, op] : ops)
      if (op.kind == kPut && !op.acked) unacked_contents.insert(op.content_of.value_or(id));
  for (const auto& [key, ops] : h.ops) {
    for (const auto& [id, op] : ops) {
      if (op.kind != kPut || !op.acked || op.content_of || op.size <= inline_threshold) continue;
      if (unacked_contents.contains(id)) continue;
      // The first block is the op's own (and its re-uploads'); the others may be shared.
      const std::string body = body_of(id, op.size, op.start);
      op_of_block[hash_bytes(sha256(std::string_view(body).substr(0, block_size)))] = id;
    }
  }
  std::set<std::string> named;  // version uuids some node's object entry still names
  struct Stored {
    int node;
    std::string uuid, block;  // the version's uuid, one of its blocks
    const char* what;
  };
  std::vector<Stored> live;  // live block lists and block references, on every node
  size_t queued = 0;
  for (int i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.is_running(i)) continue;
    SimNode& n = cluster_.node(i);
    if (absl::StatusOr<size_t> p = n.follow_ups->pending(); p.ok()) queued += *p;
    const ModelTables t = n.node->model_tables();
    absl::StatusOr<std::vector<TableItem>> objects = t.object.store().all_items();
    absl::StatusOr<std::vector<TableItem>> versions = t.version.store().all_items();
    absl::StatusOr<std::vector<TableItem>> refs = t.block_ref.store().all_items();
    absl::StatusOr<std::vector<TableItem>> mpus = t.mpu.store().all_items();
    if (!objects.ok() || !versions.ok() || !refs.ok() || !mpus.ok()) continue;
    for (const TableItem& it : *objects)
      if (absl::StatusOr<ObjectEntry> o = ObjectEntry::decode(it.entry); o.ok())
        for (const ObjectVersion& v : o->versions) named.insert(v.uuid);
    for (const TableItem& it : *mpus)
      if (absl::StatusOr<UploadEntry> u = UploadEntry::decode(it.entry); u.ok() && !u->ended())
        for (const auto& [field, uuid] : u->part_uuids()) named.insert(uuid);
    for (const TableItem& it : *versions) {
      absl::StatusOr<VersionEntry> v = VersionEntry::decode(it.entry);
      if (v.ok() && !v->deleted && !v->blocks.empty())
        live.push_back({i, v->uuid, v->blocks.begin()->second.hash, "block list"});
    }
    for (const TableItem& it : *refs) {
      absl::StatusOr<BlockRefEntry> r = BlockRefEntry::decode(it.entry);
      // Sort key: hash (32 bytes) + version uuid.
      if (r.ok() && !r->deleted && it.tree_key.size() > 64)
        live.push_back({i, it.tree_key.substr(64), it.tree_key.substr(32, 32), "block reference"});
    }
  }
  if (queued > 0) h.violations.push_back(absl::StrCat(queued, " follow-ups still queued at the end"));
  check_blocks_present();
  size_t unnamed = 0;
  // A version's uuid names its op when its first block is that op's own (shared blocks alone
  // cannot tell which op they belong to).
  std::map<std::string, uint64_t> op_of_uuid;
  for (const Stored& s : live)
    if (auto op = op_of_block.find(s.block); op != op_of_block.end()) op_of_uuid[s.uuid] = op->second;
  for (const Stored& s : live) {
    if (named.contains(s.uuid)) continue;
    auto op = op_of_uuid.find(s.uuid);
    if (op == op_of_uuid.end()) {
      // A write that failed or was cut by a crash: its coordinator's journal rolls it back
      // (node/model/write_journal.h) well before the end.
      if (++unnamed <= 5)
        h.violations.push_back(absl::StrCat("n", s.node, " still holds a ", s.what, " of version ", to_hex(s.uuid),
                                            " that no object or upload names (a cut write not rolled back)"));
      continue;
    }
    h.violations.push_back(absl::StrCat("n", s.node, " still holds a ", s.what, " of acknowledged PUT op ", op->second,
                                        ", which no object names any more"));
  }
  if (unnamed > 5) h.violations.push_back(absl::StrCat(unnamed - 5, " more live items of cut writes"));
}

// Block safety (DESIGN.md promise 4), on the end state: every block of every object's current
// version is on the disk of some node (a dead disk counts for none). A GET of an object whose block was collected under
// a racing PUT would fail; this names the block even if no read happened to touch it.
void S3Workload::check_blocks_present() {
  History& h = *history_;
  std::set<std::string> current;                              // version uuids some node's object entry holds as current
  std::map<std::string, std::vector<std::string>> blocks_of;  // uuid -> block hashes
  for (int i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.is_running(i)) continue;
    SimNode& n = cluster_.node(i);
    absl::StatusOr<std::vector<TableItem>> objects = n.node->model_tables().object.store().all_items();
    absl::StatusOr<std::vector<TableItem>> versions = n.node->model_tables().version.store().all_items();
    if (!objects.ok() || !versions.ok()) continue;
    for (const TableItem& it : *objects) {
      absl::StatusOr<ObjectEntry> o = ObjectEntry::decode(it.entry);
      const ObjectVersion* v = o.ok() ? o->current() : nullptr;
      if (v != nullptr && !v->delete_marker && !v->meta.inline_data && v->meta.size > 0) current.insert(v->uuid);
    }
    for (const TableItem& it : *versions) {
      absl::StatusOr<VersionEntry> v = VersionEntry::decode(it.entry);
      if (!v.ok() || v->deleted || v->blocks.empty()) continue;
      std::vector<std::string>& list = blocks_of[v->uuid];
      if (list.empty())
        for (const auto& [slot, b] : v->blocks) list.push_back(b.hash);
    }
  }
  size_t checked = 0;
  for (const std::string& uuid : current) {
    for (const std::string& hash : blocks_of[uuid]) {
      const std::string path = BlockManager::path_of(hash);
      bool found = false;
      for (int i = 0; i < cluster_.size() && !found; ++i) {
        if (cluster_.data_disk_storage(i).dead()) continue;  // nothing on it can be read
        auto& files = cluster_.data_disk_storage(i).files();
        auto f = files.find(path);
        found = f != files.end() && f->second.current.has_value();
      }
      ++checked;
      if (!found)
        h.violations.push_back(absl::StrCat("block ", to_hex(hash).substr(0, 16), " of a current object ",
                                            "version is on no node's disk"));
    }
  }
  result_.log.push_back(absl::StrCat("s3 workload: ", checked, " blocks of current objects checked present"));
}

namespace {

// As an operator would, with the CLI: key import, bucket create, bucket allow. True once done.
Task<bool> set_up_key_and_bucket(RpcHandler node) {
  using Op = AdminRequest::Op;
  AdminRequest import{Op::kKeyImport, {"sim", kKeyId, kSecret}};
  absl::StatusOr<AdminReply> key = co_await admin_call(node, std::move(import));
  if (!key.ok() && !absl::IsAlreadyExists(key.status())) co_return false;  // exists: an earlier try imported it
  AdminRequest info{Op::kBucketInfo, {kBucket}};
  absl::StatusOr<AdminReply> bucket = co_await admin_call(node, std::move(info));
  if (!bucket.ok() && absl::IsNotFound(bucket.status())) {
    AdminRequest create{Op::kBucketCreate, {kBucket}};
    bucket = co_await admin_call(node, std::move(create));
  }
  if (!bucket.ok()) co_return false;
  AdminRequest allow{Op::kBucketAllow, {kBucket, kKeyId, "RWO"}};
  absl::StatusOr<AdminReply> allowed = co_await admin_call(node, std::move(allow));
  if (!allowed.ok()) co_return false;
  // Its website enabled, as `garage bucket website --allow` does: some reads go through the
  // website endpoint, whose answers the same checkers judge.
  s3::WebsiteConfig site;
  site.index_suffix = "index.html";
  AdminRequest website{Op::kBucketWebsite, {kBucket, s3::website_configuration_xml(site)}};
  absl::StatusOr<AdminReply> enabled = co_await admin_call(node, std::move(website));
  if (!enabled.ok()) co_return false;
  // Readable by anyone, as `garage bucket anonymous --read` makes it: some reads go unsigned.
  AdminRequest anonymous{Op::kBucketAnonymous, {kBucket, "r"}};
  absl::StatusOr<AdminReply> opened = co_await admin_call(node, std::move(anonymous));
  co_return opened.ok();
}

}  // namespace

// An operator's round through the admin RPC, as `garage key|bucket ...` does it: a new key, a
// bucket of its own (a fresh name: two creations of one name race, see setup()), rights for
// the key, a global alias; read back; then all of it undone and read back again. Every read
// is a quorum read after the acknowledged change, so it must show the change. A step that
// fails (no quorum, a timeout) ends the round, as an operator would stop and look.
Task<> S3Workload::operator_round(std::shared_ptr<History> h, RpcHandler node, int round) {
  using Op = AdminRequest::Op;
  const std::string key_name = absl::StrCat("operator-", round);
  const std::string bucket = absl::StrCat("opbucket-", round), alias = absl::StrCat("opalias-", round);
  auto violation = [&](const std::string& what) {
    h->violations.push_back(absl::StrCat("operator round ", round, ": ", what));
  };
  AdminRequest create_key{Op::kKeyCreate, {key_name}};
  absl::StatusOr<AdminReply> key = co_await admin_call(node, std::move(create_key));
  if (!key.ok()) co_return;
  if (key->keys.size() != 1 || key->keys[0].secret.empty())
    co_return violation("key create answered no key and secret");
  const std::string key_id = key->keys[0].id;
  AdminRequest create_bucket{Op::kBucketCreate, {bucket}};
  absl::StatusOr<AdminReply> created = co_await admin_call(node, std::move(create_bucket));
  if (!created.ok()) co_return;
  if (created->buckets.size() != 1) co_return violation("bucket create answered no bucket");
  const std::string bucket_id = created->buckets[0].id;
  AdminRequest allow{Op::kBucketAllow, {bucket, key_id, "RW"}};
  absl::StatusOr<AdminReply> allowed = co_await admin_call(node, std::move(allow));
  if (!allowed.ok()) co_return;
  AdminRequest add_alias{Op::kBucketAlias, {bucket, alias, ""}};
  absl::StatusOr<AdminReply> aliased = co_await admin_call(node, std::move(add_alias));
  if (!aliased.ok()) co_return;

  AdminRequest info{Op::kBucketInfo, {alias}};
  absl::StatusOr<AdminReply> seen = co_await admin_call(node, std::move(info));
  if (absl::IsNotFound(seen.status())) co_return violation(absl::StrCat("acknowledged alias ", alias, " not found"));
  if (!seen.ok()) co_return;
  if (seen->buckets.size() != 1 || seen->buckets[0].id != bucket_id) {
    co_return violation(absl::StrCat("alias ", alias, " names another bucket than ", bucket));
  }
  auto rights = seen->buckets[0].keys.find(key_id);
  if (rights == seen->buckets[0].keys.end() || !rights->second.read || !rights->second.write || rights->second.owner) {
    co_return violation(absl::StrCat("bucket ", bucket, " does not show the acknowledged rights RW of key ", key_id));
  }

  AdminRequest unalias{Op::kBucketUnalias, {alias, ""}};
  absl::StatusOr<AdminReply> unaliased = co_await admin_call(node, std::move(unalias));
  if (!unaliased.ok()) co_return;
  AdminRequest info_again{Op::kBucketInfo, {alias}};
  absl::StatusOr<AdminReply> gone = co_await admin_call(node, std::move(info_again));
  if (gone.ok())
    co_return violation(absl::StrCat("alias ", alias, " still names a bucket after its removal was acknowledged"));
  AdminRequest delete_bucket{Op::kBucketDelete, {bucket}};
  absl::StatusOr<AdminReply> deleted_bucket = co_await admin_call(node, std::move(delete_bucket));
  if (!deleted_bucket.ok()) co_return;
  AdminRequest delete_key{Op::kKeyDelete, {key_id}};
  absl::StatusOr<AdminReply> deleted_key = co_await admin_call(node, std::move(delete_key));
  if (!deleted_key.ok()) co_return;
  AdminRequest key_info{Op::kKeyInfo, {key_id}};
  absl::StatusOr<AdminReply> key_gone = co_await admin_call(node, std::move(key_info));
  if (key_gone.ok())
    co_return violation(absl::StrCat("key ", key_id, " still found after its deletion was acknowledged"));
  if (absl::IsNotFound(key_gone.status())) ++h->operator_rounds_completed;
}

void S3Workload::setup() {
  auto h = history_;
  if (h->ready) return;
  const bool attempt_running = h->setup_node >= 0 && cluster_.is_running(h->setup_node) &&
                               cluster_.incarnation(h->setup_node) == h->setup_incarnation;
  const int node = attempt_running ? -1 : random_running_node();
  if (node >= 0) {
    SimNode& n = cluster_.node(node);
    h->setup_node = node;
    h->setup_incarnation = cluster_.incarnation(node);
    // As an operator would, with the CLI: key import, bucket create, bucket allow.
    n.spawner->spawn([](std::shared_ptr<History> h, RpcHandler node) -> Task<> {
      h->ready = co_await set_up_key_and_bucket(std::move(node));
      h->setup_node = -1;
    }(h, n.rpc_handler()));
  }
  loop_.after(absl::Seconds(1), [this] { setup(); });
}

void S3Workload::grant_every_bucket_of_the_name() {
  const int node = random_running_node();
  if (node < 0) return;
  cluster_.node(node).spawner->spawn([](Model* model) -> Task<> {
    absl::StatusOr<std::vector<BucketInfo>> all = co_await model->list_buckets();
    if (!all.ok()) co_return;
    for (const BucketInfo& b : *all) {
      if (b.name != kBucket) continue;
      std::string id = kKeyId;
      const Perms everything{true, true, true};
      absl::Status s = co_await model->set_permissions(b.id, id, everything, true);
      (void)s;
    }
  }(cluster_.node(node).model));
}

// While a layout version is spreading, half the operations go through a node that already
// has it: a node just added sends requests that peers not yet listing it refuse (probe
// block.refused_caller_outside_layout), and nothing may be lost for it.
int S3Workload::node_for_next_op() {
  uint64_t lowest = UINT64_MAX, highest = 0;
  std::vector<int> ahead;
  for (int i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.is_running(i)) continue;
    const uint64_t v = cluster_.node(i).layout->layout().current_version();
    lowest = std::min(lowest, v);
    if (v > highest) ahead.clear();
    highest = std::max(highest, v);
    if (v == highest) ahead.push_back(i);
  }
  if (highest > lowest && uniform(rng_, 2) == 0) return ahead[uniform(rng_, ahead.size())];
  return random_running_node();
}

void S3Workload::client_tick(int client, absl::Duration stop_at) {
  if (history_->ready) {
    const int node = node_for_next_op();
    if (node >= 0) {
      const int key = static_cast<int>(uniform(rng_, kKeys));
      const uint64_t dice = uniform(rng_, 100);
      int kind = dice < 20   ? kPut
                 : dice < 35 ? kReupload
                 : dice < 45 ? kMultipart
                 : dice < 70 ? kGet
                 : dice < 78 ? kCopy
                 : dice < 85 ? kList
                             : kDelete;
      if (auto q = quiet_until_.find(key); q != quiet_until_.end() && loop_.now() < q->second) kind = kGet;
      start_op(node, key, kind, false);
    }
  }
  if (loop_.now() + absl::Milliseconds(500) < stop_at) {
    loop_.after(absl::Milliseconds(150 + uniform(rng_, 350)),
                [this, client, stop_at] { client_tick(client, stop_at); });
  }
}

// An acknowledged multi-block PUT of `key` (not itself a re-upload, not re-uploaded before)
// superseded gc_delay to gc_delay + 30 s ago: its unique first block is being collected about
// then (the count reaches zero once follow-ups have removed the old version's references, a
// delay the client cannot see; a range of moments is tried). One re-upload per content: an
// earlier one would restart its clock.
std::optional<uint64_t> S3Workload::reupload_candidate(int key) {
  const absl::Duration gc_delay = block_options(3).gc_delay;
  const auto& key_ops = history_->ops[key];
  std::vector<uint64_t> candidates;
  for (const auto& [id, m] : key_ops) {
    if (m.kind != kPut || !m.acked || m.content_of || m.size <= kBlock || reuploaded_.count(id)) continue;
    std::optional<absl::Duration> superseded;  // the first write begun after m was acknowledged
    for (const auto& [wid, w] : key_ops) {
      if (wid == id || w.kind == kGet || !w.acked || w.start < *m.acked) continue;
      if (!superseded || *w.acked < *superseded) superseded = *w.acked;
    }
    if (!superseded) continue;
    const absl::Duration since = loop_.now() - *superseded;
    if (since >= gc_delay && since <= gc_delay + absl::Seconds(30)) candidates.push_back(id);
  }
  if (candidates.empty()) return std::nullopt;
  const uint64_t pick = candidates[uniform(rng_, candidates.size())];
  reuploaded_.insert(pick);
  return pick;
}

// A write of `key` was just acknowledged: the multi-block PUT it superseded (if any) has its
// unique first block collected about gc_delay later, at a moment the client cannot see (the
// follow-ups that drop the old references, then the resync worker's next round). Half the time
// its body is sent again then, within a few seconds, so re-uploads meet collections in flight.
void S3Workload::aim_reupload(int key, uint64_t superseding_op) {
  const auto& key_ops = history_->ops[key];
  auto w = key_ops.find(superseding_op);
  if (w == key_ops.end() || uniform(rng_, 2) == 0) return;
  std::optional<uint64_t> newest;
  for (const auto& [id, m] : key_ops) {
    if (id == superseding_op || m.kind != kPut || !m.acked || *m.acked >= w->second.start) continue;
    if (!newest || *m.acked > *key_ops.at(*newest).acked) newest = id;
  }
  if (!newest) return;
  const History::Op& m = key_ops.at(*newest);
  if (m.content_of || m.size <= kBlock || reuploaded_.count(*newest)) return;
  const absl::Duration when = block_options(3).gc_delay + absl::Milliseconds(uniform(rng_, 4000));
  const uint64_t content = *newest;
  loop_.after(when, [this, key, content] {
    if (!history_->ready || reuploaded_.count(content)) return;
    if (auto q = quiet_until_.find(key); q != quiet_until_.end() && loop_.now() < q->second) return;
    const int node = random_running_node();
    if (node < 0) return;
    probe_aimed_reuploads_++;
    start_op(node, key, kReupload, false, content);
  });
}

// CopyObject into `key` from another key's newest acknowledged single-request PUT or copy,
// conditional on its ETag (x-amz-copy-source-if-match): a copy that succeeds copied that body,
// and shares its blocks. Without such a source, a read instead. Half the acknowledged copies
// are moves, as rclone's and the console's renames are: the source is deleted, and the copy
// read back once the source's references are gone and the blocks would have been collected.
void S3Workload::start_copy(int node, int key) {
  const int source_key = static_cast<int>((key + 1 + uniform(rng_, kKeys - 1)) % kKeys);
  std::optional<uint64_t> source;
  for (const auto& [id, op] : history_->ops[source_key]) {
    if (op.kind != kPut || !op.acked || op.etag.empty()) continue;
    if (!source || *op.acked > *history_->ops[source_key][*source].acked) source = id;
  }
  if (!source) {
    start_op(node, key, kGet, false);
    return;
  }
  const History::Op& from = history_->ops[source_key][*source];
  SimNode& n = cluster_.node(node);
  const uint64_t op = next_op_++;
  history_->ops[key][op] = History::Op{kPut, loop_.now(), std::nullopt, from.size, from.content_of.value_or(*source)};
  history_->unfinished[op] = {node, cluster_.incarnation(node), loop_.now()};
  probe_copies_++;
  Signed signed_request = sign_request("PUT", absl::StrCat("/", kBucket, "/key-", key), "", "", n.clock->now_wall(),
                                       {{"x-amz-copy-source", absl::StrCat("/", kBucket, "/key-", source_key)},
                                        {"x-amz-copy-source-if-match", absl::StrCat("\"", from.etag, "\"")}});
  std::function<void()> after_ack = [this, key, source_key] {
    if (uniform(rng_, 2) == 0) return;
    if (auto q = quiet_until_.find(source_key); q != quiet_until_.end() && loop_.now() < q->second) return;
    const int node = random_running_node();
    if (node < 0) return;
    probe_moves_++;
    start_op(node, source_key, kDelete, false);
    const absl::Duration gc_delay = block_options(3).gc_delay;
    read_back(key, {gc_delay + absl::Seconds(3), gc_delay + absl::Seconds(8)});
  };
  n.spawner->spawn([](std::shared_ptr<History> h, s3::S3Api* api, Signed req, EventLoop* loop, int key, uint64_t op,
                      std::function<void()> after_ack) -> Task<> {
    s3::HttpResponse resp = co_await api->handle(*req.request);
    h->unfinished.erase(op);
    const std::string etag = xml_text(resp.body, "ETag");
    if (resp.status != 200 || resp.body.find("<Error>") != std::string::npos || etag.empty()) {
      h->failed++;
      co_return;
    }
    History::Op& record = h->ops[key][op];
    record.acked = loop->now();
    record.etag = unquoted(etag);
    h->puts_acked++;
    h->copies_acked++;
    after_ack();
  }(history_, n.s3, std::move(signed_request), &loop_, key, op, std::move(after_ack)));
}

// Reads `key` back `after` each delay, and keeps the other clients off it until the last: a
// write whose effect is checked this way is the current version when the reads run.
void S3Workload::read_back(int key, std::vector<absl::Duration> after) {
  absl::Duration last;
  for (absl::Duration d : after) {
    last = std::max(last, d);
    loop_.after(d, [this, key] {
      const int reader = random_running_node();
      if (reader >= 0 && history_->ready) start_op(reader, key, kGet, false);
    });
  }
  absl::Duration& quiet = quiet_until_[key];
  quiet = std::max(quiet, loop_.now() + last + absl::Seconds(1));
}

void S3Workload::start_listing(int node) {
  SimNode& n = cluster_.node(node);
  const uint64_t op = next_op_++;
  history_->unfinished[op] = {node, cluster_.incarnation(node), loop_.now()};
  Signed signed_request = sign_request("GET", absl::StrCat("/", kBucket), "list-type=2", "", n.clock->now_wall());
  n.spawner->spawn([](std::shared_ptr<History> h, s3::S3Api* api, Signed req, EventLoop* loop, uint64_t op) -> Task<> {
    const absl::Duration started = loop->now();
    s3::HttpResponse resp = co_await api->handle(*req.request);
    h->unfinished.erase(op);
    if (resp.status != 200 || xml_text(resp.body, "IsTruncated") != "false") {
      h->failed++;
      co_return;
    }
    std::set<int> listed;
    for (size_t at = resp.body.find("<Key>"); at != std::string::npos; at = resp.body.find("<Key>", at + 1)) {
      const size_t end = resp.body.find("</Key>", at);
      const std::string name = resp.body.substr(at + 5, end == std::string::npos ? 0 : end - at - 5);
      int key = -1;
      if (!absl::StartsWith(name, "key-") || !absl::SimpleAtoi(name.substr(4), &key) || key < 0 || key >= kKeys) {
        h->violations.push_back(absl::StrCat("listing: shows a key no client wrote: '", name, "'"));
        co_return;
      }
      listed.insert(key);
    }
    for (int key = 0; key < kKeys; ++key) h->check_listed(key, started, listed.contains(key));
    h->listings_checked++;
  }(history_, n.s3, std::move(signed_request), &loop_, op));
}

void S3Workload::start_op(int node, int key, int kind, bool final_read, std::optional<uint64_t> reupload_of) {
  if (kind == kList) {
    start_listing(node);
    return;
  }
  if (kind == kCopy) {
    start_copy(node, key);
    return;
  }
  SimNode& n = cluster_.node(node);
  const uint64_t op = next_op_++;
  // Sizes: a third of PUTs inline (< 3 KiB), the rest one to three 4 KiB blocks; multipart
  // uploads a 4 KiB part and a second of 1 B to 6 KiB.
  size_t size = 0;
  if (kind == kPut) {
    const uint64_t shape = uniform(rng_, 6);
    // Inline; whole blocks (shared contents beyond the first); any size (a partial last block).
    size = shape < 2   ? 20 + uniform(rng_, 2000)
           : shape < 4 ? kBlock * (2 + uniform(rng_, 2))
                       : 3500 + uniform(rng_, 7000);
  }
  if (kind == kMultipart) size = uniform(rng_, 2) == 0 ? 2 * kBlock : 4097 + uniform(rng_, 6000);
  std::string body = size > 0 ? body_of(op, size, loop_.now()) : "";
  std::optional<uint64_t> content_of;
  if (kind == kReupload) {
    if (reupload_of) reuploaded_.insert(*reupload_of);
    content_of = reupload_of ? reupload_of : reupload_candidate(key);
    kind = kPut;
    if (content_of) {
      const History::Op& m = history_->ops[key][*content_of];
      size = m.size;
      body = body_of(*content_of, m.size, m.start);
      probe_reuploads_++;
      // Read it back while the blocks' collection would be racing it: a loss is seen only
      // while the re-upload is the current version.
      read_back(key, {absl::Seconds(4), absl::Seconds(9), absl::Seconds(15)});
    } else {
      size = kBlock * 2;
      body = body_of(op, size, loop_.now());
    }
  }
  const std::string path = absl::StrCat("/", kBucket, "/key-", key);
  History::Op record{kind == kMultipart ? kPut : kind, loop_.now(), std::nullopt, size, content_of};
  if (kind != kGet) history_->ops[key][op] = record;
  history_->unfinished[op] = {node, cluster_.incarnation(node), loop_.now()};
  if (kind == kMultipart) {
    // A Complete acknowledged on a retry is read back, and its key left alone until the final
    // reads, as a client unsure of its upload would: a retry that built on what the failed
    // attempt left must not answer 200 for an object that is gone.
    std::function<void()> after_retried_ack = [this, key] {
      probe_retried_completes_++;
      read_back(key, {absl::Seconds(1), absl::Seconds(5)});
      quiet_until_[key] = absl::InfiniteDuration();
    };
    n.spawner->spawn([](std::shared_ptr<History> h, s3::S3Api* api, Clock* clock, EventLoop* loop, int key, uint64_t op,
                        std::string path, std::string body, std::function<void()> after_retried_ack) -> Task<> {
      const int attempts = co_await multipart_upload(api, clock, std::move(path), std::move(body), tagging_of(op));
      h->unfinished.erase(op);
      if (attempts == 0) {
        h->failed++;
        co_return;
      }
      h->ops[key][op].acked = loop->now();
      h->puts_acked++;
      h->multipart_acked++;
      if (attempts > 1) after_retried_ack();
    }(history_, n.s3, n.clock.get(), &loop_, key, op, path, std::move(body), std::move(after_retried_ack)));
    return;
  }
  // One PUT in five (by its op number) is a browser's upload form instead (POST Object).
  const bool form = kind == kPut && op % 5 == 2;
  using HeaderList = std::vector<std::pair<std::string, std::string>>;
  const HeaderList headers = kind == kPut   ? put_headers(content_of.value_or(op), body)
                             : kind == kGet ? HeaderList{{"x-amz-checksum-mode", "ENABLED"}}
                                            : HeaderList{};
  Signed signed_request = form ? post_form_request(kBucket, absl::StrCat("key-", key), std::move(body),
                                                   n.clock->now_wall(), tagging_of(content_of.value_or(op)))
                               : sign_request(kind == kPut   ? "PUT"
                                              : kind == kGet ? "GET"
                                                             : "DELETE",
                                              path, "", std::move(body), n.clock->now_wall(), headers);
  std::shared_ptr<s3::HttpRequest> request = signed_request.request;
  std::shared_ptr<s3::StringBody> source = signed_request.body;
  // One read in three (by its op number: no draw from the workload's generator) goes through
  // the website endpoint: anonymous, the bucket named by the Host header.
  const bool website = kind == kGet && !final_read && op % 3 == 0;
  if (website) {
    request->headers = {{"host", kBucket}};
    request->target = absl::StrCat("/key-", key);
  }
  // And one in three through the S3 endpoint without a signature (the bucket is public-read).
  const bool anonymous = kind == kGet && !final_read && op % 3 == 1;
  if (anonymous) {
    std::erase_if(request->headers, [](const auto& h) { return h.first == "authorization"; });
  }

  // A listing as soon as a delete is acknowledged, as a client checking its work would: it meets
  // replicas that have not all heard of the delete yet.
  std::function<void()> after_ack;
  if (kind == kDelete) {
    after_ack = [this, key, op] {
      for (int lister = 0; lister < cluster_.size(); ++lister)
        if (cluster_.is_running(lister)) start_listing(lister);
      aim_reupload(key, op);
    };
  }
  if (kind == kPut) after_ack = [this, key, op] { aim_reupload(key, op); };
  n.spawner->spawn([](std::shared_ptr<History> h, s3::S3Api* api, std::shared_ptr<s3::HttpRequest> req,
                      std::shared_ptr<s3::StringBody> src, EventLoop* loop, int key, uint64_t op, int kind,
                      bool final_read, bool website, bool anonymous, std::function<void()> after_ack) -> Task<> {
    const absl::Duration started = loop->now();
    s3::HttpResponse resp;
    if (website) {
      resp = co_await api->handle_website(*req);
    } else {
      resp = co_await api->handle(*req);
    }
    h->unfinished.erase(op);
    std::string got = resp.body;
    if (resp.stream && resp.status < 300) {
      got.clear();
      for (;;) {
        absl::StatusOr<std::optional<std::string>> piece = co_await resp.stream->next();
        if (!piece.ok()) {
          h->failed++;  // a read that fails midway: the client sees a cut connection
          // Healed, every node up: a body cut short means a block of the object is gone.
          // At any time: every holder answered and none had the block (a write quorum stored it
          // before the PUT was acknowledged, and a block is kept for gc_delay once unreferenced),
          // or the version's data was gone after the headers went out (an overwrite or delete
          // meanwhile must not cut a GET: its block list is read before the headers).
          // (An S3 error's absl code follows its HTTP status: NoSuchKey is NotFound.)
          if (final_read || absl::IsNotFound(piece.status()) || absl::IsDataLoss(piece.status()) ||
              absl::IsAborted(piece.status())) {
            h->violations.push_back(absl::StrCat(final_read ? "final read" : "read", " of key ", key, " (started ",
                                                 absl::FormatDuration(started), ") cut short at ",
                                                 absl::FormatDuration(loop->now()), ": ", piece.status().message()));
          }
          co_return;
        }
        if (!piece->has_value()) break;
        got += **piece;
      }
    }
    const bool ok = resp.status < 300;
    // The website's 404 page names its code: only NoSuchKey says the key is absent (a bucket
    // whose website is not enabled yet, say, is not).
    const bool absent = resp.status == 404 && (!website || absl::StrContains(got, "Code: NoSuchKey")) &&
                        (!anonymous || absl::StrContains(got, "<Code>NoSuchKey</Code>"));
    if (kind == kGet) {
      if (ok || absent) {
        std::optional<uint64_t> from;
        if (ok) {
          uint64_t id = 0;
          const size_t colon = got.find(':', 3);
          if (got.rfind("op:", 0) != 0 || colon == std::string::npos ||
              !absl::SimpleAtoi(got.substr(3, colon - 3), &id)) {
            h->violations.push_back(absl::StrCat("key ", key, ": a GET returned a body no PUT sent"));
            co_return;
          }
          from = id;
          // The version's tags came with it: as many as its body's writes gave it.
          std::string count = "0";
          for (const auto& [name, value] : resp.headers)
            if (name == "x-amz-tagging-count") count = value;
          const char* expected = tagged_body(id) ? "1" : "0";
          if (count != expected) {
            h->violations.push_back(absl::StrCat("key ", key, ": the version of op ", id, " came back with ", count,
                                                 " tags, its writes gave it ", expected));
            co_return;
          }
          if (tagged_body(id)) h->tagged_reads_checked++;
          // A stored checksum that came back (x-amz-checksum-mode) is that of these bytes: a
          // version's checksum never travels with another version's data.
          for (const auto& [name, value] : resp.headers) {
            if (name != "x-amz-checksum-crc32") continue;
            if (value != crc32_base64(got)) {
              h->violations.push_back(
                  absl::StrCat("key ", key, ": the version of op ", id, " came back with a CRC32 not of its bytes"));
              co_return;
            }
            h->checksums_checked++;
          }
        }
        h->reads_checked++;
        if (website) h->website_reads_checked++;
        if (anonymous) h->anonymous_reads_checked++;
        h->check_read(key, started, from, got,
                      final_read  ? "final read"
                      : website   ? "website read"
                      : anonymous ? "anonymous read"
                                  : "read");
      } else {
        h->failed++;
        if (final_read) {
          // The S3 error code, from the XML body: <Code>...</Code>.
          const size_t at = got.find("<Code>"), end = got.find("</Code>");
          const std::string code = at != std::string::npos && end > at ? got.substr(at + 6, end - at - 6) : "";
          h->violations.push_back(absl::StrCat("final read of key ", key, " failed: HTTP ", resp.status, " ", code));
        }
      }
      co_return;
    }
    if (!ok) {
      h->failed++;
      co_return;
    }
    h->ops[key][op].acked = loop->now();
    for (const auto& [name, value] : resp.headers)
      if (name == "etag") h->ops[key][op].etag = unquoted(value);
    (kind == kPut ? h->puts_acked : h->deletes_acked)++;
    if (after_ack) after_ack();
  }(history_, n.s3, request, source, &loop_, key, op, kind, final_read, website, anonymous, std::move(after_ack)));
}

}  // namespace garage::sim
