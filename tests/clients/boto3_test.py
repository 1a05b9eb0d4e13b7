#!/usr/bin/python3
"""boto3 against a running garage: every S3 endpoint we serve, presigned URLs, listing corners.

Usage: boto3_test.py ENDPOINT ACCESS_KEY SECRET_KEY REGION
Prints one line per check; exits non-zero if any failed.
"""
import base64
import hashlib
import io
import os
import sys
import urllib.request
import urllib.error

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError

endpoint, access_key, secret_key, region = sys.argv[1:5]
failures = []


def check(name, cond):
    print(("ok   " if cond else "FAIL ") + name, flush=True)
    if not cond:
        failures.append(name)


def error_code(fn):
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def client(addressing="path", **kw):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                        region_name=region, config=Config(s3={"addressing_style": addressing}, **kw))


s3 = client()
bucket = "boto-test"
s3.create_bucket(Bucket=bucket)
check("CreateBucket, then HeadBucket", s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200)
check("CreateBucket again: BucketAlreadyOwnedByYou", error_code(lambda: s3.create_bucket(Bucket=bucket)) == "BucketAlreadyOwnedByYou")
check("ListBuckets lists it", bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]])
check("GetBucketLocation", s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") == region)
check("GetBucketVersioning: never enabled", "Status" not in s3.get_bucket_versioning(Bucket=bucket))
check("HeadBucket on a missing bucket: 404", error_code(lambda: s3.head_bucket(Bucket="no-such-bucket-here")) in ("404", "NoSuchBucket"))
check("invalid bucket name refused", error_code(lambda: s3.create_bucket(Bucket="Bad_Name")) == "InvalidBucketName")

# PutObject / GetObject / HeadObject with metadata and standard headers
body = b"hello garage " * 1000
s3.put_object(Bucket=bucket, Key="dir/hello.txt", Body=body, ContentType="text/plain", Metadata={"colour": "blue"},
              CacheControl="max-age=60", ContentDisposition="inline")
got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
check("GetObject returns the bytes", got["Body"].read() == body)
check("ETag is the MD5 of the body", got["ETag"] == '"%s"' % hashlib.md5(body).hexdigest())
check("Content-Type round-trips", got["ContentType"] == "text/plain")
check("x-amz-meta-* round-trips", got["Metadata"] == {"colour": "blue"})
check("Cache-Control round-trips", got.get("CacheControl") == "max-age=60")
head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
check("HeadObject: length", head["ContentLength"] == len(body))
check("GetObject on a missing key: NoSuchKey", error_code(lambda: s3.get_object(Bucket=bucket, Key="nope")) == "NoSuchKey")
check("HeadObject on a missing key: 404", error_code(lambda: s3.head_object(Bucket=bucket, Key="nope")) == "404")
check("NoSuchBucket", error_code(lambda: s3.get_object(Bucket="missing-bucket", Key="x")) == "NoSuchBucket")

# Ranges and conditions
check("Range bytes=0-4", s3.get_object(Bucket=bucket, Key="dir/hello.txt", Range="bytes=0-4")["Body"].read() == body[:5])
check("Range bytes=-6", s3.get_object(Bucket=bucket, Key="dir/hello.txt", Range="bytes=-6")["Body"].read() == body[-6:])
check("Range bytes=100-", s3.get_object(Bucket=bucket, Key="dir/hello.txt", Range="bytes=100-")["Body"].read() == body[100:])
check("Range past the end: InvalidRange",
      error_code(lambda: s3.get_object(Bucket=bucket, Key="dir/hello.txt", Range="bytes=999999-")) == "InvalidRange")
etag = head["ETag"]
check("If-Match (matching) serves", s3.get_object(Bucket=bucket, Key="dir/hello.txt", IfMatch=etag)["Body"].read() == body)
check("If-Match (other): PreconditionFailed",
      error_code(lambda: s3.get_object(Bucket=bucket, Key="dir/hello.txt", IfMatch='"abc"')) == "PreconditionFailed")
check("If-None-Match (matching): 304",
      error_code(lambda: s3.get_object(Bucket=bucket, Key="dir/hello.txt", IfNoneMatch=etag)) == "304")
check("If-Modified-Since (future): 304",
      error_code(lambda: s3.get_object(Bucket=bucket, Key="dir/hello.txt", IfModifiedSince=head["LastModified"])) == "304")
import datetime
past = head["LastModified"] - datetime.timedelta(days=1)
check("If-Unmodified-Since (past): PreconditionFailed",
      error_code(lambda: s3.get_object(Bucket=bucket, Key="dir/hello.txt", IfUnmodifiedSince=past)) == "PreconditionFailed")
r = s3.get_object(Bucket=bucket, Key="dir/hello.txt", ResponseContentType="application/x-test",
                  ResponseContentDisposition="attachment")
check("response-content-type override", r["ContentType"] == "application/x-test")
check("response-content-disposition override", r["ContentDisposition"] == "attachment")

# Larger objects (blocks), empty objects, unicode keys, virtual-host style
big = os.urandom(3 * 1024 * 1024 + 12345)
s3.put_object(Bucket=bucket, Key="big.bin", Body=big)
check("3 MiB object round-trips", s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == big)
check("range across a block boundary",
      s3.get_object(Bucket=bucket, Key="big.bin", Range="bytes=1048570-1048590")["Body"].read() == big[1048570:1048591])
s3.put_object(Bucket=bucket, Key="empty", Body=b"")
check("empty object", s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b"")
for key in ["unicode/é è ü 日本.txt", "odd/a+b=c&d", "odd/sp ace", "odd/per%cent", "odd/tilde~"]:
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    check("key %r round-trips" % key, s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode())
check("content-md5 checked (bad digest refused)",
      error_code(lambda: s3.put_object(Bucket=bucket, Key="md5", Body=b"x", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==")) in ("BadDigest", "InvalidDigest"))

# Checksums (boto3 sends them in headers here; the JS SDK test covers trailers)
for algo in ["CRC32", "CRC32C", "SHA1", "SHA256"]:
    try:
        s3.put_object(Bucket=bucket, Key="sum/" + algo, Body=b"checksummed", ChecksumAlgorithm=algo)
        ok = s3.get_object(Bucket=bucket, Key="sum/" + algo)["Body"].read() == b"checksummed"
    except ClientError as e:
        ok = False
        print("   ", e)
    check("PutObject with ChecksumAlgorithm=" + algo, ok)

# Presigned URLs
url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/hello.txt"}, ExpiresIn=300)
check("presigned GET", urllib.request.urlopen(url).read() == body)
put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned-put"}, ExpiresIn=300)
req = urllib.request.Request(put_url, data=b"via presigned put", method="PUT")
urllib.request.urlopen(req).read()
check("presigned PUT", s3.get_object(Bucket=bucket, Key="presigned-put")["Body"].read() == b"via presigned put")
tampered = url.replace("dir/hello.txt", "dir/other.txt")
try:
    urllib.request.urlopen(tampered)
    code = 200
except urllib.error.HTTPError as e:
    code = e.code
check("tampered presigned URL refused (403)", code == 403)

# CopyObject
s3.copy_object(Bucket=bucket, Key="copy.txt", CopySource={"Bucket": bucket, "Key": "dir/hello.txt"})
c = s3.get_object(Bucket=bucket, Key="copy.txt")
check("CopyObject copies bytes and metadata", c["Body"].read() == body and c["Metadata"] == {"colour": "blue"})
s3.copy_object(Bucket=bucket, Key="copy2.bin", CopySource={"Bucket": bucket, "Key": "big.bin"},
               MetadataDirective="REPLACE", Metadata={"new": "yes"}, ContentType="application/x-new")
c = s3.get_object(Bucket=bucket, Key="copy2.bin")
check("CopyObject REPLACE", c["Body"].read() == big and c["Metadata"] == {"new": "yes"} and c["ContentType"] == "application/x-new")
check("copy onto itself without REPLACE refused",
      error_code(lambda: s3.copy_object(Bucket=bucket, Key="copy.txt", CopySource={"Bucket": bucket, "Key": "copy.txt"})) == "InvalidRequest")
# Conditional copies: each x-amz-copy-source-if-* header, as S3 evaluates them (412 either way).
src = {"Bucket": bucket, "Key": "dir/hello.txt"}
src_etag = s3.head_object(**src)["ETag"]
long_ago = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
tomorrow = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
for what, extra, want in [("if-match", {"CopySourceIfMatch": src_etag}, None),
                          ("if-match other", {"CopySourceIfMatch": '"0"'}, "PreconditionFailed"),
                          ("if-none-match", {"CopySourceIfNoneMatch": src_etag}, "PreconditionFailed"),
                          ("if-modified-since past", {"CopySourceIfModifiedSince": long_ago}, None),
                          ("if-modified-since future", {"CopySourceIfModifiedSince": tomorrow}, "PreconditionFailed"),
                          ("if-unmodified-since past", {"CopySourceIfUnmodifiedSince": long_ago}, "PreconditionFailed"),
                          ("if-match wins over if-unmodified-since",
                           {"CopySourceIfMatch": src_etag, "CopySourceIfUnmodifiedSince": long_ago}, None)]:
    got = error_code(lambda: s3.copy_object(Bucket=bucket, Key="copy-cond.txt", CopySource=src, **extra))
    check(f"conditional copy: {what}", got == want)

# Multipart: create, upload parts (one copied from a range), list, complete; abort; errors
six = os.urandom(6 * 1024 * 1024)
s3.put_object(Bucket=bucket, Key="six.bin", Body=six)
part1 = os.urandom(5 * 1024 * 1024)
part3 = os.urandom(1000)
mpu = s3.create_multipart_upload(Bucket=bucket, Key="mpu.bin", ContentType="application/x-mpu")
uid = mpu["UploadId"]
e1 = s3.upload_part(Bucket=bucket, Key="mpu.bin", UploadId=uid, PartNumber=1, Body=part1)["ETag"]
e2 = s3.upload_part_copy(Bucket=bucket, Key="mpu.bin", UploadId=uid, PartNumber=2,
                         CopySource={"Bucket": bucket, "Key": "six.bin"}, CopySourceRange="bytes=1-5242880")["CopyPartResult"]["ETag"]
e3 = s3.upload_part(Bucket=bucket, Key="mpu.bin", UploadId=uid, PartNumber=3, Body=part3)["ETag"]
uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
check("ListMultipartUploads shows the upload", any(u["UploadId"] == uid for u in uploads))
parts = s3.list_parts(Bucket=bucket, Key="mpu.bin", UploadId=uid)["Parts"]
check("ListParts", [p["PartNumber"] for p in parts] == [1, 2, 3] and parts[0]["Size"] == len(part1))
check("CompleteMultipartUpload with a wrong ETag: InvalidPart",
      error_code(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mpu.bin", UploadId=uid, MultipartUpload={
          "Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})) == "InvalidPart")
check("parts out of order: InvalidPartOrder",
      error_code(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mpu.bin", UploadId=uid, MultipartUpload={
          "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})) == "InvalidPartOrder")
check("a small part before the last: EntityTooSmall",
      error_code(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mpu.bin", UploadId=uid, MultipartUpload={
          "Parts": [{"PartNumber": 3, "ETag": e3}, {"PartNumber": 4, "ETag": e3}]})) in ("EntityTooSmall", "InvalidPart"))
done = s3.complete_multipart_upload(Bucket=bucket, Key="mpu.bin", UploadId=uid, MultipartUpload={
    "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e3}]})
whole = part1 + six[1:5242881] + part3
md5s = b"".join(hashlib.md5(p).digest() for p in [part1, six[1:5242881], part3])
check("multipart ETag is md5-of-md5s-N", done["ETag"] == '"%s-3"' % hashlib.md5(md5s).hexdigest())
g = s3.get_object(Bucket=bucket, Key="mpu.bin")
check("multipart object reads back whole", g["Body"].read() == whole and g["ContentType"] == "application/x-mpu")
check("range inside part 2", s3.get_object(Bucket=bucket, Key="mpu.bin", Range="bytes=5242870-5242900")["Body"].read() == whole[5242870:5242901])
check("UploadPart to a completed upload: NoSuchUpload",
      error_code(lambda: s3.upload_part(Bucket=bucket, Key="mpu.bin", UploadId=uid, PartNumber=4, Body=b"x")) == "NoSuchUpload")
a = s3.create_multipart_upload(Bucket=bucket, Key="aborted.bin")["UploadId"]
s3.upload_part(Bucket=bucket, Key="aborted.bin", UploadId=a, PartNumber=1, Body=b"x" * 100)
s3.abort_multipart_upload(Bucket=bucket, Key="aborted.bin", UploadId=a)
check("aborted upload is gone", error_code(lambda: s3.list_parts(Bucket=bucket, Key="aborted.bin", UploadId=a)) == "NoSuchUpload")
check("aborted upload leaves no object", error_code(lambda: s3.head_object(Bucket=bucket, Key="aborted.bin")) == "404")

# Listing corners
lb = "boto-list"
s3.create_bucket(Bucket=lb)
keys = ["a/1", "a/2", "a/b/3", "b/4", "c", "d/5", "d/6", "e"]
for k in keys:
    s3.put_object(Bucket=lb, Key=k, Body=b"x")
r = s3.list_objects_v2(Bucket=lb)
check("ListObjectsV2: all keys in order", [o["Key"] for o in r["Contents"]] == sorted(keys) and r["KeyCount"] == 8)
r = s3.list_objects_v2(Bucket=lb, Delimiter="/")
check("delimiter: common prefixes", [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/", "d/"] and
      [o["Key"] for o in r["Contents"]] == ["c", "e"])
r = s3.list_objects_v2(Bucket=lb, Prefix="a/", Delimiter="/")
check("prefix + delimiter", [o["Key"] for o in r["Contents"]] == ["a/1", "a/2"] and
      [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/b/"])
seen, token, pages = [], None, 0
while True:
    kw = {"Bucket": lb, "MaxKeys": 3}
    if token:
        kw["ContinuationToken"] = token
    r = s3.list_objects_v2(**kw)
    pages += 1
    seen += [o["Key"] for o in r.get("Contents", [])]
    if not r["IsTruncated"]:
        break
    token = r["NextContinuationToken"]
check("max-keys + continuation tokens page through everything", seen == sorted(keys) and pages == 3)
r = s3.list_objects_v2(Bucket=lb, StartAfter="b/4")
check("start-after", [o["Key"] for o in r["Contents"]] == ["c", "d/5", "d/6", "e"])
r = s3.list_objects(Bucket=lb, Marker="c", MaxKeys=2)
check("ListObjects v1 marker + max-keys", [o["Key"] for o in r["Contents"]] == ["d/5", "d/6"] and r["IsTruncated"])
seen, marker = [], ""
while True:
    r = s3.list_objects(Bucket=lb, Marker=marker, MaxKeys=2, Delimiter="/")
    seen += [o["Key"] for o in r.get("Contents", [])] + [p["Prefix"] for p in r.get("CommonPrefixes", [])]
    if not r["IsTruncated"]:
        break
    marker = r.get("NextMarker") or seen[-1]
check("ListObjects v1 paging with a delimiter", sorted(seen) == ["a/", "b/", "c", "d/", "e"])
r = s3.list_objects_v2(Bucket=lb, MaxKeys=0)
check("max-keys=0", r["KeyCount"] == 0)
s3.put_object(Bucket=lb, Key="sp ace/ü", Body=b"x")
r = s3.list_objects_v2(Bucket=lb, Prefix="sp ace/", EncodingType="url")
# An explicit EncodingType leaves decoding to the caller (botocore decodes only when it chose it).
check("encoding-type=url", [o["Key"] for o in r["Contents"]] == ["sp%20ace/%C3%BC"])
r = s3.list_objects_v2(Bucket=lb, Prefix="sp ace/")
check("unicode key listed (botocore's own url encoding)", [o["Key"] for o in r["Contents"]] == ["sp ace/ü"])
check("prefix with no match", "Contents" not in s3.list_objects_v2(Bucket=lb, Prefix="zzz"))

# Deletes
s3.delete_object(Bucket=lb, Key="c")
check("DeleteObject", error_code(lambda: s3.head_object(Bucket=lb, Key="c")) == "404")
check("DeleteObject on a missing key succeeds", s3.delete_object(Bucket=lb, Key="never")["ResponseMetadata"]["HTTPStatusCode"] == 204)
r = s3.delete_objects(Bucket=lb, Delete={"Objects": [{"Key": k} for k in keys + ["sp ace/ü"]]})
check("DeleteObjects", len(r.get("Deleted", [])) == 9 and "Contents" not in s3.list_objects_v2(Bucket=lb))
check("DeleteBucket on a non-empty bucket: BucketNotEmpty", error_code(lambda: s3.delete_bucket(Bucket=bucket)) == "BucketNotEmpty")
s3.delete_bucket(Bucket=lb)
check("DeleteBucket", lb not in [b["Name"] for b in s3.list_buckets()["Buckets"]])

# CORS (issue 13 point 2): rules through boto3, a browser's preflight and its actual request
# through urllib (a preflight is never signed).
check("GetBucketCors without rules: NoSuchCORSConfiguration",
      error_code(lambda: s3.get_bucket_cors(Bucket=bucket)) == "NoSuchCORSConfiguration")
s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
    {"ID": "app", "AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["Content-Type", "x-amz-*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
check("PutBucketCors, then GetBucketCors gives the rule back",
      len(rules) == 1 and rules[0]["AllowedOrigins"] == ["https://app.example.com"] and
      rules[0]["AllowedMethods"] == ["GET", "PUT"] and rules[0]["MaxAgeSeconds"] == 600)
check("PutBucketCors with two wildcards in an origin: InvalidRequest",
      error_code(lambda: s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
          {"AllowedOrigins": ["https://*.*.example.com"], "AllowedMethods": ["GET"]}]})) == "InvalidRequest")


def raw(method, path, headers):
    req = urllib.request.Request(endpoint + path, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict((k.lower(), v) for k, v in r.headers.items())
    except urllib.error.HTTPError as e:
        return e.code, dict((k.lower(), v) for k, v in e.headers.items())


status, h = raw("OPTIONS", "/%s/dir/hello.txt" % bucket, {
    "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "content-type, x-amz-date"})
check("preflight allowed by the rule: 200 with its headers",
      status == 200 and h.get("access-control-allow-origin") == "https://app.example.com" and
      "PUT" in h.get("access-control-allow-methods", "") and h.get("access-control-max-age") == "600" and
      h.get("access-control-allow-headers") == "content-type, x-amz-date")
status, h = raw("OPTIONS", "/%s/dir/hello.txt" % bucket, {
    "Origin": "https://evil.example.com", "Access-Control-Request-Method": "PUT"})
check("preflight from another origin: 403, no CORS headers",
      status == 403 and "access-control-allow-origin" not in h)
status, h = raw("OPTIONS", "/%s/dir/hello.txt" % bucket, {
    "Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"})
check("preflight for a method the rule does not allow: 403", status == 403)
status, h = raw("OPTIONS", "/no-such-bucket-here/x", {
    "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
check("preflight on a missing bucket: 403 like a refusal", status == 403)
signed_get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/hello.txt"})
status, h = raw("GET", signed_get[len(endpoint):], {"Origin": "https://app.example.com"})
check("cross-origin GET allowed by the rule carries Access-Control-Allow-Origin and Expose-Headers",
      status == 200 and h.get("access-control-allow-origin") == "https://app.example.com" and
      h.get("access-control-expose-headers") == "ETag")
status, h = raw("GET", signed_get[len(endpoint):], {"Origin": "https://evil.example.com"})
check("cross-origin GET from another origin: served, without CORS headers (the browser hides it)",
      status == 200 and "access-control-allow-origin" not in h)
s3.delete_bucket_cors(Bucket=bucket)
check("DeleteBucketCors", error_code(lambda: s3.get_bucket_cors(Bucket=bucket)) == "NoSuchCORSConfiguration")
status, h = raw("OPTIONS", "/%s/dir/hello.txt" % bucket, {
    "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"})
check("preflight once the rules are gone: 403", status == 403)

# Website configuration (issue 13 point 1, its configuration part; the website endpoint that
# serves it is not there yet).
check("GetBucketWebsite without one: NoSuchWebsiteConfiguration",
      error_code(lambda: s3.get_bucket_website(Bucket=bucket)) == "NoSuchWebsiteConfiguration")
s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
    "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"},
    "RoutingRules": [{"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}}]})
site = s3.get_bucket_website(Bucket=bucket)
check("PutBucketWebsite, then GetBucketWebsite gives it back",
      site["IndexDocument"]["Suffix"] == "index.html" and site["ErrorDocument"]["Key"] == "404.html" and
      site["RoutingRules"][0]["Redirect"]["ReplaceKeyPrefixWith"] == "documents/")
check("PutBucketWebsite with a slash in the index suffix: InvalidArgument",
      error_code(lambda: s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
          "IndexDocument": {"Suffix": "a/index.html"}})) == "InvalidArgument")
s3.delete_bucket_website(Bucket=bucket)
check("DeleteBucketWebsite", error_code(lambda: s3.get_bucket_website(Bucket=bucket)) == "NoSuchWebsiteConfiguration")

# ACLs are read-only here: the asking key's own rights, in ACL words.
acl = s3.get_bucket_acl(Bucket=bucket)
check("GetBucketAcl: the key, FULL_CONTROL (it is an owner)",
      [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"] and acl["Owner"]["ID"] == access_key)
check("GetObjectAcl of an object", [g["Permission"] for g in s3.get_object_acl(Bucket=bucket, Key="dir/hello.txt")["Grants"]] == ["FULL_CONTROL"])
check("GetObjectAcl of a missing key: NoSuchKey", error_code(lambda: s3.get_object_acl(Bucket=bucket, Key="nope")) == "NoSuchKey")
check("PutBucketAcl with an ACL document: NotImplemented, not silently accepted",
      error_code(lambda: s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={
          "Owner": {"ID": access_key},
          "Grants": [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                      "Permission": "READ"}]})) == "NotImplemented")

# Checksums (issue 13 point 8, single PUTs): the checksum a PUT was sent with is stored, answered
# by PutObject, and by GET/HEAD with ChecksumMode=ENABLED (boto3 then checks the body against it).
payload = b"checksummed bytes " * 500
for algo in ["CRC32", "CRC32C", "SHA1", "SHA256"]:
    put = s3.put_object(Bucket=bucket, Key="sum-%s" % algo, Body=payload, ChecksumAlgorithm=algo)
    head = s3.head_object(Bucket=bucket, Key="sum-%s" % algo, ChecksumMode="ENABLED")
    got = s3.get_object(Bucket=bucket, Key="sum-%s" % algo, ChecksumMode="ENABLED")
    field = "Checksum" + algo
    check("PUT with %s: PutObject, HEAD and GET answer the same checksum" % algo,
          put.get(field) and head.get(field) == put[field] and got.get(field) == put[field] and
          got["Body"].read() == payload)
sha = base64.b64encode(hashlib.sha256(payload).digest()).decode()
check("the stored SHA256 is the body's", s3.head_object(Bucket=bucket, Key="sum-SHA256", ChecksumMode="ENABLED")
      .get("ChecksumSHA256") == sha)
ranged = s3.get_object(Bucket=bucket, Key="sum-SHA256", ChecksumMode="ENABLED", Range="bytes=0-9")
check("a ranged GET carries no whole-object checksum", "ChecksumSHA256" not in ranged and
      ranged["Body"].read() == payload[:10])
check("without ChecksumMode, HEAD answers no checksum",
      "x-amz-checksum-sha256" not in s3.head_object(Bucket=bucket, Key="sum-SHA256")["ResponseMetadata"]["HTTPHeaders"])
s3.copy_object(Bucket=bucket, Key="sum-copy", CopySource={"Bucket": bucket, "Key": "sum-SHA256"})
check("a copy keeps the checksum", s3.head_object(Bucket=bucket, Key="sum-copy", ChecksumMode="ENABLED")
      .get("ChecksumSHA256") == sha)
attrs = s3.get_object_attributes(Bucket=bucket, Key="sum-SHA256",
                                 ObjectAttributes=["ETag", "Checksum", "ObjectSize", "StorageClass", "ObjectParts"])
check("GetObjectAttributes: ETag, checksum, size, storage class",
      attrs.get("ETag") == hashlib.md5(payload).hexdigest() and attrs.get("Checksum", {}).get("ChecksumSHA256") == sha and
      attrs.get("ObjectSize") == len(payload) and attrs.get("StorageClass") == "STANDARD" and "ObjectParts" not in attrs)
check("GetObjectAttributes of an unknown attribute: InvalidArgument",
      error_code(lambda: s3.get_object_attributes(Bucket=bucket, Key="sum-SHA256", ObjectAttributes=["Colour"])) ==
      "InvalidArgument")
check("GetObjectAttributes of a missing key: NoSuchKey",
      error_code(lambda: s3.get_object_attributes(Bucket=bucket, Key="nope", ObjectAttributes=["ETag"])) == "NoSuchKey")
# GetObject/HeadObject by partNumber (as the SDKs' parallel downloaders fetch): the n-th part.
first_part, last_part = os.urandom(5 << 20), b"tail" * 250
mpu = s3.create_multipart_upload(Bucket=bucket, Key="parts.bin")
etags = [s3.upload_part(Bucket=bucket, Key="parts.bin", UploadId=mpu["UploadId"], PartNumber=n, Body=b)["ETag"]
         for n, b in [(1, first_part), (2, last_part)]]
s3.complete_multipart_upload(Bucket=bucket, Key="parts.bin", UploadId=mpu["UploadId"], MultipartUpload={
    "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
one = s3.get_object(Bucket=bucket, Key="parts.bin", PartNumber=1)
check("GetObject partNumber=1: the first part, the parts count, a content range",
      one["Body"].read() == first_part and one.get("PartsCount") == 2 and
      one.get("ContentRange") == "bytes 0-%d/%d" % (len(first_part) - 1, len(first_part) + len(last_part)))
two = s3.head_object(Bucket=bucket, Key="parts.bin", PartNumber=2)
check("HeadObject partNumber=2: the last part's length", two["ContentLength"] == len(last_part))
check("GetObject partNumber=2: its bytes", s3.get_object(Bucket=bucket, Key="parts.bin", PartNumber=2)["Body"].read() == last_part)
check("partNumber past the parts: InvalidPartNumber",
      error_code(lambda: s3.get_object(Bucket=bucket, Key="parts.bin", PartNumber=3)) == "InvalidPartNumber")
check("partNumber=1 of a single PUT: the whole object",
      s3.get_object(Bucket=bucket, Key="sum-SHA256", PartNumber=1)["Body"].read() == payload)
check("partNumber=2 of a single PUT: InvalidPartNumber",
      error_code(lambda: s3.get_object(Bucket=bucket, Key="sum-SHA256", PartNumber=2)) == "InvalidPartNumber")
s3.delete_object(Bucket=bucket, Key="parts.bin")

# Multipart checksums (COMPOSITE): each part's is checked and kept (UploadPart's answer, ListParts),
# and the object's is the checksum of the parts' checksums, "-2" (Complete, HEAD, attributes).
parts_data = [os.urandom(5 << 20), b"end" * 100]
mpu = s3.create_multipart_upload(Bucket=bucket, Key="summed-parts.bin", ChecksumAlgorithm="SHA256")
check("CreateMultipartUpload echoes its checksum algorithm", mpu.get("ChecksumAlgorithm") == "SHA256")
done_parts = []
for n, data in enumerate(parts_data, start=1):
    up = s3.upload_part(Bucket=bucket, Key="summed-parts.bin", UploadId=mpu["UploadId"], PartNumber=n, Body=data,
                        ChecksumAlgorithm="SHA256")
    done_parts.append({"PartNumber": n, "ETag": up["ETag"], "ChecksumSHA256": up.get("ChecksumSHA256")})
part_sums = [base64.b64encode(hashlib.sha256(d).digest()).decode() for d in parts_data]
check("UploadPart answers each part's checksum", [p["ChecksumSHA256"] for p in done_parts] == part_sums)
listed = s3.list_parts(Bucket=bucket, Key="summed-parts.bin", UploadId=mpu["UploadId"])["Parts"]
check("ListParts shows them", [p.get("ChecksumSHA256") for p in listed] == part_sums)
completed = s3.complete_multipart_upload(Bucket=bucket, Key="summed-parts.bin", UploadId=mpu["UploadId"],
                                         MultipartUpload={"Parts": done_parts})
composite = base64.b64encode(hashlib.sha256(b"".join(base64.b64decode(x) for x in part_sums)).digest()).decode() + "-2"
head = s3.head_object(Bucket=bucket, Key="summed-parts.bin", ChecksumMode="ENABLED")
check("the object's checksum is COMPOSITE: in Complete's answer and HEAD",
      completed.get("ChecksumSHA256") == composite and head.get("ChecksumSHA256") == composite and
      head["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "COMPOSITE")
check("GET with ChecksumMode of a composite checksum: the bytes",
      s3.get_object(Bucket=bucket, Key="summed-parts.bin", ChecksumMode="ENABLED")["Body"].read() == b"".join(parts_data))
s3.delete_object(Bucket=bucket, Key="summed-parts.bin")

# UploadPartCopy into an upload with a checksum algorithm: the copied part gets its checksum too,
# so the object still gets its composite one.
import zlib  # noqa: E402
source = os.urandom(6 << 20)
s3.put_object(Bucket=bucket, Key="copy-source.bin", Body=source)
mpu = s3.create_multipart_upload(Bucket=bucket, Key="copied-parts.bin", ChecksumAlgorithm="CRC32")
crc = lambda b: base64.b64encode(zlib.crc32(b).to_bytes(4, "big")).decode()  # noqa: E731
copied = s3.upload_part_copy(Bucket=bucket, Key="copied-parts.bin", UploadId=mpu["UploadId"], PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "copy-source.bin"},
                             CopySourceRange="bytes=0-%d" % ((5 << 20) - 1))["CopyPartResult"]
sent = s3.upload_part(Bucket=bucket, Key="copied-parts.bin", UploadId=mpu["UploadId"], PartNumber=2, Body=b"tail",
                      ChecksumAlgorithm="CRC32")
check("UploadPartCopy answers the CRC32 of the copied range", copied.get("ChecksumCRC32") == crc(source[:5 << 20]))
s3.complete_multipart_upload(Bucket=bucket, Key="copied-parts.bin", UploadId=mpu["UploadId"], MultipartUpload={
    "Parts": [{"PartNumber": 1, "ETag": copied["ETag"], "ChecksumCRC32": copied["ChecksumCRC32"]},
              {"PartNumber": 2, "ETag": sent["ETag"], "ChecksumCRC32": sent["ChecksumCRC32"]}]})
composite = base64.b64encode(zlib.crc32(base64.b64decode(crc(source[:5 << 20])) + base64.b64decode(crc(b"tail")))
                             .to_bytes(4, "big")).decode() + "-2"
check("... and the object made of a copied and a sent part has its composite CRC32",
      s3.head_object(Bucket=bucket, Key="copied-parts.bin", ChecksumMode="ENABLED").get("ChecksumCRC32") == composite)
for k in ("copy-source.bin", "copied-parts.bin"):
    s3.delete_object(Bucket=bucket, Key=k)

# The transfer manager as applications use it (boto3's defaults: CRC32 on CreateMultipartUpload,
# on every part and in Complete's part list), then downloaded in parallel ranges.
from boto3.s3.transfer import TransferConfig
big = os.urandom(12 << 20)
small_parts = TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20, max_concurrency=4)
s3.upload_fileobj(io.BytesIO(big), bucket, "managed.bin", Config=small_parts)
down = io.BytesIO()
s3.download_fileobj(bucket, "managed.bin", down, Config=small_parts)
check("upload_fileobj (3 parts with checksums) and download_fileobj round trip", down.getvalue() == big)
s3.delete_object(Bucket=bucket, Key="managed.bin")
for k in ["sum-CRC32", "sum-CRC32C", "sum-SHA1", "sum-SHA256", "sum-copy"]:
    s3.delete_object(Bucket=bucket, Key=k)

# Tags (issue 13 point 7): on PUT, read back, replaced, removed; on copy and multipart; on the bucket.
s3.put_object(Bucket=bucket, Key="tagged.txt", Body=b"tagged", Tagging="project=blue&team=a%20b")
check("PUT with Tagging: GetObjectTagging gives them back, in order",
      s3.get_object_tagging(Bucket=bucket, Key="tagged.txt")["TagSet"] ==
      [{"Key": "project", "Value": "blue"}, {"Key": "team", "Value": "a b"}])
check("GET of a tagged object: x-amz-tagging-count",
      s3.get_object(Bucket=bucket, Key="tagged.txt")["TagCount"] == 2)
check("HEAD of an untagged object: no tag count",
      "x-amz-tagging-count" not in s3.head_object(Bucket=bucket, Key="dir/hello.txt")["ResponseMetadata"]["HTTPHeaders"])
etag_before = s3.head_object(Bucket=bucket, Key="tagged.txt")["ETag"]
s3.put_object_tagging(Bucket=bucket, Key="tagged.txt", Tagging={"TagSet": [{"Key": "state", "Value": "done"}]})
check("PutObjectTagging replaces the set, and leaves the object as it was",
      s3.get_object_tagging(Bucket=bucket, Key="tagged.txt")["TagSet"] == [{"Key": "state", "Value": "done"}] and
      s3.get_object(Bucket=bucket, Key="tagged.txt")["Body"].read() == b"tagged" and
      s3.head_object(Bucket=bucket, Key="tagged.txt")["ETag"] == etag_before)
s3.copy_object(Bucket=bucket, Key="tagged-copy.txt", CopySource={"Bucket": bucket, "Key": "tagged.txt"})
check("CopyObject keeps the source's tags (COPY)",
      s3.get_object_tagging(Bucket=bucket, Key="tagged-copy.txt")["TagSet"] == [{"Key": "state", "Value": "done"}])
s3.copy_object(Bucket=bucket, Key="tagged-copy.txt", CopySource={"Bucket": bucket, "Key": "tagged.txt"},
               TaggingDirective="REPLACE", Tagging="copied=yes")
check("CopyObject with REPLACE takes the request's tags",
      s3.get_object_tagging(Bucket=bucket, Key="tagged-copy.txt")["TagSet"] == [{"Key": "copied", "Value": "yes"}])
s3.delete_object_tagging(Bucket=bucket, Key="tagged.txt")
check("DeleteObjectTagging: an empty set",
      s3.get_object_tagging(Bucket=bucket, Key="tagged.txt")["TagSet"] == [])
check("11 tags on an object: InvalidTag, nothing stored",
      error_code(lambda: s3.put_object(Bucket=bucket, Key="eleven.txt", Body=b"x",
                                       Tagging="&".join("k%d=v" % i for i in range(11)))) == "InvalidTag" and
      error_code(lambda: s3.head_object(Bucket=bucket, Key="eleven.txt")) == "404")
check("a key given twice: InvalidTag",
      error_code(lambda: s3.put_object_tagging(Bucket=bucket, Key="tagged.txt", Tagging={"TagSet": [
          {"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})) == "InvalidTag")
check("GetObjectTagging of a missing key: NoSuchKey",
      error_code(lambda: s3.get_object_tagging(Bucket=bucket, Key="nope")) == "NoSuchKey")
mpu = s3.create_multipart_upload(Bucket=bucket, Key="tagged-mpu.bin", Tagging="kind=multipart")
part = s3.upload_part(Bucket=bucket, Key="tagged-mpu.bin", UploadId=mpu["UploadId"], PartNumber=1, Body=b"p" * 1000)
s3.complete_multipart_upload(Bucket=bucket, Key="tagged-mpu.bin", UploadId=mpu["UploadId"],
                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
check("GetObjectAttributes of a multipart object: its parts count",
      s3.get_object_attributes(Bucket=bucket, Key="tagged-mpu.bin", ObjectAttributes=["ObjectParts", "ObjectSize"])
      .get("ObjectParts", {}).get("TotalPartsCount") == 1)
check("CreateMultipartUpload's Tagging goes to the completed object",
      s3.get_object_tagging(Bucket=bucket, Key="tagged-mpu.bin")["TagSet"] == [{"Key": "kind", "Value": "multipart"}])
check("GetBucketTagging without tags: NoSuchTagSet",
      error_code(lambda: s3.get_bucket_tagging(Bucket=bucket)) == "NoSuchTagSet")
s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "cost-center", "Value": "42"}]})
check("PutBucketTagging, then GetBucketTagging gives them back",
      s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "cost-center", "Value": "42"}])
s3.delete_bucket_tagging(Bucket=bucket)
check("DeleteBucketTagging", error_code(lambda: s3.get_bucket_tagging(Bucket=bucket)) == "NoSuchTagSet")
for k in ["tagged.txt", "tagged-copy.txt", "tagged-mpu.bin"]:
    s3.delete_object(Bucket=bucket, Key=k)

# Authentication failures
bad = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key="wrong" * 8,
                   region_name=region, config=Config(s3={"addressing_style": "path"}))
check("wrong secret: SignatureDoesNotMatch", error_code(lambda: bad.list_buckets()) == "SignatureDoesNotMatch")
unknown = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="GKnothere", aws_secret_access_key="x" * 40,
                       region_name=region, config=Config(s3={"addressing_style": "path"}))
check("unknown key: InvalidAccessKeyId", error_code(lambda: unknown.list_buckets()) == "InvalidAccessKeyId")
wrong_region = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                            region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
check("wrong region refused", error_code(lambda: wrong_region.list_buckets()) == "AuthorizationHeaderMalformed")
try:
    urllib.request.urlopen(endpoint + "/" + bucket + "/dir/hello.txt")
    code = 200
except urllib.error.HTTPError as e:
    code = e.code
check("anonymous GET refused (403)", code == 403)


# Public read buckets (issue 13 point 9): the canned ACL public-read lets anyone GET, HEAD and list.
def anonymous(method, path, data=None):
    req = urllib.request.Request(endpoint + path, method=method, data=data)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


pub = "boto-public"
s3.create_bucket(Bucket=pub, ACL="public-read")
s3.put_object(Bucket=pub, Key="avatar.png", Body=b"png bytes", ContentType="image/png")
check("CreateBucket with ACL public-read: anyone may GET an object",
      anonymous("GET", "/%s/avatar.png" % pub) == (200, b"png bytes"))
check("... and HEAD it", anonymous("HEAD", "/%s/avatar.png" % pub)[0] == 200)
status, listing = anonymous("GET", "/%s?list-type=2" % pub)
check("... and list the bucket", status == 200 and b"<Key>avatar.png</Key>" in listing)
check("... but not write to it", anonymous("PUT", "/%s/evil.txt" % pub, b"x")[0] == 403 and
      error_code(lambda: s3.head_object(Bucket=pub, Key="evil.txt")) == "404")
check("... nor delete from it", anonymous("DELETE", "/%s/avatar.png" % pub)[0] == 403 and
      anonymous("GET", "/%s/avatar.png" % pub)[0] == 200)
check("... nor read its configuration", anonymous("GET", "/%s?tagging" % pub)[0] == 403)
check("a missing key in a public bucket: 404", anonymous("GET", "/%s/nope" % pub)[0] == 404)
check("the private bucket beside it stays private", anonymous("GET", "/%s/dir/hello.txt" % bucket)[0] == 403)
grants = s3.get_bucket_acl(Bucket=pub)["Grants"]
check("GetBucketAcl shows the owner's FULL_CONTROL and AllUsers READ",
      [g["Permission"] for g in grants] == ["FULL_CONTROL", "READ"] and
      grants[1]["Grantee"].get("URI") == "http://acs.amazonaws.com/groups/global/AllUsers")
s3.put_bucket_acl(Bucket=pub, ACL="private")
check("PutBucketAcl private: anonymous GET refused again", anonymous("GET", "/%s/avatar.png" % pub)[0] == 403)
s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
check("PutBucketAcl public-read on an existing bucket", anonymous("GET", "/%s/dir/hello.txt" % bucket)[0] == 200)
s3.put_bucket_acl(Bucket=bucket, ACL="private")
check("PutBucketAcl public-read-write: NotImplemented, nothing changed",
      error_code(lambda: s3.put_bucket_acl(Bucket=pub, ACL="public-read-write")) == "NotImplemented" and
      anonymous("PUT", "/%s/evil.txt" % pub, b"x")[0] == 403)
check("CreateBucket with grants: NotImplemented, no bucket made",
      error_code(lambda: s3.create_bucket(Bucket="boto-granted", GrantRead="uri=http://acs.amazonaws.com/groups/global/AllUsers")) == "NotImplemented" and
      error_code(lambda: s3.head_bucket(Bucket="boto-granted")) in ("404", "NoSuchBucket"))
s3.delete_object(Bucket=pub, Key="avatar.png")
s3.delete_bucket(Bucket=pub)


# Browser uploads (POST Object, issue 13 point 4): boto3 signs a policy, requests posts the form as a
# browser would (the fields, then the file).
import requests  # noqa: E402 (Debian's python3-requests)

form_bucket = "boto-forms"
s3.create_bucket(Bucket=form_bucket)
url = endpoint + "/" + form_bucket


def presigned_post(key, fields=None, conditions=None):
    return s3.generate_presigned_post(Bucket=form_bucket, Key=key, Fields=fields, Conditions=conditions,
                                      ExpiresIn=600)


def post_form(post, data, filename="cat.png", **kw):
    fields = dict(post["fields"])
    fields.update(kw.pop("override", {}))
    return requests.post(post["url"], data=fields, files={"file": (filename, data, "image/png")}, **kw)


picture = os.urandom(3 * 1024 * 1024 + 17)  # several blocks
tags = "<Tagging>\n  <TagSet>\n    <Tag><Key>from</Key><Value>form</Value></Tag>\n  </TagSet>\n</Tagging>\n"
post = presigned_post("uploads/${filename}",
                      {"Content-Type": "image/png", "success_action_status": "201", "x-amz-meta-owner": "web",
                       "tagging": tags},
                      [{"Content-Type": "image/png"}, {"success_action_status": "201"}, {"x-amz-meta-owner": "web"},
                       {"tagging": tags}, ["content-length-range", 1, 8 * 1024 * 1024]])
r = post_form(post, picture)
check("POST upload: 201 with a PostResponse naming the key",
      r.status_code == 201 and "<Key>uploads/cat.png</Key>" in r.text and "<Bucket>boto-forms</Bucket>" in r.text)
got = s3.get_object(Bucket=form_bucket, Key="uploads/cat.png")
check("POST upload: the file's bytes, type, metadata and ETag are stored",
      got["Body"].read() == picture and got["ContentType"] == "image/png" and got["Metadata"] == {"owner": "web"} and
      got["ETag"] == '"%s"' % hashlib.md5(picture).hexdigest() and r.headers.get("ETag") == got["ETag"])
check("POST upload: the form's tagging document (on several lines) tags it",
      s3.get_object_tagging(Bucket=form_bucket, Key="uploads/cat.png")["TagSet"] == [{"Key": "from", "Value": "form"}])
check("POST upload past content-length-range: EntityTooLarge, nothing stored",
      post_form(post, os.urandom(8 * 1024 * 1024 + 1), filename="big.png").status_code == 400 and
      error_code(lambda: s3.head_object(Bucket=form_bucket, Key="uploads/big.png")) == "404")
r = post_form(post, b"x", override={"key": "elsewhere/cat.png"})
check("POST upload with a key the policy does not allow: 403, nothing stored",
      r.status_code == 403 and "AccessDenied" in r.text and
      error_code(lambda: s3.head_object(Bucket=form_bucket, Key="elsewhere/cat.png")) == "404")
r = post_form(post, b"x", override={"x-amz-meta-owner": "mallory"})
check("POST upload with a field changed after signing: 403", r.status_code == 403 and "Policy" in r.text)
r = post_form(post, b"x", override={"policy": base64.b64encode(b'{"expiration": "2099-01-01T00:00:00Z", '
                                                                  b'"conditions": []}').decode()})
check("POST upload with another policy: SignatureDoesNotMatch", r.status_code == 403 and "SignatureDoesNotMatch" in r.text)
plain = presigned_post("notes.txt", {"success_action_redirect": "https://example.com/done?x=1"},
                       [{"success_action_redirect": "https://example.com/done?x=1"}])
r = post_form(plain, b"some notes", allow_redirects=False)
check("POST upload with success_action_redirect: 303 to it with bucket, key and etag",
      r.status_code == 303 and r.headers["Location"].startswith("https://example.com/done?x=1&bucket=boto-forms&key=notes.txt&etag=") and
      s3.get_object(Bucket=form_bucket, Key="notes.txt")["Body"].read() == b"some notes")
r = post_form(presigned_post("empty-default.txt"), b"")
check("POST upload by default: 204, an empty file stored", r.status_code == 204 and
      s3.head_object(Bucket=form_bucket, Key="empty-default.txt")["ContentLength"] == 0)
r = requests.post(url, data={"key": "anon.txt"}, files={"file": ("a.txt", b"x")})
check("POST upload without a signature: 403", r.status_code == 403 and "AccessDenied" in r.text)
for k in ("uploads/cat.png", "notes.txt", "empty-default.txt"):
    s3.delete_object(Bucket=form_bucket, Key=k)
s3.delete_bucket(Bucket=form_bucket)

print("boto3: %d failed" % len(failures))
sys.exit(1 if failures else 0)
