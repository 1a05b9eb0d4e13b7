#!/usr/bin/python3
"""Block counts and the resync queue survive kill -9 (issue 9, "what it must show"), against a
real `garage server` (tests/s3_clients_test.sh, section "crash"). The node runs with a 3 s
block_gc_delay_secs, so block deletion runs all the time; writers PUT and DELETE keys with
contents drawn from a small pool (blocks are shared between keys, deleted and written again),
and the node is killed with SIGKILL at random moments, six times, and restarted.

After each restart every key holds its last acknowledged state (or the state of the operation
the kill cut), with all its bytes: no block was deleted while an object referred to it. At
the end, once the write journal has rolled back the PUTs the kills cut (node/model/write_journal.h:
30 s after the last start) and gc_delay has passed, the data folder holds exactly the blocks of
the live objects: none kept forever.

  crash_gc_test.py ENDPOINT KEY_ID SECRET REGION DATA_DIR PID_FILE LOG SERVER_COMMAND...
"""
import hashlib
import os
import random
import subprocess
import sys
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from check_lib import check, failed

endpoint, key_id, secret, region, data_dir, pid_file, log_path = sys.argv[1:8]
server_command = sys.argv[8:]
rng = random.Random(int(os.environ.get("CRASH_SEED", str(time.time_ns()))))
BLOCK = 1 << 20
GC_DELAY_S = 3


def client():
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret,
                        region_name=region, config=Config(s3={"addressing_style": "path"},
                                                          retries={"max_attempts": 1},
                                                          connect_timeout=2, read_timeout=10))


# Forty contents of two blocks each (the second partial), shared by the keys: a kill cuts at
# most four PUTs, so most contents are written, deleted and collected without one cut.
pool = [os.urandom(BLOCK) + os.urandom(BLOCK // 2 + i) for i in range(40)]
written = set()  # pool indexes some PUT sent


def blocks_of(body):
    return {hashlib.sha256(body[i:i + BLOCK]).hexdigest() for i in range(0, len(body), BLOCK)}


def blocks_on_disk():
    found = set()
    for root, _, files in os.walk(data_dir):
        for f in files:
            if len(f) == 64 and all(c in "0123456789abcdef" for c in f):
                found.add(f)
    return found


server = None


def start_server():
    global server
    log = open(log_path, "ab")
    server = subprocess.Popen(server_command, stderr=log, stdout=subprocess.DEVNULL)
    with open(pid_file, "w") as f:
        f.write(str(server.pid))
    s3 = client()
    for _ in range(200):
        try:
            s3.list_buckets()
            return s3
        except Exception:  # noqa: BLE001 (not serving yet)
            time.sleep(0.1)
    raise RuntimeError("the server did not come back")


s3 = start_server()
bucket = "crash"
s3.create_bucket(Bucket=bucket)
keys = [f"k{i}" for i in range(12)]
acked = {k: None for k in keys}  # key -> pool index, or None (absent)
maybe = {k: set() for k in keys}  # states an operation cut by the kill may have left
cut_puts = set()  # pool indexes whose PUT a kill cut (rolled back by the write journal)
lock = threading.Lock()


def writer(my_keys, stop):
    c = client()
    while not stop.is_set():
        k = rng.choice(my_keys)
        target = rng.randrange(len(pool)) if rng.random() < 0.65 else None
        with lock:
            maybe[k].add(target)
            if target is not None:
                written.add(target)
        try:
            if target is None:
                c.delete_object(Bucket=bucket, Key=k)
            else:
                c.put_object(Bucket=bucket, Key=k, Body=pool[target])
        except Exception:  # noqa: BLE001 (the kill: the outcome is unknown)
            with lock:
                if target is not None:
                    cut_puts.add(target)
            return
        with lock:
            acked[k] = target
            maybe[k] = set()


def read_state(c, k):
    try:
        body = c.get_object(Bucket=bucket, Key=k)["Body"].read()
    except ClientError as e:
        if e.response["Error"]["Code"] == "NoSuchKey":
            return None
        raise
    for i, p in enumerate(pool):
        if body == p:
            return i
    return "corrupt"


rounds = 6
for r in range(rounds):
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(keys[i::4], stop)) for i in range(4)]
    for t in threads:
        t.start()
    # Past gc_delay now and then, so deletions fall due while the kill lands.
    time.sleep(rng.uniform(0.5, GC_DELAY_S + 2))
    server.kill()
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    s3 = start_server()
    # Let deletions that fell due during the downtime run, then read everything back.
    time.sleep(rng.uniform(0, GC_DELAY_S + 1))
    wrong = []
    for k in keys:
        got = read_state(s3, k)
        if got != acked[k] and got not in maybe[k]:
            wrong.append((k, got, acked[k], sorted(maybe[k], key=str)))
        acked[k] = got if got != "corrupt" else acked[k]
        maybe[k] = set()
    check(f"crash {r + 1}: every key holds its acknowledged state, every byte of it", not wrong, wrong)

# Leave a few objects, delete the rest, and let collection finish.
for k in keys[3:]:
    s3.delete_object(Bucket=bucket, Key=k)
    acked[k] = None
live = set()
for k in keys:
    if acked[k] is not None:
        live |= blocks_of(pool[acked[k]])
cut = set()
for i in cut_puts:
    cut |= blocks_of(pool[i])
# The journal rolls back 30 s after the start (ROLLBACK_S), on a pass every 10 s; then gc_delay.
ROLLBACK_S = 30
deadline = time.time() + ROLLBACK_S + 10 + 4 * GC_DELAY_S + 20
while time.time() < deadline:
    extra = blocks_on_disk() - live
    if not extra and blocks_on_disk() >= live:
        break
    time.sleep(1)
on_disk = blocks_on_disk()
check("every block of a live object is on disk", live <= on_disk, sorted(live - on_disk))
collected = set()
for i in written:
    collected |= blocks_of(pool[i])
collected -= live
check("no other block stays, those of PUTs a kill cut included", not (on_disk - live), sorted(on_disk - live))
check("... and blocks were collected", len(collected) >= 10, len(collected))
print(f"info - {len(live)} live blocks; {len(collected)} collected, {len(cut - live)} of them from "
      f"{len(cut_puts)} cut PUTs' contents; {len(on_disk)} on disk")
for k in keys[:3]:
    got = read_state(s3, k)
    check(f"{k} reads back whole at the end", got == acked[k], (got, acked[k]))
server.kill()
server.wait()
print(f"crash_gc_test: {failed()} failed")
sys.exit(1 if failed() else 0)
