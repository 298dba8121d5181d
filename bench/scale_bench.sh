#!/usr/bin/env bash
# Scale benchmark for the streaming engine (issue #14): figures as ratios measured in one run.
#  1. Peak RSS of `drvsec scan --format jsonl` over S and 10*S synthetic drivers (distinct copies of
#     the corpus: a counter written into each copy's DOS stub, so every file has its own digest), and
#     the ratio between them (flat memory: goal under 1.3).
#  2. Shards: one `scan --jobs J` against J concurrent `scan --shard K/J --jobs 1` plus `drvsec merge`
#     over the same files (wall time, best of R).
#  3. Drivers per core-second at each depth (for sizing jobs, docs/scale.md).
#
#   bench/scale_bench.sh [--drvsec PATH] [--small S] [--repeat R] [FOLDER...]
#
# Default FOLDER: ../shared/corpus when present, else build/fixtures and .cache/thirdparty. Needs GNU
# time (/usr/bin/time). Not part of ctest: it asserts nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
drvsec=$root/build/drvsec small=1000 repeat=3 folders=() jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --drvsec) drvsec=$2; shift 2 ;;
    --small) small=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) folders+=("$1"); shift ;;
  esac
done
if [ ${#folders[@]} -eq 0 ]; then
  if [ -d "$root/../shared/corpus" ]; then folders=("$root/../shared/corpus")
  else folders=("$root/build/fixtures" "$root/.cache/thirdparty"); fi
fi
[ -x "$drvsec" ] || { echo "scale_bench: $drvsec not built" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "scale_bench: needs GNU time (/usr/bin/time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "${folders[@]}" -type f -iname '*.sys' 2>/dev/null | sort >"$work/sources.list"
[ -s "$work/sources.list" ] || { echo "scale_bench: no .sys files under ${folders[*]}" >&2; exit 2; }

# synthesize N DIR: N distinct copies (round robin over the sources), listed in DIR.list.
synthesize() { python3 "$root/bench/synthesize.py" "$1" "$2" "$work/sources.list"; }

# peak_rss LIST: peak resident set size (KiB) of a jsonl scan of the listed files.
peak_rss() {
  /usr/bin/time -f '%M' -o "$work/rss" "$drvsec" scan --files-from "$1" --format jsonl -o /dev/null --quiet >/dev/null 2>&1 || true
  tail -n 1 "$work/rss"
}

# best_wall CMD...: fastest wall time of $repeat runs, seconds.
best_wall() {
  local best="" t
  for _ in $(seq "$repeat"); do
    t=$( { TIMEFORMAT='%R'; time "$@" >/dev/null 2>&1 || true; } 2>&1 )
    best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
  done
  echo "$best"
}
cpu_seconds() {  # cpu_seconds CMD...: user + system seconds of one run
  /usr/bin/time -f '%U %S' -o "$work/cpu" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/cpu" | awk '{ print $1 + $2 }'
}

echo "drvsec scale benchmark ($(nproc) cores, $(wc -l <"$work/sources.list") source drivers, best of $repeat)"
synthesize "$small" "$work/small"
synthesize $((small * 10)) "$work/large"
cat "$work/small.list" "$work/large.list" | xargs cat >/dev/null  # warm the page cache
rss_small=$(peak_rss "$work/small.list")
rss_large=$(peak_rss "$work/large.list")
awk -v s="$rss_small" -v l="$rss_large" -v n="$small" 'BEGIN {
  printf "jsonl peak RSS: %d drivers %.1f MiB, %d drivers %.1f MiB: ratio %.2f (goal < 1.3)\n", n, s / 1024, n * 10, l / 1024, l / s }'

shards() {  # J concurrent shards of one job each, then the merge
  local k pids=()
  for k in $(seq "$jobs"); do
    "$drvsec" scan --files-from "$work/small.list" --shard "$k/$jobs" --jobs 1 --format jsonl -o "$work/shard-$k.jsonl" --quiet &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || true; done
  "$drvsec" merge "$work"/shard-*.jsonl --format json -o /dev/null --quiet || true
}
one=$(best_wall "$drvsec" scan --files-from "$work/small.list" --jobs "$jobs" --format json -o /dev/null --quiet)
split=$(best_wall shards)
awk -v a="$one" -v b="$split" -v j="$jobs" -v n="$small" 'BEGIN {
  printf "%d drivers: one scan --jobs %d %.2f s; %d shards of --jobs 1 + merge %.2f s: ratio %.2f\n", n, j, a, j, b, b / a }'

for depth in headers code; do
  cpu=$(cpu_seconds "$drvsec" scan --files-from "$work/small.list" --depth "$depth" --jobs 1 --format jsonl -o /dev/null --quiet)
  awk -v c="$cpu" -v n="$small" -v d="$depth" 'BEGIN { printf "--depth %-7s %6.0f drivers per core-second (%d drivers, %.2f s cpu)\n", d, n / c, n, c }'
done
