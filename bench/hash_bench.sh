#!/usr/bin/env bash
# Header-depth benchmark (issue #14): `drvsec scan --depth headers --format jsonl` against sha256sum
# run on all cores over the same files, measured in one run as interleaved rounds, so that the load
# of a shared machine falls on both alike.
#
#   bench/hash_bench.sh [--drvsec PATH] [--baseline PATH] [--jobs N] [--copies N] [--rounds R] [FOLDER...]
#
# Sets: the .sys files under FOLDER (default ../shared/corpus when present, else build/fixtures and
# .cache/thirdparty), then N (default 1000) distinct synthetic drivers made from them (bench/synthesize.py).
# Each round runs every command once, in an order rotated from round to round (A B C, B C A, C A B, ...):
#   sha256sum  tr '\n' '\0' <LIST | xargs -0 -n 64 -P JOBS sha256sum
#   drvsec     drvsec scan --files-from LIST --depth headers --jobs JOBS --format jsonl -o /dev/null
#   baseline   the same with --baseline (another build, e.g. main's), when given
# all started by `bash -c`. A round's ratio is a drvsec time over the sha256sum time of the same round;
# the figures are the median, lowest and highest over the rounds (default 7), wall and CPU (user +
# system of every process). With --baseline, the two drvsec builds' jsonl outputs are also compared.
# Not part of ctest: it asserts nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
drvsec=$root/build/drvsec baseline="" jobs=$(nproc) copies=1000 rounds=7 folders=()
while [ $# -gt 0 ]; do
  case "$1" in
    --drvsec) drvsec=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --copies) copies=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) folders+=("$1"); shift ;;
  esac
done
if [ ${#folders[@]} -eq 0 ]; then
  if [ -d "$root/../shared/corpus" ]; then folders=("$root/../shared/corpus")
  else folders=("$root/build/fixtures" "$root/.cache/thirdparty"); fi
fi
for exe in "$drvsec" ${baseline:+"$baseline"}; do
  [ -x "$exe" ] || { echo "hash_bench: $exe not built" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "${folders[@]}" -type f -iname '*.sys' 2>/dev/null | sort >"$work/corpus.list"
[ -s "$work/corpus.list" ] || { echo "hash_bench: no .sys files under ${folders[*]}" >&2; exit 2; }

sha_cmd='tr "\n" "\0" <"$1" | xargs -0 -n 64 -P "$2" sha256sum'
scan_cmd='"$3" scan --files-from "$1" --depth headers --jobs "$2" --format jsonl -o /dev/null --quiet'

# timed LIST EXE SCRIPT: "wall cpu" seconds of one run (drvsec exits 1 or 3 on findings or input errors).
timed() {
  local t
  t=$( { TIMEFORMAT='%3R %3U %3S'; time bash -c "$3" _ "$1" "$jobs" "$2" >/dev/null 2>&1 || true; } 2>&1 )
  echo "$t" | awk '{ print $1, $2 + $3 }'
}

# stats FILE COLUMN: "median low high" of a column of numbers.
stats() {
  awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f", m, v[1], v[NR] }'
}

measure() {  # measure LABEL LIST
  local label=$1 list=$2 files bytes r i k names=(sha256sum drvsec) t
  [ -n "$baseline" ] && names+=(baseline)
  files=$(wc -l <"$list")
  bytes=$(tr '\n' '\0' <"$list" | xargs -0 stat -c %s | awk '{ s += $1 } END { print s + 0 }')
  tr '\n' '\0' <"$list" | xargs -0 cat >/dev/null  # warm the page cache
  timed "$list" "$drvsec" "$scan_cmd" >/dev/null     # and the executables'
  : >"$work/rounds"
  for r in $(seq 0 $((rounds - 1))); do
    declare -A wall=() cpu=()
    for i in $(seq 0 $((${#names[@]} - 1))); do
      k=${names[$(((i + r) % ${#names[@]}))]}
      case $k in
        sha256sum) t=$(timed "$list" "" "$sha_cmd") ;;
        drvsec) t=$(timed "$list" "$drvsec" "$scan_cmd") ;;
        baseline) t=$(timed "$list" "$baseline" "$scan_cmd") ;;
      esac
      wall[$k]=${t% *} cpu[$k]=${t#* }
    done
    # round: drvsec/sha wall, cpu; baseline/sha wall, cpu; drvsec/baseline wall, cpu
    awk -v sw="${wall[sha256sum]}" -v sc="${cpu[sha256sum]}" -v dw="${wall[drvsec]}" -v dc="${cpu[drvsec]}" \
        -v bw="${wall[baseline]:-0}" -v bc="${cpu[baseline]:-0}" 'BEGIN {
      printf "%.4f %.4f %.4f %.4f %.4f %.4f\n", dw / sw, dc / sc, bw / sw, bc / sc, bw ? dw / bw : 0, bc ? dc / bc : 0 }' >>"$work/rounds"
    unset wall cpu
  done
  printf '%s: %d files, %.1f MB, %d jobs, %d rounds\n' "$label" "$files" "$(echo "$bytes" | awk '{ print $1 / 1e6 }')" "$jobs" "$rounds"
  row() { printf '  %-22s wall %s x (%s-%s), cpu %s x (%s-%s)\n' "$1" $(stats "$work/rounds" "$2") $(stats "$work/rounds" "$3"); }
  row "drvsec / sha256sum" 1 2
  if [ -n "$baseline" ]; then
    row "baseline / sha256sum" 3 4
    row "drvsec / baseline" 5 6
  fi
}

echo "drvsec header-depth benchmark ($(nproc) cores; median (lowest-highest) of per-round ratios)"
[ -n "$baseline" ] && echo "drvsec: $drvsec; baseline: $baseline"
measure "corpus ${folders[*]}" "$work/corpus.list"
if [ "$copies" -gt 0 ]; then
  python3 "$root/bench/synthesize.py" "$copies" "$work/synthetic" "$work/corpus.list"
  measure "$copies distinct synthetic drivers" "$work/synthetic.list"
fi
if [ -n "$baseline" ]; then
  for exe in drvsec baseline; do
    path=$drvsec; [ $exe = baseline ] && path=$baseline
    "$path" scan --files-from "$work/corpus.list" --depth headers --jobs "$jobs" --format jsonl -o "$work/$exe.jsonl" --quiet || true
  done
  cmp -s "$work/drvsec.jsonl" "$work/baseline.jsonl" && echo "jsonl of the corpus: identical" || echo "jsonl of the corpus: DIFFERENT"
fi
