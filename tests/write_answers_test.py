#!/usr/bin/python3
"""Issue 25, point 2: every write gets an answer within a bound when a peer stops, and succeeds
once it is back.

  write_answers_test.py ENDPOINT KEY_ID SECRET REGION PEER_PID stopped|hung

Two nodes, RF 2 (tests/write_answers_test.sh): no write can reach its quorum while the peer
is away. Each kind of write (PUT inline and multi-block, DELETE, CopyObject, DeleteObjects,
CreateBucket, CreateMultipartUpload, UploadPart, CompleteMultipartUpload) is sent at once,
all together (the callers share the node's dial to the peer: the bug of point 2 left all
but one of them waiting for good), right after the peer is
  - stopped (SIGTERM, then the process gone: connections refused), and
  - hung (SIGSTOP: connections open but never answered, the worse case: only timeouts end a
    request).
Each must answer 503 within BOUND_SECONDS (the block RPC timeout, 30 s, plus a margin; DELETE
and DeleteObjects may also answer as S3 does for keys they could not act on). After SIGCONT
every kind succeeds again. One phase per run (the wrapper starts the peer again between them);
prints each answer time for the README.
"""
import concurrent.futures
import os
import signal
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from check_lib import check, failed

endpoint, key_id, secret, region, peer_pid, phase = sys.argv[1:7]
peer_pid = int(peer_pid)
BOUND_SECONDS = 40

s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret,
                  region_name=region,
                  config=Config(s3={"addressing_style": "path"}, max_pool_connections=32, read_timeout=120,
                                retries={"max_attempts": 1, "mode": "standard"}))
BUCKET = "answers"
SMALL = b"small object " * 8
BIG = os.urandom(3 * 1024 * 1024 + 17)  # 4 blocks of 1 MiB
PART = os.urandom(5 * 1024 * 1024)
# DeleteObjects deletes its keys one after the other: with a hung peer each would wait for the
# RPC timeout, unless the keys after the first failure are answered without a try.
BATCH = 20


def prepare(round_name):
    """What the writes of one round act on, written while both nodes are up."""
    s3.put_object(Bucket=BUCKET, Key=f"{round_name}/to-delete", Body=SMALL)
    s3.put_object(Bucket=BUCKET, Key=f"{round_name}/copy-source", Body=BIG)
    for i in range(BATCH):
        s3.put_object(Bucket=BUCKET, Key=f"{round_name}/batch-{i}", Body=SMALL)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=f"{round_name}/mpu")["UploadId"]
    etag = s3.upload_part(Bucket=BUCKET, Key=f"{round_name}/mpu", UploadId=upload, PartNumber=1, Body=PART)["ETag"]
    upload2 = s3.create_multipart_upload(Bucket=BUCKET, Key=f"{round_name}/mpu-part")["UploadId"]
    return {"upload": upload, "etag": etag, "upload2": upload2}


def writes(round_name, state):
    r = round_name
    return {
        "PUT 100 B (inline)": lambda: s3.put_object(Bucket=BUCKET, Key=f"{r}/new-small", Body=SMALL),
        "PUT 3 MiB (4 blocks)": lambda: s3.put_object(Bucket=BUCKET, Key=f"{r}/new-big", Body=BIG),
        "DELETE": lambda: s3.delete_object(Bucket=BUCKET, Key=f"{r}/to-delete"),
        "CopyObject 3 MiB": lambda: s3.copy_object(Bucket=BUCKET, Key=f"{r}/copy",
                                                   CopySource={"Bucket": BUCKET, "Key": f"{r}/copy-source"}),
        f"DeleteObjects ({BATCH} keys)": lambda: s3.delete_objects(
            Bucket=BUCKET, Delete={"Objects": [{"Key": f"{r}/batch-{i}"} for i in range(BATCH)]}),
        "CreateBucket": lambda: s3.create_bucket(Bucket=f"answers-{r}"),
        "CreateMultipartUpload": lambda: s3.create_multipart_upload(Bucket=BUCKET, Key=f"{r}/mpu-new"),
        "UploadPart 5 MiB": lambda: s3.upload_part(Bucket=BUCKET, Key=f"{r}/mpu-part", UploadId=state["upload2"],
                                                   PartNumber=1, Body=PART),
        "CompleteMultipartUpload": lambda: s3.complete_multipart_upload(
            Bucket=BUCKET, Key=f"{r}/mpu", UploadId=state["upload"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": state["etag"]}]}),
    }


def timed(fn):
    """(HTTP status or "no answer (...)", seconds, response body or None)."""
    started = time.monotonic()
    try:
        response = fn()
        return response["ResponseMetadata"]["HTTPStatusCode"], time.monotonic() - started, response
    except ClientError as e:
        return e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0), time.monotonic() - started, None
    except Exception as e:  # a cut connection or a client-side timeout: no answer
        return f"no answer ({type(e).__name__})", time.monotonic() - started, None


def all_at_once(kinds):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(kinds)) as pool:
        futures = {name: pool.submit(timed, fn) for name, fn in kinds.items()}
        return {name: f.result() for name, f in futures.items()}


def answered_as_expected(name, status, response):
    # Every write needs a quorum it cannot have: 503. DeleteObjects may instead answer 200 with
    # an error for each key, as S3 does, but must not report a key deleted.
    if name.startswith("DeleteObjects") and status == 200:
        return not response.get("Deleted") and len(response.get("Errors", [])) == BATCH
    return status == 503


state = prepare(phase)
os.kill(peer_pid, signal.SIGTERM if phase == "stopped" else signal.SIGSTOP)
if phase == "stopped":
    for _ in range(200):  # until the process is gone
        try:
            os.kill(peer_pid, 0)
            time.sleep(0.05)
        except ProcessLookupError:
            break
figures = {}
for name, (status, seconds, response) in all_at_once(writes(phase, state)).items():
    figures[name] = [(status, seconds)]
    check(f"peer {phase}: {name} answered {status} in {seconds:.1f} s (bound {BOUND_SECONDS} s)",
          isinstance(status, int) and seconds <= BOUND_SECONDS and answered_as_expected(name, status, response))
if phase == "hung":
    os.kill(peer_pid, signal.SIGCONT)
    # Once the peer answers again, every kind succeeds (on a fresh set of objects).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and timed(lambda: s3.put_object(Bucket=BUCKET, Key="probe", Body=SMALL))[0] != 200:
        time.sleep(0.5)
    state = prepare("back")
    for name, (status, seconds, response) in all_at_once(writes("back", state)).items():
        figures[name].append((status, seconds))
        whole = not name.startswith("DeleteObjects") or (response and len(response.get("Deleted", [])) == BATCH)
        check(f"peer back: {name} answered {status} in {seconds:.1f} s", status in (200, 204) and whole)

print(f"FIGURES peer {phase}" + (", then back" if phase == "hung" else ""))
for name, answers in figures.items():
    print(f"| {name} | " + " | ".join(f"{status} in {seconds:.2f} s" for status, seconds in answers) + " |")
sys.exit(1 if failed() else 0)
