#!/usr/bin/env bash
# PDF exports use WeasyPrint, which needs the system's Pango, and HarfBuzz-Subset to cut the
# embedded fonts down to the glyphs used (without it WeasyPrint falls back to fontTools, in
# Python: half the time of a long report went there). Install them when missing (as root on
# Debian/Ubuntu), or say exactly what to install.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' \
  && ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so'; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Pango and HarfBuzz-Subset for PDF exports…"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 >/dev/null
else
  echo "PDF exports need Pango and HarfBuzz-Subset: on Debian/Ubuntu run" \
    "'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0'." >&2
  exit 1
fi
