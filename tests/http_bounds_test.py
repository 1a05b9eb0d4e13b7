#!/usr/bin/python3
"""Issue 9, point 8: the S3 HTTP server's bounds, against a real `garage server` whose config
sets [s3_api] max_connections = MAX (tests/s3_clients_test.sh, section "bounds").

  http_bounds_test.py ENDPOINT KEY_ID SECRET REGION SERVER_PID MAX

Prints the server's RSS figures (for the README) and checks: idle connections cost little and
do not lock others out; past MAX a client gets 503 SlowDown at once, never a hang; clients
that never read a GET do not stop others; a body trickled at a byte per few seconds is cut.
"""
import socket
import sys
import threading
import time

import boto3
from botocore.config import Config
from check_lib import check, failed

endpoint, key_id, secret, region, pid, limit = sys.argv[1:7]
pid, limit = int(pid), int(limit)
host, port = endpoint.split("//")[1].split(":")
port = int(port)


def status_mib(field):  # a memory line of the server's /proc status (VmRSS, VmHWM), in MiB
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mib():
    return status_mib("VmRSS")


s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret,
                  region_name=region, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                                    connect_timeout=5, read_timeout=20))
s3.create_bucket(Bucket="bounds")
big = bytes(range(256)) * (8 * 4096)  # 8 MiB
s3.put_object(Bucket="bounds", Key="big", Body=big)
s3.put_object(Bucket="bounds", Key="small", Body=b"small")
time.sleep(1)
idle_rss = rss_mib()


def works():
    return s3.get_object(Bucket="bounds", Key="small")["Body"].read() == b"small"


# Idle connections: opened, never a byte sent.
idle = []
for _ in range(min(300, limit - 20)):
    s = socket.create_connection((host, port))
    idle.append(s)
time.sleep(1)
idle_delta = rss_mib() - idle_rss
print(f"figure: {len(idle)} idle connections: RSS {idle_rss:.0f} -> {idle_rss + idle_delta:.0f} MiB")
check(f"{len(idle)} idle connections cost under 100 MiB", idle_delta < 100, f"+{idle_delta:.0f} MiB")
check("a client is served while they wait", works())

# Issue 25 point 3: idle connections cannot lock others out. Past the limit a new connection
# takes an idle one's place (the oldest stranger's first), so a flood of idle connections,
# reopened as soon as the server closes them, leaves signed clients served (before: 0 of 18).
flood = idle
flood_stop = threading.Event()
flood_reopened = [0]


def keep_flooding():
    while not flood_stop.is_set():
        for i, s in enumerate(flood):
            try:
                s.setblocking(False)
                s.recv(1)  # the end, or a 503 before the end: either way the server let it go
                closed = True
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            if closed:
                s.close()
                try:
                    flood[i] = socket.create_connection((host, port), timeout=5)
                    flood_reopened[0] += 1
                except OSError:
                    pass
        time.sleep(0.05)


while len(flood) < limit + 50:
    flood.append(socket.create_connection((host, port)))
flooder = threading.Thread(target=keep_flooding)
flooder.start()
served = 0
for _ in range(18):
    try:
        # A new connection each time (a pooled one from before the flood would prove nothing).
        fresh = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret,
                             region_name=region, config=Config(s3={"addressing_style": "path"},
                                                               retries={"max_attempts": 1}, connect_timeout=5,
                                                               read_timeout=20))
        served += fresh.get_object(Bucket="bounds", Key="small")["Body"].read() == b"small"
    except Exception as e:  # a refusal (503 SlowDown) or a timeout: not served
        print(f"  not served: {e!r}")
    time.sleep(0.3)
flood_stop.set()
flooder.join()
print(f"figure: {limit + 50} idle connections for max_connections {limit}, reopened as closed "
      f"({flood_reopened[0]} reopened): {served} of 18 signed GETs served")
check("signed clients are served during a flood of idle connections", served == 18, f"{served} of 18")
for s in flood:
    s.close()
time.sleep(1)
check("once they leave, clients are served again", works())

# Clients that never read: GETs of 8 MiB, nothing read back.
request = (f"GET /bounds/big HTTP/1.1\r\nhost: {host}:{port}\r\n").encode()
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed_get():
    req = AWSRequest(method="GET", url=f"{endpoint}/bounds/big", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials(key_id, secret), "s3", region).add_auth(req)
    head = "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
    return f"GET /bounds/big HTTP/1.1\r\nhost: {host}:{port}\r\n{head}\r\n".encode()


def hwm_reset():
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS


def hwm_mib():
    return status_mib("VmHWM")


# Issue 25 point 4: an aws-chunked PUT whose one chunk is 16 MiB streams like a plain body (it
# was held whole and copied: +289 MiB for 10 at once). The peak is measured, not the aftermath.
import hashlib
import hmac
import os


def chunked_put(key, data):
    length = len(data)
    req = AWSRequest(method="PUT", url=f"{endpoint}/bounds/{key}",
                     headers={"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                              "content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(length)})
    SigV4Auth(Credentials(key_id, secret), "s3", region).add_auth(req)
    seed = req.headers["Authorization"].split("Signature=")[1]
    amz_date = req.headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    k = ("AWS4" + secret).encode()
    for part in (amz_date[:8], region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    empty = hashlib.sha256(b"").hexdigest()
    body, previous = [], seed
    for chunk in (data, b""):
        to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty,
                             hashlib.sha256(chunk).hexdigest()])
        previous = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        body += [f"{len(chunk):x};chunk-signature={previous}\r\n".encode(), chunk, b"\r\n"]
    payload = b"".join(body)
    head = "".join(f"{name}: {value}\r\n" for name, value in req.headers.items())
    s = socket.create_connection((host, port))
    s.settimeout(60)
    s.sendall(f"PUT /bounds/{key} HTTP/1.1\r\nhost: {host}:{port}\r\n{head}content-length: {len(payload)}\r\n"
              f"connection: close\r\n\r\n".encode())
    s.sendall(payload)
    answer = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        answer += got
    s.close()
    return answer.split(b"\r\n")[0]


chunk_data = os.urandom(16 << 20)
time.sleep(1)
before = rss_mib()
hwm_reset()
statuses = [None] * 10


def one_chunked(i):
    try:
        statuses[i] = chunked_put(f"chunked{i}", chunk_data)
    except OSError as e:
        statuses[i] = repr(e).encode()


threads = [threading.Thread(target=one_chunked, args=(i,)) for i in range(10)]
for t in threads:
    t.start()
for t in threads:
    t.join()
peak = hwm_mib()
print(f"figure: 10 aws-chunked PUTs of one 16 MiB chunk at once: peak RSS {before:.0f} -> {peak:.0f} MiB")
ok_puts = sum(1 for st in statuses if st is not None and b" 200" in st)
check("10 aws-chunked PUTs of one 16 MiB chunk answer 200", ok_puts == 10, f"{statuses}")
stored = s3.get_object(Bucket="bounds", Key="chunked3")["Body"].read()
check("an aws-chunked 16 MiB PUT reads back whole", stored == chunk_data, f"{len(stored)} bytes")
check("their peak RSS stays within 100 MiB of before", peak - before < 100, f"+{peak - before:.0f} MiB")
for i in range(10):
    s3.delete_object(Bucket="bounds", Key=f"chunked{i}")

time.sleep(1)
hwm_reset()
stalled = []
for _ in range(min(300, limit - 20)):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    s.sendall(signed_get())
    stalled.append(s)
time.sleep(0.5)
# Every slot busy (answering requests, none idle): a new connection is told 503 SlowDown at once.
busy_fill = []
for _ in range(limit - len(stalled)):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    s.sendall(signed_get())
    busy_fill.append(s)
time.sleep(0.5)  # every request read; well before stalled clients are let go (5 s)
refused = 0
for _ in range(10):
    s = socket.create_connection((host, port))
    s.settimeout(10)
    try:
        data = s.recv(4096)
        refused += b"503" in data.split(b"\r\n")[0] and b"SlowDown" in data
    except socket.timeout:
        pass
    s.close()
check("with every connection busy, a new client gets 503 SlowDown at once", refused == 10, f"{refused} of 10")
for s in busy_fill:
    s.close()
time.sleep(10)  # past stall_eviction_after (5 s) and the eviction loop's trim a second later
stalled_rss = rss_mib()
stalled_peak = hwm_mib()
print(f"figure: {len(stalled)} GETs of 8 MiB never read: peak RSS {idle_rss:.0f} -> {stalled_peak:.0f} MiB")
print(f"figure: {len(stalled)} GETs of 8 MiB never read: RSS {idle_rss:.0f} -> {stalled_rss:.0f} MiB after 12 s")
check(f"{len(stalled)} stalled GETs: peak RSS within 150 MiB of idle", stalled_peak - idle_rss < 150,
      f"+{stalled_peak - idle_rss:.0f} MiB")
check("a client is served while GETs that are never read hold their connections", works())
check(f"{len(stalled)} stalled GETs leave RSS within 100 MiB of idle", stalled_rss - idle_rss < 100,
      f"+{stalled_rss - idle_rss:.0f} MiB")
for s in stalled:
    s.close()

# Issue 25 point 4: slow but steady readers are never cut. 40 GETs of 8 MiB, each read at
# 200 kB/s (before: 8 of 40 cut after about 20 s, 200 then EOF, when the 32 MiB write budget
# filled); the node's read budget makes them take turns instead, and its peak RSS stays bounded.
def paced_get(rate, results, i):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.settimeout(60)
    try:
        s.connect((host, port))
        s.sendall(signed_get())
        data = b""
        while b"\r\n\r\n" not in data:
            got = s.recv(4096)
            if not got:
                break
            data += got
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
        received = len(body)
        start = time.time()
        while received < length:
            got = s.recv(min(16384, length - received))
            if not got:
                break
            received += len(got)
            ahead = received / rate - (time.time() - start)
            if ahead > 0:
                time.sleep(ahead)
        results[i] = (head.split(b"\r\n")[0], received == length, received)
    except OSError as e:
        results[i] = (repr(e).encode(), False, 0)
    finally:
        s.close()


time.sleep(2)
before = rss_mib()
hwm_reset()
paced = [None] * 40
threads = [threading.Thread(target=paced_get, args=(200 * 1000, paced, i)) for i in range(40)]
started = time.time()
for t in threads:
    t.start()
served_meanwhile = works()
for t in threads:
    t.join()
peak = hwm_mib()
whole = sum(1 for r in paced if r and r[1] and b" 200" in r[0])
print(f"figure: 40 GETs of 8 MiB read at 200 kB/s: {whole} whole in {time.time() - started:.0f} s, "
      f"peak RSS {before:.0f} -> {peak:.0f} MiB")
check("40 GETs read at 200 kB/s all get their whole body", whole == 40,
      f"{[r for r in paced if not (r and r[1])][:3]}")
check("a client is served while they read", served_meanwhile)
check("their peak RSS stays within 120 MiB of before (the read budget is 64 MiB)", peak - before < 120,
      f"+{peak - before:.0f} MiB")

# A body trickled a byte every 5 s: cut once the 30 s grace has passed (rate under 1 KiB/s).
s = socket.create_connection((host, port))
s.sendall(f"PUT /bounds/trickle HTTP/1.1\r\nhost: {host}:{port}\r\ncontent-length: 1000\r\n\r\n".encode())
start = time.time()
cut = False
while time.time() - start < 60:
    try:
        s.sendall(b"x")
    except OSError:
        cut = True
        break
    time.sleep(5)
    s.settimeout(0.01)
    try:
        s.recv(1)  # the server's answer (its 403 to an anonymous PUT, then the close) or the close
        cut = True
        break
    except socket.timeout:
        pass
    except OSError:
        cut = True
        break
took = time.time() - start
check("a body trickled at a byte per 5 s is cut within 60 s", cut, f"still open after {took:.0f} s")
print(f"figure: trickled body cut after {took:.0f} s")

print(f"http_bounds_test: {failed()} failed")
sys.exit(1 if failed() else 0)
