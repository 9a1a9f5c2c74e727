#!/usr/bin/env bash
# The Debian packages ourbeat itself needs at run time beyond Python: Pango (WeasyPrint renders
# problem-solving case reports as PDF with it) and DejaVu fonts (they cover Cyrillic).
# Idempotent; installs only what is missing.
set -euo pipefail

missing=()
ldconfig -p | grep -q "libpangoft2-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if ((${#missing[@]})); then
  echo "system-setup: installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
