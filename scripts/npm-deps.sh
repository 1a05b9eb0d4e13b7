#!/usr/bin/env bash
# Installs the JavaScript test client (the AWS SDK for JavaScript v3) from the npm registry,
# exactly as package-lock.json pins it. Idempotent: does nothing when node_modules is current.
set -euo pipefail
cd "$(dirname "$0")/../tests/clients/js"
command -v npm >/dev/null || { echo "npm-deps: npm is missing (Node.js from Debian's nodejs package)" >&2; exit 1; }
if [ -f node_modules/.package-lock.json ] && cmp -s package-lock.json node_modules/.lock-installed; then exit 0; fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.lock-installed
