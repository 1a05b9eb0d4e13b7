#!/usr/bin/python3
"""Issue 25, point 6: a listing costs the page plus a seek, however many keys were deleted.

  listing_cost_test.py ENDPOINT KEY_ID SECRET REGION DELETED

Also: a key holds at most 100 multipart uploads in progress (InvalidRequest past them), and
CreateMultipartUpload costs about the same near the cap as on a fresh key.

Fills one bucket with DELETED keys and deletes them all (their tombstones wait 24 h before
collection), leaves one live key after them, and times ListObjects (v1, v2) and
ListMultipartUploads with max-keys=1 there and in a bucket that never held more than its one
key. The requests are presigned once and sent over one kept-alive connection, alternating
between the two buckets, so the medians compare the server's work, not the client's. Checks
each median within 2x of the empty bucket's (issue 25: before, 5,000 deletes cost 53x), and
prints the figures for the README. scripts/bench_listing.sh runs it with 100,000 deletes.
"""
import concurrent.futures
import http.client
import statistics
import sys
import time
import urllib.parse

import boto3
from botocore.config import Config
from check_lib import check, failed

endpoint, key_id, secret, region, deleted = sys.argv[1:6]
deleted = int(deleted)


s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret,
                  region_name=region, config=Config(s3={"addressing_style": "path"}, max_pool_connections=32,
                                                    retries={"max_attempts": 3}))
s3.create_bucket(Bucket="listing-empty")
s3.create_bucket(Bucket="listing-churned")
s3.put_object(Bucket="listing-empty", Key="zz-live", Body=b"x")

started = time.monotonic()
keys = [f"k{i:07d}" for i in range(deleted)]
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(lambda k: s3.put_object(Bucket="listing-churned", Key=k, Body=b""), keys))
for i in range(0, len(keys), 1000):
    batch = [{"Key": k} for k in keys[i:i + 1000]]
    reply = s3.delete_objects(Bucket="listing-churned", Delete={"Objects": batch, "Quiet": True})
    check(f"DeleteObjects of keys {i}..{i + len(batch) - 1}", not reply.get("Errors"), reply.get("Errors"))
s3.put_object(Bucket="listing-churned", Key="zz-live", Body=b"x")
print(f"figure: {deleted} keys written and deleted in {time.monotonic() - started:.0f} s")

listed = s3.list_objects_v2(Bucket="listing-churned", MaxKeys=1)
check("the churned bucket lists its one live key", [o["Key"] for o in listed.get("Contents", [])] == ["zz-live"],
      listed.get("Contents"))
check("and nothing more", not listed["IsTruncated"])
everything = s3.list_objects_v2(Bucket="listing-churned")
check("a full listing holds the live key only", [o["Key"] for o in everything.get("Contents", [])] == ["zz-live"])


def presigned(op, bucket):
    params = {"Bucket": bucket}
    if op == "list_multipart_uploads":
        params["MaxUploads"] = 1
    else:
        params["MaxKeys"] = 1
    return s3.generate_presigned_url(op, Params=params, ExpiresIn=3600)


host = urllib.parse.urlparse(endpoint)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)


def timed_get(url):
    u = urllib.parse.urlparse(url)
    t0 = time.perf_counter()
    conn.request("GET", u.path + "?" + u.query)
    r = conn.getresponse()
    body = r.read()
    elapsed = time.perf_counter() - t0
    if r.status != 200:
        raise RuntimeError(f"{r.status}: {body[:200]!r}")
    return elapsed


rounds = 300
for op in ["list_objects_v2", "list_objects", "list_multipart_uploads"]:
    urls = {b: presigned(op, b) for b in ["listing-empty", "listing-churned"]}
    times = {b: [] for b in urls}
    for _ in range(20):  # warm up; the first scans over the deletes also have them compacted away
        for b, url in urls.items():
            timed_get(url)
    time.sleep(6)  # at most one compaction per 5 s (store/rocks_kv.h): the deletes' may still wait
    for _ in range(rounds):
        for b, url in urls.items():
            times[b].append(timed_get(url))
    empty = statistics.median(times["listing-empty"]) * 1000
    churned = statistics.median(times["listing-churned"]) * 1000
    print(f"figure: {op} max-keys=1: empty bucket {empty:.3f} ms, after {deleted} deletes {churned:.3f} ms "
          f"({churned / empty:.2f}x)")
    check(f"{op} after {deleted} deletes within 2x of an empty bucket", churned <= 2 * empty,
          f"{churned:.3f} ms vs {empty:.3f} ms")

# Uploads of one key live in its one entry: at most 100 in progress, then InvalidRequest until
# one ends, and a create costs about the same at the cap as on a fresh key.
def create_upload(key):
    t0 = time.perf_counter()
    upload_id = s3.create_multipart_upload(Bucket="listing-empty", Key=key)["UploadId"]
    return upload_id, time.perf_counter() - t0


first_ms = statistics.median([create_upload(f"fresh-{i}")[1] for i in range(20)]) * 1000
ids = [create_upload("crowded")[0] for _ in range(95)]
timed = [create_upload("crowded") for _ in range(5)]  # the 96th to the 100th
ids += [upload_id for upload_id, _ in timed]
last_ms = statistics.median([elapsed for _, elapsed in timed]) * 1000
try:
    create_upload("crowded")
    check("the 101st upload of one key is refused", False, "it was accepted")
except s3.exceptions.ClientError as e:
    err = e.response["Error"]
    check("the 101st upload of one key is refused with 400 InvalidRequest",
          e.response["ResponseMetadata"]["HTTPStatusCode"] == 400 and err["Code"] == "InvalidRequest", err)
s3.abort_multipart_upload(Bucket="listing-empty", Key="crowded", UploadId=ids[0])
try:
    create_upload("crowded")
    check("once one is aborted, an upload of the key can begin again", True)
except s3.exceptions.ClientError as e:
    check("once one is aborted, an upload of the key can begin again", False, e.response["Error"])
uploads = s3.list_multipart_uploads(Bucket="listing-empty", Prefix="crowded")
check("ListMultipartUploads shows the key's 100 uploads", len(uploads.get("Uploads", [])) == 100,
      len(uploads.get("Uploads", [])))
print(f"figure: CreateMultipartUpload on a fresh key {first_ms:.1f} ms, with 95-99 uploads of the key open "
      f"{last_ms:.1f} ms")

sys.exit(1 if failed() else 0)
