#!/usr/bin/env bash
# Submits a sharded drvsec scan to Slurm: an array job of N shards, then a merge job that runs
# when every shard has succeeded (afterok). See docs/scale.md.
#
#   scripts/slurm/submit.sh [OPTION...] DRVSEC LIST N OUTDIR [--] [SCAN_OPTION...]
#
# DRVSEC  the drvsec executable (a path visible from the compute nodes, or a name on their PATH)
# LIST    file of driver paths, one per line or NUL-separated (see drvsec scan --files-from);
#         relative paths in it are relative to the directory submit.sh is run from
# N       number of shards (array tasks 1..N)
# OUTDIR  shared output directory: shard-K.jsonl, shard-K.exit, merged.json, merged.exit, logs/
# SCAN_OPTION...  passed to every `drvsec scan` (e.g. --depth headers --blocklist FILE)
#
# Options:
#   --partition P        partition for both jobs
#   --account A          account for both jobs
#   --time T             time limit of each shard (sbatch --time)
#   --merge-time T       time limit of the merge job
#   --merge-cpus C       CPUs of the merge job, also its drvsec merge --jobs (default 1)
#   --cpus-per-task C    CPUs per shard, also its drvsec --jobs (default 1)
#   --mem M              memory per shard (sbatch --mem)
#   --merge-mem M        memory of the merge job (it holds every shard's records: see docs/scale.md)
#   --formats LIST       merged reports, a comma-separated subset of json,sarif,text (default json)
#   --tasks SPEC         array task ids to (re)submit, e.g. 3,7 (default 1-N); the merge job
#                        then waits for these only and merges all N shards
#   --max-running M      at most M shards running at once (sbatch --array=...%M)
#   --sbatch-arg ARG     extra sbatch option for both jobs (repeatable)
#   --merge-arg ARG      extra option for drvsec merge (repeatable); a --fail-on among the
#                        SCAN_OPTIONs is passed to drvsec merge too, unless one is given here
#   --no-merge           submit the array job only
#
# Prints `array_job=ID` and `merge_job=ID` on stdout (sourceable); the rest goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)

die() { echo "submit: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }

common=() shard_opts=() merge_opts=() merge_args=()
formats=json tasks= max_running= cpus=1 merge_cpus=1 do_merge=1
while (($#)); do
  case $1 in
    --partition | --account | --time | --merge-time | --merge-cpus | --cpus-per-task | --mem | --merge-mem | \
      --formats | --tasks | --max-running | --sbatch-arg | --merge-arg)
      (($# >= 2)) || die "$1 needs a value"
      opt=$1 val=$2
      shift 2
      ;;
    --no-merge) do_merge=0; shift; continue ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) die "unknown option $1 (options come before DRVSEC; scan options after OUTDIR)" ;;
    *) break ;;
  esac
  case $opt in
    --partition) common+=(--partition="$val") ;;
    --account) common+=(--account="$val") ;;
    --time) shard_opts+=(--time="$val") ;;
    --merge-time) merge_opts+=(--time="$val") ;;
    --cpus-per-task) [[ $val =~ ^[1-9][0-9]*$ ]] || die "--cpus-per-task must be a positive integer"; cpus=$val ;;
    --merge-cpus) [[ $val =~ ^[1-9][0-9]*$ ]] || die "--merge-cpus must be a positive integer"; merge_cpus=$val ;;
    --mem) shard_opts+=(--mem="$val") ;;
    --merge-mem) merge_opts+=(--mem="$val") ;;
    --formats) formats=$val ;;
    --tasks) [[ $val =~ ^[0-9,-]+$ ]] || die "--tasks takes ids and ranges like 1-4,7"; tasks=$val ;;
    --max-running) [[ $val =~ ^[1-9][0-9]*$ ]] || die "--max-running must be a positive integer"; max_running=$val ;;
    --sbatch-arg) common+=("$val") ;;
    --merge-arg) merge_args+=("$val") ;;
  esac
done
(($# >= 4)) || usage
drvsec=$1 list=$2 n=$3 outdir=$4
shift 4
[ "${1:-}" = -- ] && shift
scan_args=("$@")

[[ $n =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$n'"
for f in ${formats//,/ }; do
  case $f in json | sarif | text) ;; *) die "unknown format '$f' in --formats (json, sarif, text)" ;; esac
done
# The merged report's exit code follows the shards' --fail-on, unless --merge-arg names one.
merge_fail_on=()
for ((i = 0; i < ${#scan_args[@]}; i++)); do
  case ${scan_args[i]} in
    --fail-on) merge_fail_on=(--fail-on "${scan_args[i + 1]:-}") ;;
    --fail-on=*) merge_fail_on=("${scan_args[i]}") ;;
  esac
done
for a in "${merge_args[@]}"; do
  case $a in --fail-on | --fail-on=*) merge_fail_on=() ;; esac
done
for a in "${scan_args[@]}"; do
  case $a in
    --format | --format=* | -o | -o* | --output | --output=* | --shard | --shard=* | --files-from | --files-from=* | \
      --report-dir | --report-dir=*)
      die "scan option $a is set by the job scripts; pass the others only" ;;
  esac
done
command -v sbatch >/dev/null || die "sbatch not found (is this a Slurm login node?)"

# Absolute paths: the jobs may start in another directory on another node.
if [[ $drvsec == */* ]]; then
  [ -x "$drvsec" ] || die "DRVSEC $drvsec is not an executable file"
  drvsec=$(cd "$(dirname "$drvsec")" && pwd -P)/$(basename "$drvsec")
fi
[ "$list" != - ] || die "LIST must be a file (the jobs cannot read submit.sh's standard input)"
[ -f "$list" ] && [ -r "$list" ] || die "cannot read the file list $list"
list=$(cd "$(dirname "$list")" && pwd -P)/$(basename "$list")
mkdir -p "$outdir/logs"
outdir=$(cd "$outdir" && pwd -P)
for f in "$outdir"/shard-*.jsonl; do
  [ -e "$f" ] || continue
  k=${f##*/shard-}
  k=${k%.jsonl}
  [[ $k =~ ^[0-9]+$ ]] && ((k > n)) && echo "submit: note: $f is from a run with more shards; it is not merged" >&2
done

array_spec=${tasks:-1-$n}${max_running:+%$max_running}
array_job=$(sbatch --parsable "${common[@]}" "${shard_opts[@]}" --array="$array_spec" --cpus-per-task="$cpus" \
  --chdir="$PWD" --output="$outdir/logs/scan-%A_%a.out" \
  "$here/drvsec-array.sbatch" "$drvsec" "$list" "$n" "$outdir" "${scan_args[@]}")
array_job=${array_job%%;*}
echo "submit: array job $array_job: shards $array_spec of $n -> $outdir/shard-K.jsonl" >&2
echo "array_job=$array_job"

if ((do_merge)); then
  merge_job=$(sbatch --parsable "${common[@]}" "${merge_opts[@]}" --dependency="afterok:$array_job" \
    --kill-on-invalid-dep=yes --cpus-per-task="$merge_cpus" --chdir="$PWD" --output="$outdir/logs/merge-%j.out" \
    "$here/drvsec-merge.sbatch" "$drvsec" "$list" "$n" "$outdir" "$formats" "${merge_fail_on[@]}" "${merge_args[@]}")
  merge_job=${merge_job%%;*}
  echo "submit: merge job $merge_job after $array_job -> $outdir/merged.{${formats//text/txt}}" >&2
  echo "merge_job=$merge_job"
fi
