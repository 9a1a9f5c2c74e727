#!/usr/bin/env bash
# Everything the test suite needs beyond the Python packages: Debian's Chromium (driven by
# Playwright), gettext (makemessages in the translation test), axe-core from npm, a running
# PostgreSQL 15 that root may use over the local socket, and what `make setup` needs
# (scripts/system-setup.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
scripts/system-setup.sh
if ((${#missing[@]})); then
  echo "test-setup: installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if ! pg_lsclusters -h 2>/dev/null | grep -q "15 *main *[0-9]* *online"; then
  pg_ctlcluster --skip-systemctl-redirect 15 main start
fi
su postgres -c "createuser --superuser root" 2>/dev/null || true
su postgres -c "createdb --owner root ourbeat" 2>/dev/null || true
