#!/usr/bin/env bash
# The one set-up command for a fresh machine (see README.md): installs the pinned pnpm if this machine
# lacks it, every dependency (Node 24 included, from the root devDependency "node") and builds the packages.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' package.json)
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing pnpm $want (found: ${have:-none})"
  npm install --global --no-fund --no-audit "pnpm@$want" >/dev/null
fi

# The server's 2FA tests check our TOTP codes against oathtool, an independent implementation (Debian).
if ! command -v oathtool >/dev/null 2>&1; then
  echo "setup: installing oathtool (apt)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get install -y -qq oathtool >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq oathtool >/dev/null; }
fi

# The server's pages are tested in a real browser: Debian's Chromium (never a downloaded one).
if [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium (apt)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq chromium >/dev/null; }
fi

echo "setup: installing dependencies"
pnpm install --frozen-lockfile
echo "setup: building the packages"
pnpm run build
echo "setup: done on Node $(pnpm exec node --version) with pnpm $(pnpm --version)"
