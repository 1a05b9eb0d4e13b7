#!/usr/bin/env bash
# Makes the cluster's TLS material: a CA, one certificate per node, and one for the CLI.
#
#   scripts/genkeys.sh DIR [NODE_NAME ...]     (default node names: node1 node2 node3)
#
# Writes DIR/ca.crt + DIR/ca.key (keep ca.key off the nodes if you can), DIR/NAME.crt +
# DIR/NAME.key per node, and DIR/cli.crt + DIR/cli.key. Existing files are kept, so re-running
# adds only what is missing. A node accepts only peers whose certificate this CA signed; a
# node's id is the SHA-256 of its certificate's public key.
#
# cli.crt is an administration certificate (subject O=garage-admin, clientAuth only): the CLI's
# requests (status, layout, keys and buckets) need one, and a node's certificate is not one
# (net/tls_identity.h). A cli.crt made by an older version of this script, without the mark, is
# made again (new key) when ca.key is here.
set -euo pipefail

dir=${1:?usage: genkeys.sh DIR [NODE_NAME ...]}
shift || true
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(node1 node2 node3)

mkdir -p "$dir"
chmod 700 "$dir"
days=3650

if [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days "$days" -subj "/CN=garage-cluster-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

sign() {  # sign NAME EXTENDED_KEY_USAGE [SUBJECT]
  local name=$1 usage=$2 subject=${3:-/CN=$1}
  [ -f "$dir/$name.crt" ] && return 0
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "$subject" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n' "$usage" > "$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -out "$dir/$name.crt" -days "$days" -extfile "$dir/$name.ext" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
  chmod 600 "$dir/$name.key"
}

for n in "${names[@]}"; do sign "$n" "serverAuth,clientAuth"; done
if [ -f "$dir/cli.crt" ] && ! openssl x509 -noout -subject -in "$dir/cli.crt" | grep -q "O *= *garage-admin"; then
  echo "genkeys: $dir/cli.crt is not an administration certificate (made by an older genkeys.sh); making it again" >&2
  mv "$dir/cli.crt" "$dir/cli.crt.old"
  mv "$dir/cli.key" "$dir/cli.key.old"
fi
sign cli clientAuth "/O=garage-admin/CN=cli"
echo "TLS material in $dir: ca.crt, ${names[*]/%/.crt}, cli.crt (with their .key files)"
