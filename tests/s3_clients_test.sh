#!/usr/bin/env bash
# Real S3 clients against a real `garage server` (one node, RF 1, on loopback): awscli (s3 and
# s3api, a 100 MiB multipart upload, a recursive sync), boto3 (tests/clients/boto3_test.py:
# every endpoint, presigned URLs, listing corners), s3cmd and rclone (copy, sync, check), and
# the AWS SDK for JavaScript v3 (tests/clients/js, which sends CRC32 checksums in trailers), and
# a browser (Chromium, headless: tests/clients/browser_test.py submits a signed upload form).
# The clients come from Debian's packages and npm (scripts/install-deps.sh, scripts/npm-deps.sh).
#
# curl's own SigV4 signing (--aws-sigv4) covers virtual-host-style addressing (root_domain),
# with the bucket's host name resolved to loopback by --resolve.
#
#   tests/s3_clients_test.sh BUILD_DIR [SECTION ...]     sections: awscli boto3 s3cmd rclone js curl website browser
#                                                        security, bounds, crash, listing (alone:
#                                                        s3_security, s3_bounds, s3_crash, s3_listing;
#                                                        crash restarts the node)
#   LISTING_DELETES=N: how many keys the listing section deletes first (default 5,000).
#   KEEP_WORK=1 keeps the work folder (config, node1.log, client logs) for a look afterwards.
set -uo pipefail

build=${1:?usage: s3_clients_test.sh BUILD_DIR [SECTION ...]}
shift
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(awscli boto3 s3cmd rclone js curl website browser)
source "$(dirname "$0")/lib/nodes.sh"

# The bounds section opens 400+ connections: room for them on machines whose default is 1024.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
region=garage
web_port=$(free_port)
s3_extra="root_domain = \".s3.garage.localhost\"
max_connections = 400
[s3_web]
bind_addr = \"127.0.0.1:$web_port\"
root_domain = \".web.garage.localhost\""
make_nodes 1 1
conf=$work/node1/garage.toml
log=$work/node1.log
s3_port=$(s3p 1)
start node1
for _ in $(seq 100); do G status >/dev/null 2>&1 && break; sleep 0.1; done
G layout assign "$(G node id | cut -c1-16)" -z local -c 10G >/dev/null
G layout apply --version 1 >/dev/null
for _ in $(seq 100); do G key list >/dev/null 2>&1 && break; sleep 0.1; done
created=$(G key create clients)
key_id=$(awk '/Key ID:/ {print $3}' <<<"$created")
secret=$(awk '/Secret key:/ {print $3}' <<<"$created")
key_printed() { [ -n "$key_id" ] && [ -n "$secret" ]; }
check "garage key create prints an id and a secret" key_printed
quiet_ok() { "$@" >/dev/null 2>&1; }
check "a new key may not create buckets" grep -q "Can create buckets: no" <<<"$created"
check "garage key allow --create-bucket" quiet_ok G key allow --create-bucket clients
check "garage key info shows it" grep -q "Can create buckets: yes" <<<"$(G key info clients)"
check "garage bucket create" quiet_ok G bucket create shared
check "garage bucket allow --read --write --owner" quiet_ok G bucket allow shared --key clients --read --write --owner
check "garage bucket info lists the key's rights" grep -q "RWO" <<<"$(G bucket info shared)"
check "garage key info lists the bucket" grep -q "shared" <<<"$(G key info clients)"
endpoint=http://127.0.0.1:$s3_port
export AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=$region
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

same() { cmp -s "$1" "$2"; }
mkdir -p "$work/files/sub/deeper"
head -c 100000 /dev/urandom > "$work/files/a.bin"
echo "small" > "$work/files/sub/b.txt"
head -c 3000000 /dev/urandom > "$work/files/sub/deeper/c.bin"

for section in "${sections[@]}"; do
  echo "== $section"
  case $section in
  awscli)
    aws() { /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
    head -c $((100 * 1024 * 1024)) /dev/urandom > "$work/big"
    check "awscli: s3 cp of 100 MiB (multipart)" quiet_ok aws s3 cp "$work/big" s3://shared/big --no-progress
    check "awscli: it is a multipart object" grep -q '"PartsCount"' <<<"$(aws s3api head-object --bucket shared --key big)"
    check "awscli: s3 cp back, identical" bash -c "/usr/bin/aws --endpoint-url $endpoint s3 cp s3://shared/big $work/big.back --no-progress >/dev/null && cmp -s $work/big $work/big.back"
    rm -f "$work/big" "$work/big.back"
    # `garage bucket website` writes what GetBucketWebsite answers.
    check "garage bucket website --allow" quiet_ok G bucket website shared --allow --index-document home.html
    check "garage bucket info shows the website" grep -q "Website: enabled (index document home.html)" <<<"$(G bucket info shared)"
    check "awscli: put-bucket-cors" quiet_ok aws s3api put-bucket-cors --bucket shared \
      --cors-configuration '{"CORSRules":[{"AllowedOrigins":["https://app.example"],"AllowedMethods":["GET"]}]}'
    check "garage bucket info shows the CORS rule" grep -q "  GET from https://app.example" <<<"$(G bucket info shared)"
    check "awscli: delete-bucket-cors" quiet_ok aws s3api delete-bucket-cors --bucket shared
    check "awscli: get-bucket-website shows its index document" \
      grep -q '"Suffix": "home.html"' <<<"$(aws s3api get-bucket-website --bucket shared 2>&1)"
    check "garage bucket website --deny" quiet_ok G bucket website shared --deny
    check "awscli: get-bucket-website: none" grep -q NoSuchWebsiteConfiguration <<<"$(aws s3api get-bucket-website --bucket shared 2>&1)"
    check "awscli: s3 sync (recursive)" quiet_ok aws s3 sync "$work/files" s3://shared/synced
    check "awscli: s3 ls --recursive lists the 3 files" [ "$(aws s3 ls --recursive s3://shared/synced/ | wc -l)" = 3 ]
    check "awscli: a second sync uploads nothing" [ -z "$(aws s3 sync "$work/files" s3://shared/synced)" ]
    mkdir -p "$work/down"
    check "awscli: s3 sync back" quiet_ok aws s3 sync s3://shared/synced "$work/down"
    check "awscli: synced tree identical" diff -r "$work/files" "$work/down"
    check "awscli: s3api put-object with metadata" quiet_ok aws s3api put-object --bucket shared --key meta.txt --body "$work/files/sub/b.txt" --metadata k=v --content-type text/x-test
    check "awscli: s3api head-object shows it" grep -q '"k": "v"' <<<"$(aws s3api head-object --bucket shared --key meta.txt)"
    check "awscli: s3 rm --recursive" quiet_ok aws s3 rm --recursive s3://shared/synced
    check "awscli: nothing left under synced/" [ -z "$(aws s3 ls --recursive s3://shared/synced/)" ]
    check "garage bucket alias --local gives the key its own name" quiet_ok G bucket alias shared mine --local clients
    check "awscli: the local alias lists the bucket's objects" grep -q "meta.txt" <<<"$(aws s3 ls s3://mine/)"
    check "awscli: ListBuckets shows the local alias" grep -q " mine$" <<<"$(aws s3 ls)"
    check "garage bucket unalias --local" quiet_ok G bucket unalias mine --local clients
    check "awscli: the alias is gone" bash -c "! /usr/bin/aws --endpoint-url $endpoint s3 ls s3://mine/ >/dev/null 2>&1"
    check "garage bucket alias (global)" quiet_ok G bucket alias shared everyone
    check "awscli: the global alias works" grep -q "meta.txt" <<<"$(aws s3 ls s3://everyone/)"
    G key deny --create-bucket clients >/dev/null
    check "awscli: s3 mb refused (AccessDenied) once the key may not create buckets" grep -q "AccessDenied" \
      <<<"$(/usr/bin/aws --endpoint-url "$endpoint" s3 mb s3://not-allowed 2>&1)"
    G key allow --create-bucket clients >/dev/null
    check "awscli: s3 mb / rb" quiet_ok bash -c "/usr/bin/aws --endpoint-url $endpoint s3 mb s3://made-by-cli && /usr/bin/aws --endpoint-url $endpoint s3 rb s3://made-by-cli"
    ;;
  bounds)
    # Issue 9, point 8 (tests/http_bounds_test.py): connection limit, idle and stalled clients.
    if /usr/bin/python3 "$src/tests/http_bounds_test.py" "$endpoint" "$key_id" "$secret" "$region" "${pid_of[node1]}" 400 \
      > "$work/bounds.log" 2>&1; then
      check "bounds: $(grep -c '^ok' "$work/bounds.log") checks" true
    else
      check "bounds: see the failures above" false
    fi
    cat "$work/bounds.log"
    ;;
  listing)
    # Issue 25 point 6 (tests/listing_cost_test.py): listings after many deletes cost a seek.
    if /usr/bin/python3 "$src/tests/listing_cost_test.py" "$endpoint" "$key_id" "$secret" "$region" \
      "${LISTING_DELETES:-5000}" > "$work/listing.log" 2>&1; then
      check "listing: $(grep -c '^ok' "$work/listing.log") checks" true
    else
      check "listing: see the failures below" false
    fi
    cat "$work/listing.log"
    ;;
  crash)
    # kill -9 during PUTs, DELETEs and block collection (tests/crash_gc_test.py), with a 3 s
    # gc delay: the script restarts the node itself, six times.
    stop node1
    sed -i '1i block_gc_delay_secs = 3\nallow_short_gc_delay_for_tests = true' "$conf"
    if /usr/bin/python3 "$src/tests/crash_gc_test.py" "$endpoint" "$key_id" "$secret" "$region" "$work/node1/data" \
      "$work/crash.pid" "$log" "$garage" -c "$conf" server > "$work/crash.log" 2>&1; then
      check "crash: $(grep -c '^ok' "$work/crash.log") checks" true
    else
      check "crash: see the failures below" false
    fi
    cat "$work/crash.log"
    [ -f "$work/crash.pid" ] && pid_of[crash]=$(cat "$work/crash.pid")  # the script's last node: killed on exit
    ;;
  security)
    # Issue 9's regressions over HTTP (tests/security_test.py): not a client, an attacker.
    if /usr/bin/python3 "$src/tests/security_test.py" "$endpoint" "$key_id" "$secret" "$region" \
      "$garage" -c "$conf" > "$work/security.log" 2>&1; then
      check "security: $(grep -c '^ok' "$work/security.log") checks" true
    else
      cat "$work/security.log"
      check "security: see the failures above" false
    fi
    # 11: the metadata (it holds secret keys) and the data are the daemon's user's alone.
    check "security: metadata_dir and data_dir are 0700" [ "$(stat -c %a "$work/node1/meta" "$work/node1/data" | sort -u)" = 700 ]
    check "security: no file under them is readable by others" \
      [ -z "$(find "$work/node1/meta" "$work/node1/data" -perm /077 -print -quit)" ]
    check "security: the server log holds no secret key" bash -c "! grep -qF '$secret' '$log'"
    ;;
  boto3)
    if /usr/bin/python3 "$src/tests/clients/boto3_test.py" "$endpoint" "$key_id" "$secret" "$region" > "$work/boto3.log" 2>&1; then
      check "boto3: $(grep -c '^ok' "$work/boto3.log") checks" true
    else
      cat "$work/boto3.log"
      check "boto3: see the failures above" false
    fi
    ;;
  s3cmd)
    cat > "$work/s3cfg" <<CFG
[default]
access_key = $key_id
secret_key = $secret
host_base = 127.0.0.1:$s3_port
host_bucket = 127.0.0.1:$s3_port
bucket_location = $region
use_https = False
signature_v2 = False
CFG
    s3c() { s3cmd -c "$work/s3cfg" "$@"; }
    check "s3cmd: put" quiet_ok s3c put "$work/files/a.bin" s3://shared/s3cmd/a.bin
    check "s3cmd: get, identical" bash -c "s3cmd -c $work/s3cfg get --force s3://shared/s3cmd/a.bin $work/s3cmd.a >/dev/null 2>&1 && cmp -s $work/files/a.bin $work/s3cmd.a"
    check "s3cmd: sync" quiet_ok s3c sync "$work/files/" s3://shared/s3cmd/tree/
    check "s3cmd: ls -r lists 3 files" [ "$(s3c ls -r s3://shared/s3cmd/tree/ | wc -l)" = 3 ]
    check "s3cmd: del" quiet_ok s3c del s3://shared/s3cmd/a.bin
    # Issue 17 point 5: s3cmd configured as its documentation says (bucket_location US, its
    # default) learns the region from the <Region> of the first answer and goes on.
    sed 's/^bucket_location = .*/bucket_location = US/' "$work/s3cfg" > "$work/s3cfg-us"
    s3us() { s3cmd -c "$work/s3cfg-us" "$@"; }
    check "s3cmd, region US: put" quiet_ok s3us put "$work/files/sub/b.txt" s3://shared/s3cmd/us.txt
    check "s3cmd, region US: ls" grep -q "s3cmd/us.txt" <<<"$(s3us ls s3://shared/s3cmd/ 2>&1)"
    check "s3cmd, region US: ls buckets" grep -q "s3://shared" <<<"$(s3us ls 2>&1)"
    check "s3cmd, region US: del" quiet_ok s3us del s3://shared/s3cmd/us.txt
    # A SigV2 presigned URL is refused as such, not as an anonymous request.
    s3c put "$work/files/sub/b.txt" s3://shared/s3cmd/signed.txt >/dev/null 2>&1
    v2_url=$(s3c signurl s3://shared/s3cmd/signed.txt +600 2>/dev/null)
    v2_answer=$(curl -s "$v2_url")
    check "s3cmd signurl (SigV2): refused as SigV2" grep -q "Please use AWS4-HMAC-SHA256" <<<"$v2_answer"
    ;;
  rclone)
    cat > "$work/rclone.conf" <<CFG
[g]
type = s3
provider = Other
access_key_id = $key_id
secret_access_key = $secret
endpoint = $endpoint
region = $region
CFG
    # AWS_CA_BUNDLE (set on some machines) makes rclone refuse a plain-http endpoint.
    rc() { env -u AWS_CA_BUNDLE rclone --config "$work/rclone.conf" "$@"; }
    check "rclone: copy" quiet_ok rc copy "$work/files" g:shared/rclone
    check "rclone: check (hashes match)" quiet_ok rc check "$work/files" g:shared/rclone
    echo "changed" > "$work/files/sub/b.txt"
    check "rclone: sync after a change" quiet_ok rc sync "$work/files" g:shared/rclone
    check "rclone: check again" quiet_ok rc check "$work/files" g:shared/rclone
    check "rclone: lsf -R lists 3 files" [ "$(rc lsf -R --files-only g:shared/rclone | wc -l)" = 3 ]
    ;;
  js)
    if ! "$src/scripts/npm-deps.sh" >"$work/npm.log" 2>&1; then
      cat "$work/npm.log"
      check "js: npm install @aws-sdk/client-s3" false
      continue
    fi
    if node "$src/tests/clients/js/sdk_test.mjs" "$endpoint" "$key_id" "$secret" "$region" > "$work/js.log" 2>&1; then
      grep "x-amz-content-sha256" "$work/js.log"
      check "AWS SDK for JavaScript v3: $(grep -c '^ok' "$work/js.log") checks" true
    else
      cat "$work/js.log"
      check "AWS SDK for JavaScript v3: see the failures above" false
    fi
    ;;
  browser)
    # A real browser (tests/clients/browser_test.py): Debian's Chromium, headless, submits forms.
    if /usr/bin/python3 "$src/tests/clients/browser_test.py" "$endpoint" "$key_id" "$secret" "$region" "$work" "$web_port" \
      > "$work/browser.log" 2>&1; then
      check "browser: $(grep -c '^ok' "$work/browser.log") checks" true
    else
      cat "$work/browser.log"
      check "browser: see the failures above" false
    fi
    ;;
  website)
    # The website endpoint ([s3_web]), with curl as the browser: a bucket served at
    # <bucket>.web.garage.localhost and at a global name that is a domain name.
    aws() { /usr/bin/aws --endpoint-url "$endpoint" "$@"; }
    web() { curl -s --resolve "$1:$web_port:127.0.0.1" "${@:2}"; }
    site=site.web.garage.localhost
    page() { web "$site" -o /dev/null -w '%{http_code} %{redirect_url}' "http://$site:$web_port$1"; }
    aws s3 mb s3://site >/dev/null
    printf '<h1>home</h1>' > "$work/index.html"; printf '<h1>about</h1>' > "$work/about.html"
    printf '<h1>lost</h1>' > "$work/error.html"; head -c 1000 /dev/urandom > "$work/style.css"
    aws s3 cp "$work/index.html" s3://site/index.html --content-type text/html >/dev/null
    aws s3 cp "$work/about.html" s3://site/about/index.html --content-type text/html >/dev/null
    aws s3 cp "$work/error.html" s3://site/error.html --content-type text/html >/dev/null
    aws s3 cp "$work/style.css" s3://site/style.css --content-type text/css >/dev/null
    check "website: not served before it is enabled (404)" [ "$(page /)" = "404 " ]
    check "website: garage bucket website --allow" quiet_ok G bucket website site --allow --error-document error.html
    check "website: / serves the index document" [ "$(web $site "http://$site:$web_port/")" = "<h1>home</h1>" ]
    check "website: as text/html" grep -qi "content-type: text/html" <<<"$(web $site -I "http://$site:$web_port/")"
    check "website: /about/ serves about/index.html" [ "$(web $site "http://$site:$web_port/about/")" = "<h1>about</h1>" ]
    check "website: /about redirects to /about/ (302)" [ "$(page /about)" = "302 http://$site:$web_port/about/" ]
    check "website: a missing page is the error document, 404" \
      bash -c "[ \"\$(curl -s --resolve $site:$web_port:127.0.0.1 -w ' %{http_code}' http://$site:$web_port/nope.html)\" = '<h1>lost</h1> 404' ]"
    check "website: a range" [ "$(web $site -r 10-19 -o /dev/null -w '%{http_code} %{size_download}' "http://$site:$web_port/style.css")" = "206 10" ]
    etag=$(web $site -I "http://$site:$web_port/style.css" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
    check "website: If-None-Match of its etag is 304" \
      [ "$(web $site -H "If-None-Match: $etag" -o /dev/null -w '%{http_code}' "http://$site:$web_port/style.css")" = 304 ]
    check "website: PUT is refused (405)" [ "$(web $site -X PUT -d x -o /dev/null -w '%{http_code}' "http://$site:$web_port/x")" = 405 ]
    check "website: another host is another bucket (404)" \
      [ "$(web other.web.garage.localhost -o /dev/null -w '%{http_code}' "http://other.web.garage.localhost:$web_port/")" = 404 ]
    check "website: a global name that is a domain" quiet_ok G bucket alias site www.example.test
    check "website: served at that domain" [ "$(web www.example.test "http://www.example.test:$web_port/")" = "<h1>home</h1>" ]
    rules='{"IndexDocument":{"Suffix":"index.html"},"RoutingRules":[{"Condition":{"KeyPrefixEquals":"docs/"},
      "Redirect":{"ReplaceKeyPrefixWith":"documents/"}}]}'
    check "website: put-bucket-website with a routing rule" quiet_ok aws s3api put-bucket-website --bucket site --website-configuration "$rules"
    check "website: the rule redirects (301)" [ "$(page /docs/a.html)" = "301 http://$site:$web_port/documents/a.html" ]
    check "website: without an error document a missing page is 404" [ "$(page /nope.html)" = "404 " ]
    check "website: redirect every request" quiet_ok aws s3api put-bucket-website --bucket site \
      --website-configuration '{"RedirectAllRequestsTo":{"HostName":"example.org","Protocol":"https"}}'
    check "website: ... to that host (301)" [ "$(page /a/b.html)" = "301 https://example.org/a/b.html" ]
    check "website: --deny" quiet_ok G bucket website site --deny
    check "website: no longer served (404)" [ "$(page /)" = "404 " ]
    ;;
  curl)
    vhost=shared.s3.garage.localhost
    # S3 wants x-amz-content-sha256 on every SigV4 request; curl signs the value it is given.
    cu() { curl -sS --fail --aws-sigv4 "aws:amz:$region:s3" --user "$key_id:$secret" \
      -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --resolve "$vhost:$s3_port:127.0.0.1" "$@"; }
    check "curl: virtual-host PUT" quiet_ok cu -T "$work/files/a.bin" "http://$vhost:$s3_port/vhost/a.bin"
    check "curl: virtual-host GET, identical" bash -c "$(declare -f cu); key_id=$key_id secret=$secret region=$region \
      vhost=$vhost s3_port=$s3_port; cu http://$vhost:$s3_port/vhost/a.bin -o $work/vhost.back && cmp -s $work/files/a.bin $work/vhost.back"
    # The query is written encoded: curl 7.88 signs it as given, and SigV4 signs "/" as %2F.
    check "curl: virtual-host ListObjectsV2 names it" grep -q "<Key>vhost/a.bin</Key>" <<<"$(cu "http://$vhost:$s3_port/?list-type=2&prefix=vhost%2F")"
    check "curl: the same object path-style" grep -q "<Key>vhost/a.bin</Key>" <<<"$(cu "http://127.0.0.1:$s3_port/shared?list-type=2&prefix=vhost%2F")"
    check "curl: virtual-host DELETE" quiet_ok cu -X DELETE "http://$vhost:$s3_port/vhost/a.bin"
    check "curl: a bucket that does not exist is NoSuchBucket" grep -q "NoSuchBucket" <<<"$(curl -sS --aws-sigv4 "aws:amz:$region:s3" \
      --user "$key_id:$secret" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --resolve "nope.s3.garage.localhost:$s3_port:127.0.0.1" "http://nope.s3.garage.localhost:$s3_port/x")"
    ;;
  esac
done

if grep -q "AddressSanitizer\|double free\|Aborted" "$log"; then
  cat "$log"
  check "the server survived" false
fi
finish
