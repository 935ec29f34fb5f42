#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine with only Node 20 (run as root).
#   scripts/setup.sh          what `npm run demo` needs: libpcap-dev, npm packages, build
#   scripts/setup.sh --test   plus the real tools the tests drive (tshark, tcpdump, kannel, prometheus, …)
# Quick when everything is already there: it checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."

want=(libpcap-dev)
if [[ "${1:-}" == "--test" ]]; then
  want+=(tshark tcpdump tcpreplay kannel prometheus iproute2)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections || true
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # Debian starts daemons on install; the tests start their own on loopback.
  for svc in kannel prometheus; do
    command -v service >/dev/null && $SUDO service "$svc" stop >/dev/null 2>&1 || true
  done
fi

# npm packages from the lockfile; re-run only when the lockfile changed.
stamp=node_modules/.setup-lock.sha256
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock_sum" > "$stamp"
fi

# Build (incremental: fast when nothing changed).
npx --no-install tsc -p tsconfig.json >&2
# Outputs of deleted sources would still run (a stale test, a stale module): remove them.
find dist -name '*.js' 2>/dev/null | while read -r f; do
  s="${f#dist/}"
  [[ -f "${s%.js}.ts" ]] || rm -f "$f" "${f%.js}.js.map" "${f%.js}.d.ts"
done
