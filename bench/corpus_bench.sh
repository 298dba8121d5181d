#!/usr/bin/env bash
# Corpus benchmark: scans a folder of drivers with drvsec and, in the same run, hashes the same files
# with sha256sum as a baseline (drvsec reads and hashes every file too, so the ratio shows what the
# analysis itself costs). Then repeats the measurement on a synthetic corpus of N copies of the
# available drivers ("1,000 driver files in under 3 s on 2 cores").
#
#   bench/corpus_bench.sh [--drvsec PATH] [--jobs N] [--synthetic N] [--repeat R] [FOLDER...]
#
# Default folders: ../shared/corpus when present, else build/fixtures and .cache/thirdparty.
# Not part of ctest: timings depend on the machine and its load; nothing here asserts a limit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
drvsec=$root/build/drvsec jobs=$(nproc) synthetic=1000 repeat=3 folders=()
while [ $# -gt 0 ]; do
  case "$1" in
    --drvsec) drvsec=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --synthetic) synthetic=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) folders+=("$1"); shift ;;
  esac
done
if [ ${#folders[@]} -eq 0 ]; then
  if [ -d "$root/../shared/corpus" ]; then folders=("$root/../shared/corpus")
  else folders=("$root/build/fixtures" "$root/.cache/thirdparty"); fi
fi
[ -x "$drvsec" ] || { echo "corpus_bench: $drvsec not built" >&2; exit 2; }

now() { date +%s.%N; }
# Best (lowest) wall time of $repeat runs of "$@", in seconds.
best_time() {
  local best="" t0 t1
  for _ in $(seq "$repeat"); do
    t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)  # drvsec exits 1/3 when it has findings or errors
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { d = b - a; print (best == "" || d < best) ? d : best }')
  done
  echo "$best"
}

measure() {  # measure LABEL LISTFILE: drvsec over the listed files vs sha256sum over the same files
  local label=$1 list=$2 files bytes t_scan t_hash
  files=$(wc -l <"$list")
  bytes=$(tr '\n' '\0' <"$list" | xargs -0 stat -c %s | awk '{s+=$1} END {print s+0}')
  tr '\n' '\0' <"$list" | xargs -0 cat >/dev/null  # warm the page cache for both
  # drvsec gets the files themselves (not their folders) so both tools see the same inputs.
  t_scan=$(best_time bash -c 'tr "\n" "\0" <"$1" | xargs -0 "$2" scan --jobs "$3" --format json -o /dev/null' _ "$list" "$drvsec" "$jobs")
  t_hash=$(best_time bash -c 'tr "\n" "\0" <"$1" | xargs -0 -n 64 -P "$2" sha256sum' _ "$list" "$jobs")
  awk -v l="$label" -v f="$files" -v b="$bytes" -v s="$t_scan" -v h="$t_hash" -v j="$jobs" 'BEGIN {
    mb = b / 1e6
    printf "%s: %d files, %.1f MB, %d jobs\n", l, f, mb, j
    printf "  drvsec scan   %7.3f s  %9.0f files/s  %8.1f MB/s\n", s, f / s, mb / s
    printf "  sha256sum     %7.3f s  %9.0f files/s  %8.1f MB/s\n", h, f / h, mb / h
    printf "  ratio drvsec/sha256sum: %.2fx\n", s / h
  }'
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "${folders[@]}" -type f \( -iname '*.sys' -o -iname '*.dll' -o -iname '*.exe' \) 2>/dev/null | sort >"$work/corpus.list"
[ -s "$work/corpus.list" ] || { echo "corpus_bench: no driver files under ${folders[*]}" >&2; exit 2; }
echo "drvsec corpus benchmark ($(nproc) cores, best of $repeat runs)"
measure "corpus ${folders[*]}" "$work/corpus.list"

if [ "$synthetic" -gt 0 ]; then
  mkdir "$work/synthetic"
  mapfile -t sources <"$work/corpus.list"
  for i in $(seq 0 $((synthetic - 1))); do
    cp "${sources[$((i % ${#sources[@]}))]}" "$work/synthetic/$(printf 'driver_%04d.sys' "$i")"
  done
  find "$work/synthetic" -type f | sort >"$work/synthetic.list"
  measure "synthetic corpus (copies of the files above)" "$work/synthetic.list"
fi
