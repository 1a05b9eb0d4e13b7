// Benchmark: table writes per second into RocksDB through TableStore (entry + Merkle leaf index
// + 4 tree nodes per item, one atomic batch per call), for several batch sizes, with and
// without fsync. Run by scripts/bench.sh; figures go in the README.
//
//   bench_table_writes DIR [ITEMS] [MEMTABLE_BUDGET_MIB]   (default: RocksKvOptions' budget)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "node/table/lww.h"
#include "node/table/table_store.h"
#include "store/rocks_kv.h"

int main(int argc, char** argv) {
  using namespace garage;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_table_writes DIR [ITEMS]\n");
    return 1;
  }
  const std::string dir = argv[1];
  const int items = argc > 2 ? std::atoi(argv[2]) : 20000;
  RocksKvOptions kv_options;
  if (argc > 3) kv_options.memtable_budget_bytes = static_cast<uint64_t>(std::atoi(argv[3])) << 20;
  const CrdtSchema<LwwRegister> schema("bench");
  std::printf("%-8s %6s %10s %12s\n", "fsync", "batch", "items", "writes/s");
  int run = 0;
  for (bool sync : {false, true}) {
    for (int batch : {1, 16, 256}) {
      const int n = sync && batch == 1 ? std::min(items, 2000) : items;  // fsync per item is slow
      absl::StatusOr<std::unique_ptr<RocksKv>> kv = RocksKv::open(absl::StrCat(dir, "/run", run++), kv_options);
      if (!kv.ok()) {
        std::fprintf(stderr, "%s\n", std::string(kv.status().message()).c_str());
        return 1;
      }
      TableStore store(**kv, schema);
      const std::string value(200, 'x');  // a typical object-table entry is a few hundred bytes
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < n; i += batch) {
        std::vector<TableItem> b;
        for (int j = i; j < std::min(n, i + batch); ++j) {
          b.push_back(TableItem{make_tree_key(absl::StrCat("bucket-", j % 7), absl::StrCat("object-", j)),
                                LwwRegister{1700000000000 + j, 1, value}.encode()});
        }
        absl::StatusOr<std::vector<TableItem>> r = store.merge_in(b, sync);
        if (!r.ok()) {
          std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
          return 1;
        }
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("%-8s %6d %10d %12.0f\n", sync ? "yes" : "no", batch, n, n / secs);
    }
  }
  return 0;
}
