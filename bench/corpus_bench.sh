#!/usr/bin/env bash
# Corpus benchmark: scans a folder of drivers with drvsec (--depth headers and --depth code) and, in the
# same run, hashes the same files
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

# "wall cpu" seconds (cpu = user + system of every process) of the fastest of $repeat runs of "$@".
best_time() {
  local best="" t
  for _ in $(seq "$repeat"); do
    # drvsec exits 1/3 when it has findings or errors: not a benchmark failure.
    t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1 || true; } 2>&1 )
    best=$(echo "$t" | awk -v best="$best" '{ w = $1; c = $2 + $3 }
      END { split(best, b, " "); if (best == "" || w < b[1]) print w, c; else print best }')
  done
  echo "$best"
}

measure() {  # measure LABEL LISTFILE: drvsec at both depths over the listed files vs sha256sum over the same files
  local label=$1 list=$2 files bytes t_headers t_code t_hash t_single t_single_hash
  files=$(wc -l <"$list")
  bytes=$(tr '\n' '\0' <"$list" | xargs -0 stat -c %s | awk '{s+=$1} END {print s+0}')
  tr '\n' '\0' <"$list" | xargs -0 cat >/dev/null  # warm the page cache for both
  # drvsec gets the files themselves (not their folders) so both tools see the same inputs.
  scan() { best_time bash -c 'tr "\n" "\0" <"$1" | xargs -0 "$2" scan --jobs "$3" --depth "$4" --format json -o /dev/null' _ "$list" "$drvsec" "$jobs" "$1"; }
  t_headers=$(scan headers)
  t_code=$(scan code)
  t_hash=$(best_time bash -c 'tr "\n" "\0" <"$1" | xargs -0 -n 64 -P "$2" sha256sum' _ "$list" "$jobs")
  # The same work in one process on one core, started directly (no bash/xargs around either tool):
  # what one more file costs each tool, without the shared start-up cost of the commands above.
  local -a paths
  mapfile -t paths <"$list"
  t_single=$(best_time "$drvsec" scan --jobs 1 --depth headers --format json -o /dev/null "${paths[@]}")
  t_single_hash=$(best_time sha256sum "${paths[@]}")
  awk -v l="$label" -v f="$files" -v b="$bytes" -v sh="$t_headers" -v sc="$t_code" -v h="$t_hash" -v j="$jobs" \
      -v s1="$t_single" -v h1="$t_single_hash" '
  function row(name, t,   T) { split(t, T, " "); printf "  %-24s %7.3f s wall  %7.3f s cpu  %8.0f files/s  %7.1f MB/s\n", name, T[1], T[2], f / T[1], mb / T[1] }
  function ratio(name, t,   T, H) { split(t, T, " "); split(h, H, " "); printf "  ratio %-18s %6.2fx wall, %6.2fx cpu (to sha256sum)\n", name, T[1] / H[1], T[2] / H[2] }
  BEGIN {
    mb = b / 1e6
    printf "%s: %d files, %.1f MB, %d jobs\n", l, f, mb, j
    row("drvsec --depth headers", sh); row("drvsec --depth code", sc); row("sha256sum", h)
    ratio("--depth headers", sh); ratio("--depth code", sc)
    split(s1, S, " "); split(h1, H1, " ")
    printf "  one process, one job:    drvsec --depth headers %.3f s cpu, sha256sum %.3f s cpu: %.2fx cpu\n", S[2], H1[2], S[2] / H1[2]
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
