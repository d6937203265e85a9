#!/usr/bin/env bash
# PDF exports use WeasyPrint, which needs the system's Pango, and HarfBuzz-Subset to cut the
# embedded fonts down to the glyphs used (without it WeasyPrint falls back to fontTools, in
# Python: half the time of a long report went there). Install them when missing (as root on
# Debian/Ubuntu), or say exactly what to install. Pango is required; HarfBuzz-Subset only makes
# long reports faster, so failing to get it is a warning, never a stop.
set -uo pipefail
has() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has 'libpango-1.0.so' && has 'libharfbuzz-subset.so' && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Pango and HarfBuzz-Subset for PDF exports…"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
    >/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null || true
fi
if ! has 'libpango-1.0.so'; then
  echo "PDF exports need Pango: on Debian/Ubuntu run" \
    "'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0'." >&2
  exit 1
fi
if ! has 'libharfbuzz-subset.so'; then
  echo "Warning: without HarfBuzz-Subset long PDF reports are about twice as slow; on" \
    "Debian/Ubuntu run 'sudo apt-get install libharfbuzz-subset0'." >&2
fi
exit 0
