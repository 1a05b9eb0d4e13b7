#!/usr/bin/python3
"""A real browser (Debian's Chromium, headless) against a running garage.

Usage: browser_test.py ENDPOINT ACCESS_KEY SECRET_KEY REGION WORK_DIR
Prints one line per check; exits non-zero if any failed.

POST Object (issue 13 point 4): an HTML form with a policy signed by boto3, its file chosen
through the page's file input, submitted by Chromium itself: the multipart body is the
browser's own encoding, not a client library's.
"""
import hashlib
import html
import json
import os
import subprocess
import sys

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError

endpoint, access_key, secret_key, region, work = sys.argv[1:6]
failures = []
CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_S = 60


def check(name, cond):
    print(("ok   " if cond else "FAIL ") + name, flush=True)
    if not cond:
        failures.append(name)


def browse(page):
    """Opens `page` in headless Chromium until it settles; returns the final page's DOM."""
    out = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--user-data-dir=" + os.path.join(work, "chromium-profile"),
                          "--virtual-time-budget=15000", "--dump-dom", "file://" + page],
                         capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S)
    return out.stdout


s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                  region_name=region, config=Config(s3={"addressing_style": "path"}))
bucket = "browser-forms"
s3.create_bucket(Bucket=bucket)

# The page: the signed fields as hidden inputs, then the file input (last, as S3 requires). The
# script puts a file into the input as a user's choice would (DataTransfer) and submits the form.
content = "hello from a browser form \u2603\n" * 1000
post = s3.generate_presigned_post(
    Bucket=bucket, Key="from-browser/${filename}",
    Fields={"success_action_status": "201", "x-amz-meta-via": "chromium"},
    Conditions=[{"success_action_status": "201"}, {"x-amz-meta-via": "chromium"},
                ["starts-with", "$Content-Type", "text/"], ["content-length-range", 1, 1 << 20]],
    ExpiresIn=600)
inputs = "\n".join('<input type="hidden" name="%s" value="%s">' % (html.escape(k), html.escape(v))
                   for k, v in post["fields"].items())


def upload_page(name, tamper=""):
    page = os.path.join(work, name)
    with open(page, "w") as f:
        f.write("""<!doctype html><meta charset="utf-8"><title>upload</title>
<form id="f" method="post" enctype="multipart/form-data" action="%s">
%s
<input type="text" name="Content-Type" value="text/plain">
<input type="file" name="file" id="file">
</form>
<script>
const file = new File([%s], "notes.txt", {type: "text/plain"});
const chosen = new DataTransfer();
chosen.items.add(file);
document.getElementById("file").files = chosen.files;
%s
document.getElementById("f").submit();
</script>
""" % (html.escape(post["url"]), inputs, json.dumps(content), tamper))
    return page



# The form's Content-Type field needs a condition too: the policy above allows text/*.
dom = browse(upload_page("upload.html"))
check("Chromium submitted the form and shows the PostResponse", "from-browser/notes.txt" in dom)
try:
    got = s3.get_object(Bucket=bucket, Key="from-browser/notes.txt")
    data = got["Body"].read()
    check("the browser's upload is stored byte for byte (UTF-8 text, %d bytes)" % len(data),
          data == content.encode() and got["ETag"] == '"%s"' % hashlib.md5(data).hexdigest())
    check("... with the form's Content-Type and metadata",
          got["ContentType"] == "text/plain" and got["Metadata"] == {"via": "chromium"})
    s3.delete_object(Bucket=bucket, Key="from-browser/notes.txt")
except ClientError as e:
    check("the browser's upload is stored (%s)" % e.response["Error"]["Code"], False)
# The same form with a field changed in the page after signing: refused, nothing stored.
dom = browse(upload_page("tampered.html", 'document.getElementsByName("x-amz-meta-via")[0].value = "mallory";'))
check("a form changed after signing is refused (AccessDenied shown)", "AccessDenied" in dom)
try:
    s3.head_object(Bucket=bucket, Key="from-browser/notes.txt")
    check("... and nothing is stored", False)
except ClientError as e:
    check("... and nothing is stored", e.response["Error"]["Code"] == "404")
s3.delete_bucket(Bucket=bucket)

print("browser: %d failed" % len(failures))
sys.exit(1 if failures else 0)
