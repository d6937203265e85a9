#!/usr/bin/env bash
# The npm packages the browser tests load into the pages they check (package.json: axe-core for
# the accessibility checks), installed exactly as package-lock.json pins them. Nothing from
# node_modules is served or committed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f node_modules/axe-core/axe.min.js ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's npm for the browser tests' tools…"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "The browser tests need npm to install axe-core (Debian: apt-get install npm)." >&2
    exit 1
  fi
fi
npm ci --no-audit --no-fund --loglevel=error
