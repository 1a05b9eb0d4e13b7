#!/usr/bin/python3
"""Security regressions of issue 9, against a real `garage server` (tests/s3_clients_test.sh,
section "security"). Requests are signed by botocore's SigV4 signer, then altered the way an
attacker holding a captured request would: a body swapped under its signed hash, a header added
outside SignedHeaders. Each check names the numbered point of issue 9 it guards.

  security_test.py ENDPOINT KEY_ID SECRET REGION GARAGE_CLI...   (the CLI command line, for
                                                                   key and bucket admin)
"""
import base64
import hashlib
import http.client
import re
import subprocess
import sys
import urllib.parse

import boto3
from botocore.auth import SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from check_lib import check, failed

endpoint, key_id, secret, region = sys.argv[1:5]
cli = sys.argv[5:]
host = urllib.parse.urlparse(endpoint).netloc


def client(kid=key_id, sec=secret):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=kid, aws_secret_access_key=sec,
                        region_name=region, config=Config(s3={"addressing_style": "path"},
                                                          retries={"max_attempts": 1}))


def signed(method, path, body=b"", headers=None, kid=key_id, sec=secret):
    """A request signed over `body` with its SHA-256 in x-amz-content-sha256."""
    h = {"x-amz-content-sha256": hashlib.sha256(body).hexdigest()}
    h.update(headers or {})
    req = AWSRequest(method=method, url=endpoint + path, data=body, headers=h)
    SigV4Auth(Credentials(kid, sec), "s3", region).add_auth(req)
    return dict(req.headers.items())


def send(method, path, headers, body=b""):
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data.decode("utf-8", "replace")


def code_of(body):
    m = re.search(r"<Code>([^<]*)</Code>", body)
    return m.group(1) if m else ""


def garage(*args):
    return subprocess.run(cli + list(args), capture_output=True, text=True, timeout=60)


def section(run):
    """Runs one numbered point's checks; an exception fails that point, not the rest."""
    try:
        run()
    except Exception as e:  # noqa: BLE001 (any failure of a section is that section's)
        check(f"{run.__name__}: ran to its end", False, f"{type(e).__name__}: {e}")
    return run


s3 = client()
bucket = "security"
s3.create_bucket(Bucket=bucket)

# ---- 2. Secrets and ids come from the OS's generator: well-formed, full length, distinct.
@section
def point_2():
    made = [garage("key", "create", f"entropy-{i}").stdout for i in range(3)]
    ids = [re.search(r"Key ID: (\S+)", m).group(1) for m in made]
    secrets = [re.search(r"Secret key: (\S+)", m).group(1) for m in made]
    check("2: key ids are GK and 96 random bits", all(re.fullmatch(r"GK[0-9a-f]{24}", i) for i in ids), ids)
    check("2: secrets are 256 random bits", all(re.fullmatch(r"[0-9a-f]{64}", s) for s in secrets))
    check("2: no two alike", len(set(ids)) == 3 and len(set(secrets)) == 3)
    uploads = [s3.create_multipart_upload(Bucket=bucket, Key="u")["UploadId"] for _ in range(3)]
    check("2: upload ids are 128 bits, distinct", len(set(uploads)) == 3 and all(len(u) == 32 for u in uploads), uploads)
    for u in uploads:
        s3.abort_multipart_upload(Bucket=bucket, Key="u", UploadId=u)
    for i in range(3):
        garage("key", "delete", f"entropy-{i}")


# ---- 3. A body swapped under its signed hash has no effect, whatever the endpoint.
@section
def point_3():
    s3.put_object(Bucket=bucket, Key="keep-me", Body=b"precious")
    s3.put_object(Bucket=bucket, Key="victim", Body=b"precious")
    delete_keep = b'<Delete><Object><Key>keep-me</Key></Object></Delete>'
    delete_victim = b'<Delete><Object><Key>victim</Key></Object></Delete>'
    md5 = {"content-md5": base64.b64encode(hashlib.md5(delete_keep).digest()).decode()}
    h = signed("POST", f"/{bucket}?delete", delete_keep, md5)
    h["Content-Length"] = str(len(delete_victim))
    status, body = send("POST", f"/{bucket}?delete", h, delete_victim)
    check("3: DeleteObjects with a swapped body is refused", status == 400 and code_of(body) == "XAmzContentSHA256Mismatch",
          f"{status} {body[:200]}")
    check("3: ... and deletes nothing", s3.head_object(Bucket=bucket, Key="victim")["ContentLength"] == 8)

    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"a" * 10)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=2, Body=b"b" * 10)["ETag"]
    one = f"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{e1}</ETag></Part></CompleteMultipartUpload>".encode()
    two = f"<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>{e2}</ETag></Part></CompleteMultipartUpload>".encode()
    path = f"/{bucket}/mp?uploadId={up}"
    h = signed("POST", path, one)
    h["Content-Length"] = str(len(two))
    status, body = send("POST", path, h, two)
    check("3: CompleteMultipartUpload with a swapped part list is refused",
          status == 400 and code_of(body) == "XAmzContentSHA256Mismatch", f"{status} {body[:200]}")
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=up)["Parts"]
    check("3: ... and the upload is still open with both parts", len(parts) == 2)
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=up)

    conf = f"<CreateBucketConfiguration><LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>".encode()
    other = b"<CreateBucketConfiguration><LocationConstraint>elsewhere</LocationConstraint></CreateBucketConfiguration>"
    h = signed("PUT", "/swapped-body", conf)
    h["Content-Length"] = str(len(other))
    status, body = send("PUT", "/swapped-body", h, other)
    check("3: CreateBucket with a swapped body is refused", status == 400, f"{status} {body[:200]}")
    check("3: ... and creates no bucket", "swapped-body" not in [b["Name"] for b in s3.list_buckets()["Buckets"]])

    h = signed("GET", f"/{bucket}/keep-me", b"")
    h["Content-Length"] = "5"
    status, body = send("GET", f"/{bucket}/keep-me", h, b"extra")
    check("3: a GET whose ignored body is not the signed one is refused", status == 400, f"{status}")


# ---- 4. Every x-amz-* header (and Content-MD5) must be signed, or the request is refused.
@section
def point_4():
    s3.put_object(Bucket=bucket, Key="source", Body=b"from the source")
    h = signed("PUT", f"/{bucket}/copied", b"")
    h["x-amz-copy-source"] = f"/{bucket}/source"
    status, body = send("PUT", f"/{bucket}/copied", h)
    check("4: an unsigned x-amz-copy-source is refused", status == 403, f"{status} {body[:200]}")
    try:
        s3.head_object(Bucket=bucket, Key="copied")
        check("4: ... and nothing was copied", False, "copied exists")
    except ClientError:
        check("4: ... and nothing was copied", True)
    h = signed("PUT", f"/{bucket}/meta", b"x")
    h["x-amz-meta-owner"] = "mallory"
    status, _ = send("PUT", f"/{bucket}/meta", h, b"x")
    check("4: unsigned x-amz-meta-* is refused", status == 403, status)
    h = signed("PUT", f"/{bucket}/md5", b"x")
    h["content-md5"] = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    status, _ = send("PUT", f"/{bucket}/md5", h, b"x")
    check("4: an unsigned Content-MD5 is refused", status == 403, status)
    h = signed("PUT", f"/{bucket}/signed-meta", b"x", {"x-amz-meta-owner": "alice"})
    status, _ = send("PUT", f"/{bucket}/signed-meta", h, b"x")
    check("4: the same header, signed, is accepted", status == 200, status)
    req = AWSRequest(method="GET", url=f"{endpoint}/{bucket}/source")
    S3SigV4QueryAuth(Credentials(key_id, secret), "s3", region, expires=300).add_auth(req)
    url = urllib.parse.urlparse(req.url)
    target = url.path + "?" + url.query
    status, _ = send("GET", target, {})
    check("4: a presigned GET works", status == 200, status)
    status, _ = send("GET", target, {"x-amz-server-side-encryption-customer-algorithm": "AES256"})
    check("4: a presigned GET with an unsigned x-amz-* header is refused", status == 403, status)


# ---- 5. Uploads are independent of the object's current version; Complete is idempotent.
@section
def point_5():
    key = "mpu-vs-put"
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"m" * 1000)["ETag"]
    s3.put_object(Bucket=bucket, Key=key, Body=b"plain put meanwhile")
    listed = [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])]
    check("5: a PUT of the key leaves its upload in progress", listed == [upload], listed)
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
    first = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload=parts)
    check("5: ... and its Complete succeeds", first["ETag"].endswith('-1"'), first)
    got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    check("5: the completed upload is the object now (newer than the PUT)", got == b"m" * 1000, got[:40])
    again = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload=parts)
    check("5: completing it again with the same parts answers the same ETag", again["ETag"] == first["ETag"],
          (again["ETag"], first["ETag"]))
    check("5: ... and changes nothing", s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"m" * 1000)
    other = {"Parts": [{"PartNumber": 1, "ETag": "\"" + "0" * 32 + "\""}]}
    try:
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload=other)
        check("5: completing it again with other parts is refused", False, "200")
    except ClientError as e:
        check("5: completing it again with other parts is refused", e.response["Error"]["Code"] == "NoSuchUpload",
              e.response["Error"]["Code"])
    try:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)
        check("5: a completed upload cannot be aborted", False, "204")
    except ClientError as e:
        check("5: a completed upload cannot be aborted", e.response["Error"]["Code"] == "NoSuchUpload",
              e.response["Error"]["Code"])
    check("5: no upload listed once completed", not s3.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads"))
    # Two uploads of one key, one PUT between: both complete, the later Complete wins.
    a = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    b = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    ea = s3.upload_part(Bucket=bucket, Key=key, UploadId=a, PartNumber=1, Body=b"A" * 10)["ETag"]
    eb = s3.upload_part(Bucket=bucket, Key=key, UploadId=b, PartNumber=1, Body=b"B" * 10)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=b, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": eb}]})
    s3.put_object(Bucket=bucket, Key=key, Body=b"between")
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=a, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": ea}]})
    check("5: of two uploads, the one completed last is the object",
          s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"A" * 10)


# ---- 6. DeleteBucket decides emptiness over live entries, whatever the tombstones before them.
@section
def point_6():
    s3.create_bucket(Bucket="tombstones")
    for i in range(70):
        s3.put_object(Bucket="tombstones", Key=f"a{i:03d}", Body=b"x")
        s3.delete_object(Bucket="tombstones", Key=f"a{i:03d}")
    s3.put_object(Bucket="tombstones", Key="z-live", Body=b"still here")
    try:
        s3.delete_bucket(Bucket="tombstones")
        check("6: a bucket with one live object after 70 tombstones is not deleted", False, "204")
    except ClientError as e:
        check("6: a bucket with one live object after 70 tombstones is not deleted",
              e.response["Error"]["Code"] == "BucketNotEmpty", e.response["Error"]["Code"])
    check("6: ... and the object is still there", s3.get_object(Bucket="tombstones", Key="z-live")["Body"].read() == b"still here")
    s3.delete_object(Bucket="tombstones", Key="z-live")
    pending = s3.create_multipart_upload(Bucket="tombstones", Key="unfinished")["UploadId"]
    s3.upload_part(Bucket="tombstones", Key="unfinished", UploadId=pending, PartNumber=1, Body=b"p" * 100)
    s3.delete_bucket(Bucket="tombstones")
    check("6: once empty it is deleted (an unfinished upload does not keep it)",
          "tombstones" not in [b["Name"] for b in s3.list_buckets()["Buckets"]])


# ---- 7. A deleted key loses every right; its id imported again starts with none.
@section
def point_7():
    made = garage("key", "create", "short-lived").stdout
    kid = re.search(r"Key ID: (\S+)", made).group(1)
    ksec = re.search(r"Secret key: (\S+)", made).group(1)
    garage("bucket", "allow", bucket, "--key", kid, "--read", "--write", "--owner")
    client(kid, ksec).put_object(Bucket=bucket, Key="by-short-lived", Body=b"x")
    garage("key", "delete", kid)
    info = garage("bucket", "info", bucket).stdout
    check("7: a deleted key is no longer listed on its buckets", kid not in info, info)
    garage("key", "import", "reborn", "--id", kid, "--secret", "s" * 40)
    try:
        client(kid, "s" * 40).get_object(Bucket=bucket, Key="by-short-lived")
        check("7: the re-imported id has no rights", False, "read allowed")
    except ClientError as e:
        check("7: the re-imported id has no rights", e.response["Error"]["Code"] == "AccessDenied", e.response["Error"]["Code"])
    check("7: key info shows no bucket", bucket not in garage("key", "info", kid).stdout)
    again = garage("key", "import", "twice", "--id", kid, "--secret", "t" * 40)
    check("7: importing an id that exists is refused", again.returncode != 0, again.stdout)


# ---- 9. Bad input gets S3's answer.
@section
def point_9():
    s3.put_object(Bucket=bucket, Key="ten", Body=b"0123456789")
    r = s3.get_object(Bucket=bucket, Key="ten", Range="bytes=0-18446744073709551615")
    check("9: a range ending past 2^64-1 is clamped", r["Body"].read() == b"0123456789" and
          r["ContentRange"] == "bytes 0-9/10", r.get("ContentRange"))
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    try:
        s3.get_object(Bucket=bucket, Key="empty", Range="bytes=-5")
        check("9: a suffix range of an empty object is InvalidRange", False, "served")
    except ClientError as e:
        check("9: a suffix range of an empty object is InvalidRange", e.response["Error"]["Code"] == "InvalidRange",
              e.response["Error"]["Code"])
    up = s3.create_multipart_upload(Bucket=bucket, Key="copied-part")["UploadId"]
    for bad, want in [("0-2", "InvalidArgument"), ("bytes=0", "InvalidArgument"), ("bytes=0-2,3-5", "InvalidArgument"),
                      ("bytes=5-10", "InvalidRange")]:
        try:
            s3.upload_part_copy(Bucket=bucket, Key="copied-part", UploadId=up, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "ten"}, CopySourceRange=bad)
            check(f"9: UploadPartCopy range {bad!r} is {want}", False, "accepted")
        except ClientError as e:
            check(f"9: UploadPartCopy range {bad!r} is {want}", e.response["Error"]["Code"] == want, e.response["Error"]["Code"])
    s3.abort_multipart_upload(Bucket=bucket, Key="copied-part", UploadId=up)
    try:
        s3.put_object(Bucket=bucket, Key="meta-bomb", Body=b"x", Metadata={f"m{i}": "v" * 10 for i in range(256)})
        check("9: 256 metadata headers are MetadataTooLarge", False, "accepted")
    except ClientError as e:
        check("9: 256 metadata headers are MetadataTooLarge (400, not a 503 to retry)",
              e.response["Error"]["Code"] == "MetadataTooLarge" and e.response["ResponseMetadata"]["HTTPStatusCode"] == 400,
              e.response["Error"]["Code"])
    # Raw signed requests: botocore validates some names itself and would answer for the server.
    for name in ["192.168.5.123", "a..b", "a.-b", "a-.b", "xn--abc"]:
        status, body = send("PUT", f"/{name}", signed("PUT", f"/{name}"))
        check(f"9: bucket name {name!r} is refused", status == 400 and code_of(body) == "InvalidBucketName",
              f"{status} {code_of(body)}")
        status, _ = send("HEAD", f"/{name}", signed("HEAD", f"/{name}"))
        check(f"9: ... and no bucket {name!r} exists", status == 404, status)
    bad_key = "/" + bucket + "/" + urllib.parse.quote(b"bad\xff\x01key")
    h = signed("PUT", bad_key, b"x")
    status, body = send("PUT", bad_key, h, b"x")
    check("9: a key that is not UTF-8 is refused with 400", status == 400, f"{status} {body[:120]}")
    status, body = send("GET", f"/{bucket}?list-type=2", signed("GET", f"/{bucket}?list-type=2"))
    import xml.dom.minidom
    try:
        xml.dom.minidom.parseString(body)
        check("9: the listing is well-formed XML", status == 200)
    except Exception as e:
        check("9: the listing is well-formed XML", False, str(e))
    for k in [" ", "\t"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"w")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": " "}, {"Key": "\t"}]})
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if o["Key"].strip() == ""]
    check("9: DeleteObjects deletes keys of only whitespace", left == [] and len(r.get("Deleted", [])) == 2, (left, r.get("Deleted")))


# ---- 10. Listings paginate: markers honoured, every page terminates.
@section
def point_10():
    s3.create_bucket(Bucket="uploads")
    made = set()
    for key in ["mp/a", "mp/b", "mp/b", "mp/c", "mp/d/x", "mp/d/y", "other"]:
        made.add((key, s3.create_multipart_upload(Bucket="uploads", Key=key)["UploadId"]))
    seen, pages, args = [], 0, {"Bucket": "uploads", "Prefix": "mp/", "MaxUploads": 2}
    while pages < 20:
        pages += 1
        r = s3.list_multipart_uploads(**args)
        seen += [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
        if not r["IsTruncated"]:
            break
        args["KeyMarker"], args["UploadIdMarker"] = r["NextKeyMarker"], r.get("NextUploadIdMarker", "")
    want = sorted(u for u in made if u[0].startswith("mp/"))
    check("10: ListMultipartUploads pages of 2 give every upload under the prefix once", sorted(seen) == want,
          (pages, seen))
    check("10: ... in 3 pages, and stop", pages == 3, pages)
    r = s3.list_multipart_uploads(Bucket="uploads", Prefix="mp/", Delimiter="/")
    check("10: a delimiter rolls mp/d/ up", [p["Prefix"] for p in r.get("CommonPrefixes", [])] == ["mp/d/"] and
          len(r.get("Uploads", [])) == 4, r.get("CommonPrefixes"))
    for key, upload in made:
        s3.abort_multipart_upload(Bucket="uploads", Key=key, UploadId=upload)
    check("10: none left once aborted", not s3.list_multipart_uploads(Bucket="uploads").get("Uploads"))


# ---- The one rights check (issue 10, point 4): a copy source is resolved as the request's own
# bucket is, local aliases included, and needs read access.
@section
def copy_sources():
    made = garage("key", "create", "copier").stdout
    kid = re.search(r"Key ID: (\S+)", made).group(1)
    ksec = re.search(r"Secret key: (\S+)", made).group(1)
    c = client(kid, ksec)
    s3.create_bucket(Bucket="copy-src")
    s3.put_object(Bucket="copy-src", Key="x", Body=b"source bytes " * 500)
    garage("bucket", "allow", bucket, "--key", kid, "--read", "--write")
    garage("bucket", "allow", "copy-src", "--key", kid, "--write")
    for what, call in [("CopyObject", lambda: c.copy_object(Bucket=bucket, Key="copied", CopySource="copy-src/x")),
                       ("UploadPartCopy", lambda: c.upload_part_copy(
                           Bucket=bucket, Key="copied-mp", PartNumber=1, CopySource="copy-src/x",
                           UploadId=c.create_multipart_upload(Bucket=bucket, Key="copied-mp")["UploadId"]))]:
        try:
            call()
            check(f"copy: {what} from a bucket the key may only write is refused", False, "allowed")
        except ClientError as e:
            check(f"copy: {what} from a bucket the key may only write is refused",
                  e.response["Error"]["Code"] == "AccessDenied", e.response["Error"]["Code"])
    garage("bucket", "allow", "copy-src", "--key", kid, "--read")
    garage("bucket", "alias", "copy-src", "mine", "--local", kid)
    c.copy_object(Bucket=bucket, Key="copied", CopySource="mine/x")
    check("copy: CopyObject reads a source named by the key's local alias",
          c.get_object(Bucket=bucket, Key="copied")["Body"].read() == b"source bytes " * 500)
    up = c.create_multipart_upload(Bucket=bucket, Key="copied-mp")["UploadId"]
    part = c.upload_part_copy(Bucket=bucket, Key="copied-mp", PartNumber=1, CopySource="mine/x", UploadId=up,
                              CopySourceRange="bytes=0-12")
    c.complete_multipart_upload(Bucket=bucket, Key="copied-mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    check("copy: UploadPartCopy reads a source named by the key's local alias",
          c.get_object(Bucket=bucket, Key="copied-mp")["Body"].read() == b"source bytes ")
    try:
        s3.copy_object(Bucket=bucket, Key="other", CopySource="mine/x")
        check("copy: another key does not see that alias", False, "copied")
    except ClientError as e:
        check("copy: another key does not see that alias", e.response["Error"]["Code"] == "NoSuchBucket",
              e.response["Error"]["Code"])
    for u in c.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        c.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
    garage("key", "delete", kid)



# ---- Browser uploads (POST Object): a form is bounded and signed like any request.
BOUNDARY = "----securitytestform"


def form(fields, data, filename="f.bin"):
    out = b""
    for k, v in fields.items():
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n\r\n'.encode()
    return out + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def post_form(bucket_name, body):
    return send("POST", f"/{bucket_name}", {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                                            "Content-Length": str(len(body))}, body)


def absent(bucket_name, key):
    try:
        s3.head_object(Bucket=bucket_name, Key=key)
        return False
    except ClientError as e:
        return e.response["Error"]["Code"] == "404"


@section
def post_forms():
    def signed_form(key, conditions=None, expires=600, c=s3, bucket_name=bucket):
        return c.generate_presigned_post(Bucket=bucket_name, Key=key, Conditions=conditions, ExpiresIn=expires)["fields"]

    fields = signed_form("posted")
    status, body = post_form(bucket, form(fields, b"ok"))
    check("POST: a signed form stores its file", status == 204 and not absent(bucket, "posted"), f"{status} {body[:200]}")
    padded = dict(fields)
    padded.update({f"x-ignore-{i}": "p" * 1000 for i in range(30)})
    status, body = post_form(bucket, form(padded, b"x"))
    check("POST: 30 KB of fields before the file: MaxPostPreDataLengthExceededError",
          status == 400 and code_of(body) == "MaxPostPreDataLengthExceededError", f"{status} {code_of(body)}")
    small = signed_form("too-big", [["content-length-range", 0, 1024]])
    status, body = post_form(bucket, form(small, b"z" * (1536 * 1024)))
    check("POST: a file past content-length-range is EntityTooLarge, nothing stored",
          status == 400 and code_of(body) == "EntityTooLarge" and absent(bucket, "too-big"), f"{status} {code_of(body)}")
    s3.create_bucket(Bucket="security-other")
    status, body = post_form("security-other", form(signed_form("elsewhere"), b"x"))
    check("POST: a form signed for one bucket is refused by another (its bucket condition)",
          status == 403 and code_of(body) == "AccessDenied" and absent("security-other", "elsewhere"),
          f"{status} {body[:200]}")
    s3.delete_bucket(Bucket="security-other")
    status, body = post_form(bucket, form(signed_form("late", expires=-60), b"x"))
    check("POST: an expired policy is refused", status == 403 and "expired" in body and absent(bucket, "late"),
          f"{status} {body[:200]}")
    made = garage("key", "create", "post-reader").stdout
    kid = re.search(r"Key ID: (\S+)", made).group(1)
    sec = re.search(r"Secret key: (\S+)", made).group(1)
    garage("bucket", "allow", bucket, "--key", "post-reader", "--read")
    status, body = post_form(bucket, form(signed_form("by-reader", c=client(kid, sec)), b"x"))
    check("POST: a form signed by a key that may only read is AccessDenied",
          status == 403 and code_of(body) == "AccessDenied" and absent(bucket, "by-reader"), f"{status} {code_of(body)}")
    garage("key", "delete", kid)
    status, body = post_form(bucket, form(signed_form("unknown", c=client("GK000000000000000000000000", sec)), b"x"))
    check("POST: an unknown key is InvalidAccessKeyId", status == 403 and code_of(body) == "InvalidAccessKeyId",
          f"{status} {code_of(body)}")
    split = dict(signed_form("split", [["starts-with", "$Content-Type", ""]]))
    split["Content-Type"] = "text/plain\r\nSet-Cookie: stolen=1"
    status, body = post_form(bucket, form(split, b"x"))
    check("POST: a field holding a line break (a header to smuggle) is refused, nothing stored",
          status == 400 and code_of(body) == "InvalidArgument" and absent(bucket, "split"), f"{status} {code_of(body)}")
    cut = form(signed_form("cut"), b"y" * 5000)[:-40]
    status, body = post_form(bucket, cut)
    check("POST: a form cut inside its file is MalformedPOSTRequest, nothing stored",
          status == 400 and code_of(body) == "MalformedPOSTRequest" and absent(bucket, "cut"), f"{status} {code_of(body)}")
    s3.delete_object(Bucket=bucket, Key="posted")


print(f"security_test: {failed()} failed")
sys.exit(1 if failed() else 0)
