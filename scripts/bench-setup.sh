#!/usr/bin/env bash
# What the benchmarks in bench/ need beyond the Python packages: wrk, the HTTP load
# generator of bench/neighbourhood_page.py, from Debian. Idempotent.
set -euo pipefail

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench-setup: installing wrk from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
wrk --version 2>&1 | head -n 1 || true
