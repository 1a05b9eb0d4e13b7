#!/usr/bin/env bash
# Issue 25 point 6's README figure: ListObjects (v1, v2) and ListMultipartUploads with
# max-keys=1 after DELETES keys were written and deleted, against an empty bucket, on one real
# node (tests/listing_cost_test.py through tests/s3_clients_test.sh's "listing" section).
#
#   scripts/bench_listing.sh [BUILD_DIR] [DELETES]      defaults: build, 100000 (~4 min)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
LISTING_DELETES=${2:-100000} exec "$src/tests/s3_clients_test.sh" "$build" listing
