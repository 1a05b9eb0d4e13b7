#!/usr/bin/python3
"""S3 throughput and latency against a running garage (scripts/bench.sh starts one).

  bench_s3.py ENDPOINT ACCESS_KEY SECRET REGION BUCKET [--small] [--big-mib N]

For 4 KiB and 1 MiB objects, at concurrency 1 and 8: PUT then GET of N objects, reporting
objects/s, MiB/s and the median and 99th-percentile latency. Then one big object (default
1 GiB) PUT and GET with the AWS CLI's transfer manager (multipart, 8 MiB parts), streamed from
and to files. The client runs on the same machine: on 2 cores it competes with the server,
and for small objects the Python client is the limit, not the server.
"""
import concurrent.futures
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import boto3
from botocore.client import Config

endpoint, key, secret, region, bucket = sys.argv[1:6]
big_mib = int(sys.argv[sys.argv.index("--big-mib") + 1]) if "--big-mib" in sys.argv else 0
small = "--small" in sys.argv
local = threading.local()


def client():
    if not hasattr(local, "s3"):
        local.s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret,
                                region_name=region, config=Config(s3={"addressing_style": "path"}, max_pool_connections=32))
    return local.s3


def run(op, names, payload, concurrency):
    lat = []

    def one(name):
        t = time.perf_counter()
        if op == "PUT":
            client().put_object(Bucket=bucket, Key=name, Body=payload)
        else:
            body = client().get_object(Bucket=bucket, Key=name)["Body"].read()
            assert len(body) == len(payload)
        lat.append(time.perf_counter() - t)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, names))
    wall = time.perf_counter() - start
    lat.sort()
    n = len(names)
    return n / wall, n * len(payload) / wall / 2**20, statistics.median(lat) * 1000, lat[int(n * 0.99) - 1] * 1000


if small:
    print("%-6s %-5s %-4s %10s %9s %9s %9s" % ("size", "op", "conc", "objects/s", "MiB/s", "p50 ms", "p99 ms"))
for size, label, count in ([(4096, "4KiB", 400), (1 << 20, "1MiB", 60)] if small else []):
    payload = os.urandom(size)
    for conc in [1, 8]:
        names = ["bench/%s/c%d/%d" % (label, conc, i) for i in range(count)]
        for op in ["PUT", "GET"]:
            ops, mibs, p50, p99 = run(op, names, payload, conc)
            print("%-6s %-5s %-4d %10.0f %9.1f %9.1f %9.1f" % (label, op, conc, ops, mibs, p50, p99), flush=True)

with tempfile.TemporaryDirectory() if big_mib else contextlib.nullcontext() as tmp:
  if big_mib:
      src = os.path.join(tmp, "big")
      with open(src, "wb") as f:
          for _ in range(big_mib):
              f.write(os.urandom(1 << 20))
      env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=region,
                 AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
      aws = ["/usr/bin/aws", "--endpoint-url", endpoint, "s3", "cp", "--no-progress"]
      t = time.perf_counter()
      subprocess.run(aws + [src, "s3://%s/bench/big" % bucket], check=True, env=env, stdout=subprocess.DEVNULL)
      put_s = time.perf_counter() - t
      os.remove(src)
      t = time.perf_counter()
      subprocess.run(aws + ["s3://%s/bench/big" % bucket, src], check=True, env=env, stdout=subprocess.DEVNULL)
      get_s = time.perf_counter() - t
      assert os.path.getsize(src) == big_mib << 20
      print("%d MiB object: PUT %.1f s (%.0f MiB/s), GET %.1f s (%.0f MiB/s) (awscli, multipart)" %
            (big_mib, put_s, big_mib / put_s, get_s, big_mib / get_s))
