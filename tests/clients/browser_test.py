#!/usr/bin/python3
"""A real browser (Debian's Chromium, headless) against a running garage.

Usage: browser_test.py ENDPOINT ACCESS_KEY SECRET_KEY REGION WORK_DIR WEB_PORT
Prints one line per check; exits non-zero if any failed. The website endpoint serves bucket b
at b.web.garage.localhost:WEB_PORT (Chromium maps *.localhost to loopback).

- POST Object (issue 13 point 4): an HTML form with a policy signed by boto3, its file chosen
  through the page's file input, submitted by Chromium itself: the multipart body is the
  browser's own encoding, not a client library's.
- A static site (issue 13 point 1): its index page, its error document and a routing rule's
  redirect, rendered by Chromium from the website endpoint, pixel for pixel as it renders the
  same files opened from disk.
- CORS (issue 13 point 2): a page of that site fetches and uploads objects on the S3 endpoint
  (another origin), a GET and a preflighted PUT: the browser lets the page read the answers
  only while the bucket's CORS rules allow the site's origin.
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

endpoint, access_key, secret_key, region, work, web_port = sys.argv[1:7]
failures = []
CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_S = 60


def check(name, cond):
    print(("ok   " if cond else "FAIL ") + name, flush=True)
    if not cond:
        failures.append(name)


def chromium(url, *flags):
    return subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--user-data-dir=" + os.path.join(work, "chromium-profile"),
                           "--virtual-time-budget=15000", *flags, url],
                          capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S)


def browse(url):
    """Opens `url` (a file name or a URL) in headless Chromium until it settles; the final DOM."""
    return chromium(url if "://" in url else "file://" + url, "--dump-dom").stdout


def screenshot(url, name):
    """Chromium's rendering of `url` (800x600) as PNG bytes ("" if it made none)."""
    path = os.path.join(work, name)
    chromium(url, "--window-size=800,600", "--hide-scrollbars", "--screenshot=" + path)
    if not os.path.exists(path):
        return b""
    with open(path, "rb") as f:
        return f.read()


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

# A static site, and its pages as Chromium renders them from disk and from the website endpoint.
site = "browser-site"
origin = "http://%s.web.garage.localhost:%s" % (site, web_port)
s3.create_bucket(Bucket=site)
pages = {
    "index.html": "<!doctype html><title>home</title><body style='background:#d8e8ff'><h1>Home</h1>"
                  "<p>served by garage</p><img src='dot.svg' width=64 height=64>",
    "dot.svg": "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 2 2'><circle cx='1' cy='1' r='1' fill='teal'/></svg>",
    "error.html": "<!doctype html><title>lost</title><body style='background:#ffe0d0'><h1>Not here</h1>",
    "documents/guide.html": "<!doctype html><title>guide</title><h1>The guide</h1>",
}
for name, text in pages.items():
    local = os.path.join(work, "site", name)
    os.makedirs(os.path.dirname(local), exist_ok=True)
    with open(local, "w") as f:
        f.write(text)
    s3.put_object(Bucket=site, Key=name, Body=text.encode(),
                  ContentType="image/svg+xml" if name.endswith(".svg") else "text/html")
s3.put_bucket_website(Bucket=site, WebsiteConfiguration={
    "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"},
    "RoutingRules": [{"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}}]})
home = screenshot(origin + "/", "home-served.png")
check("the site's / renders as its index.html does from disk (%d bytes of PNG)" % len(home),
      len(home) > 0 and home == screenshot("file://" + os.path.join(work, "site", "index.html"), "home-local.png"))
check("... and not as its error page does", home != screenshot("file://" + os.path.join(work, "site", "error.html"),
                                                                "error-local.png"))
check("a missing page renders as the error document",
      screenshot(origin + "/nope.html", "error-served.png") == screenshot(
          "file://" + os.path.join(work, "site", "error.html"), "error-local-2.png"))
check("the routing rule's redirect is followed to the guide", "The guide" in browse(origin + "/docs/guide.html"))

# CORS: a page of the site (origin above) reads and writes objects on the S3 endpoint.
data = "browser-data"
s3.create_bucket(Bucket=data)
s3.put_object(Bucket=data, Key="hello.txt", Body=b"hello, other origin", ContentType="text/plain")
get_url = s3.generate_presigned_url("get_object", Params={"Bucket": data, "Key": "hello.txt"}, ExpiresIn=600)
put_url = s3.generate_presigned_url("put_object", Params={"Bucket": data, "Key": "from-page.txt"}, ExpiresIn=600)
cors_page = """<!doctype html><title>cors</title><body>waiting<script>
async function run() {
  const out = [];
  try { const r = await fetch(%s); out.push("get:" + r.status + ":" + await r.text()); }
  catch (e) { out.push("get:blocked"); }
  try {
    const r = await fetch(%s, {method: "PUT", body: "written by a page", headers: {"X-Custom": "1"}});
    out.push("put:" + r.status);
  } catch (e) { out.push("put:blocked"); }
  document.body.textContent = "RESULT " + out.join(" ") + " END";
}
run();
</script>""" % (json.dumps(get_url), json.dumps(put_url))
s3.put_object(Bucket=site, Key="cors.html", Body=cors_page.encode(), ContentType="text/html")


def cors_result():
    dom = browse(origin + "/cors.html")
    start = dom.find("RESULT ")
    return dom[start + 7:dom.find(" END", start)] if start >= 0 else "no result: " + dom[:200]


def stored(key):
    try:
        return s3.get_object(Bucket=data, Key=key)["Body"].read()
    except ClientError:
        return None


got = cors_result()
check("without CORS rules the browser keeps the answers from the page (%s)" % got,
      got == "get:blocked put:blocked" and stored("from-page.txt") is None)
s3.put_bucket_cors(Bucket=data, CORSConfiguration={"CORSRules": [
    {"AllowedOrigins": ["http://elsewhere.example"], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"]}]})
got = cors_result()
check("a rule for another origin changes nothing (%s)" % got, got == "get:blocked put:blocked")
s3.put_bucket_cors(Bucket=data, CORSConfiguration={"CORSRules": [
    {"AllowedOrigins": ["http://*.web.garage.localhost:" + web_port], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["x-custom"], "MaxAgeSeconds": 0}]})
got = cors_result()
check("a rule for the site's origin: the page reads the GET and its preflighted PUT succeeds (%s)" % got,
      got == "get:200:hello, other origin put:200" and stored("from-page.txt") == b"written by a page")
s3.put_bucket_cors(Bucket=data, CORSConfiguration={"CORSRules": [
    {"AllowedOrigins": [origin], "AllowedMethods": ["GET"]}]})
s3.delete_object(Bucket=data, Key="from-page.txt")
got = cors_result()
check("GET allowed, PUT not: the preflight refuses the PUT, nothing stored (%s)" % got,
      got == "get:200:hello, other origin put:blocked" and stored("from-page.txt") is None)
for b, keys in ((data, ["hello.txt", "from-page.txt"]), (site, list(pages) + ["cors.html"])):
    for k in keys:
        s3.delete_object(Bucket=b, Key=k)
    s3.delete_bucket(Bucket=b)

print("browser: %d failed" % len(failures))
sys.exit(1 if failures else 0)
