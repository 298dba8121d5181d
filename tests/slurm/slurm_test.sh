#!/usr/bin/env bash
# A sharded scan on a real (one-node) Slurm cluster: the merged reports must be exactly those of one
# unsharded scan of the same list.
#
#   tests/slurm/slurm_test.sh DRVSEC FIXTURE_DIR SOURCE_DIR OUTPUT_DIR NODE
#
# 1. starts the cluster of scripts/slurm/cluster.sh (own munged, slurmctld, slurmd on loopback;
#    NodeName is this machine's hostname), under a fresh directory in /tmp;
# 2. submits, with scripts/slurm/submit.sh, the array job of N = 4 shards over the fixture drivers
#    and the third-party drivers of .cache/thirdparty, and the dependent merge job (json, sarif);
#    waits for them with a bound;
# 3. compares merged.json and merged.sarif with `drvsec scan --files-from LIST` byte for byte;
# 4. deletes one shard's output and re-runs the merge job: exit 3, naming the shard and each of
#    its packages;
# 5. re-submits that shard alone (submit.sh --tasks): only its output is written again, and the
#    merged reports equal the single scan again.
# The cluster is stopped on every exit (trap). Where it cannot start, the test fails with
# cluster.sh's reason and daemon logs; it is never skipped. Every wait is bounded.
set -euo pipefail

if [ $# -ne 5 ]; then
  echo "usage: $0 DRVSEC FIXTURE_DIR SOURCE_DIR OUTPUT_DIR NODE" >&2
  exit 2
fi
drvsec=$(realpath -e "$1") fixtures=$(realpath -e "$2") source_dir=$(realpath -e "$3") out_root=$(realpath -m "$4")
node=$(command -v "$5") || { echo "slurm_test: FAIL: no node at $5" >&2; exit 1; }
n=4
slurm=$source_dir/scripts/slurm
t0=$SECONDS
# Everything but stopping the cluster ends within this many seconds (ctest's TIMEOUT is larger, so
# the trap below always gets to stop the daemons, which setsid() out of ctest's reach).
deadline=$((t0 + ${SLURM_TEST_DEADLINE:-480}))

say() { echo "slurm_test: $*" >&2; }
fail() {
  say "FAIL: $*"
  exit 1
}
# Seconds left until the deadline (at least 1), for timeout(1).
left() {
  local s=$((deadline - SECONDS))
  echo $((s > 0 ? s : 1))
}

# A Slurm environment around the test (when it runs inside a job) must not steer these jobs.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^SLURM_' || true)

work=$out_root/slurm
rm -rf "$work"
mkdir -p "$work" "$out_root/sarif"
cd "$work"
# Short: the daemons' Unix socket paths live under it.
cluster=$(mktemp -d /tmp/drvsec-slurm.XXXXXX)

show_job_logs() {
  local f
  for f in "$work"/out/logs/*.out; do
    [ -s "$f" ] || continue
    echo "---- $f" >&2
    tail -n 20 "$f" >&2
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ((rc == 0)) || show_job_logs
  if [ -d "$cluster" ]; then
    # cluster.sh stop is bounded itself (scancel, SIGTERM, then SIGKILL); this is a last guard.
    timeout 90 "$slurm/cluster.sh" stop "$cluster" || { say "FAIL: the cluster did not stop cleanly"; rc=1; }
  fi
  rm -rf "$cluster"
  say "$( ((rc == 0)) && echo passed || echo failed) in $((SECONDS - t0)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the corpus: what the engine tests scan (tests/unit/engine_shard_test.cpp), absolute paths
[ -x "$drvsec" ] || fail "no drvsec executable at $drvsec"
[ -d "$fixtures" ] || fail "no fixture folder $fixtures"
list=$work/list.txt
{
  find "$fixtures" -maxdepth 1 -type f
  [ ! -d "$source_dir/.cache/thirdparty" ] || find "$source_dir/.cache/thirdparty" -type f -iname '*.sys'
} | LC_ALL=C sort >"$list"
drivers=$(grep -c '\.sys$' "$list" || true)
((drivers >= 2 * n)) || fail "only $drivers drivers in $fixtures and .cache/thirdparty (run scripts/setup.sh and build the fixtures)"
say "corpus: $(wc -l <"$list") files, $drivers drivers"

# --- the cluster
t_start=$SECONDS
env_line=$(timeout "$(left)" "$slurm/cluster.sh" start "$cluster") \
  || fail "the one-node Slurm cluster did not start (cluster.sh's reason and daemon logs above)"
eval "$env_line"
[ "${SLURM_CONF:-}" = "$cluster/slurm.conf" ] || fail "cluster.sh printed no SLURM_CONF ($env_line)"
host=$(hostname -s)
grep -q "^NodeName=$host " "$SLURM_CONF" || fail "slurm.conf does not name this host ($host) as its node"
say "cluster up in $((SECONDS - t_start)) s (node $host)"

# Waits until every job (and array task) given has ended, until the deadline; fails unless all
# COMPLETED. Jobs stay known to scontrol for MinJobAge (600 s) after they end.
wait_jobs() {
  local info one id states state pending
  while :; do
    info=
    for id in "$@"; do
      one=$(timeout 10 scontrol -o show job "$id" 2>&1) || fail "scontrol show job $id failed: $one"
      info+=$one$'\n'
    done
    states=$(grep -o 'JobState=[A-Z_]*' <<<"$info" | cut -d= -f2)
    pending=0
    for state in $states; do
      case $state in
        COMPLETED) ;;
        PENDING | RUNNING | CONFIGURING | COMPLETING | SUSPENDED | REQUEUED | RESIZING) pending=1 ;;
        *) fail "a job of $* ended $state: $(grep -o 'JobId=[0-9]* .*JobState=[A-Z_]* Reason=[^ ]*' <<<"$info" | tr '\n' ';')" ;;
      esac
    done
    grep -q 'Reason=DependencyNeverSatisfied' <<<"$info" && fail "job dependency never satisfied: $info"
    [ -n "$states" ] || fail "scontrol knows no job $*"
    ((pending)) || return 0
    ((SECONDS < deadline)) || fail "jobs $* not done in time: $(tr '\n' ';' <<<"$info" | head -c 2000)"
    sleep 0.5
  done
}

# Packages of a shard's jsonl output, one a line (its header record lists them).
shard_packages() {
  "$node" -e 'const fs = require("fs");
    const header = JSON.parse(fs.readFileSync(process.argv[1], "utf8").split("\n", 1)[0]);
    for (const key of header.packages) console.log(key);' "$1"
}

# File identity and time: a file written again (through rename) gets another.
stamp() { stat -c '%i %y' "$@"; }

# Both merged reports equal the single scan's (computed once, below), and so does the exit code.
check_merged() {
  local what=$1 f
  for f in json sarif; do
    [ -f out/merged.$f ] || fail "$what: no out/merged.$f"
    cmp -s single.$f out/merged.$f || {
      diff <(head -c 200000 single.$f) <(head -c 200000 out/merged.$f) | head -n 20 >&2 || true
      fail "$what: out/merged.$f differs from drvsec scan --files-from LIST --format $f"
    }
  done
  [ "$(cat out/merged.exit)" = "$single_rc" ] || fail "$what: merge exited $(cat out/merged.exit), the scan $single_rc"
}

# submit [OPTION...]: submit.sh's array job and merge job over the list (array_job, merge_job), and
# waits for both. --time is Slurm's own limit on each job, a bound beside ours; --mem is not
# enforced on this cluster (no cgroups), only checked against the node's memory.
submit() {
  local submitted
  array_job= merge_job=
  submitted=$(timeout 60 "$slurm/submit.sh" --formats json,sarif --time 10 --merge-time 10 --mem 256M --merge-mem 512M \
    "$@" "$drvsec" "$list" "$n" out) || fail "submit.sh $* failed"
  eval "$submitted"
  [[ $array_job =~ ^[0-9]+$ && $merge_job =~ ^[0-9]+$ ]] || fail "submit.sh printed no job ids: $submitted"
  wait_jobs "$array_job" "$merge_job"
}

# --- the array job and the merge job
t_jobs=$SECONDS
submit
tasks=$(timeout 10 scontrol -o show job "$array_job" | grep -c 'JobState=COMPLETED' || true)
((tasks == n)) || fail "array job $array_job has $tasks completed tasks, not $n"
say "array job $array_job ($n tasks) and merge job $merge_job done in $((SECONDS - t_jobs)) s"

for ((k = 1; k <= n; k++)); do
  [ -s out/shard-$k.jsonl ] || fail "no output of shard $k"
  grep -q "shard $k/$n on $host, job " out/logs/scan-"${array_job}"_$k.out || fail "shard $k did not run as task $k of $array_job"
  [[ $(cat out/shard-$k.exit) =~ ^[013]$ ]] || fail "shard $k: odd exit code $(cat out/shard-$k.exit)"
done

# --- the same list in one process
single_rc=0
timeout "$(left)" "$drvsec" scan --files-from "$list" --format json -o single.json || single_rc=$?
rc=0
timeout "$(left)" "$drvsec" scan --files-from "$list" --format sarif -o single.sarif || rc=$?
((rc == single_rc)) || fail "the json and sarif scans exited $single_rc and $rc"
[[ $single_rc =~ ^[01]$ ]] || fail "the single scan exited $single_rc (an input it could not analyze?)"
check_merged "$n shards on Slurm"
cp out/merged.sarif "$out_root/sarif/slurm-merged.sarif"   # schema-validated after the suite
say "merged json and sarif equal the single scan (exit $single_rc)"

# --- a shard's output missing: the merge names it and each of its packages, and exits 3
gone=2
mapfile -t lost < <(shard_packages out/shard-$gone.jsonl)
((${#lost[@]})) || fail "shard $gone holds no package"
rm out/shard-$gone.jsonl
merge_again=$(timeout 30 sbatch --parsable --chdir="$work" --time=10 --output="$work/out/logs/remerge-%j.out" \
  "$slurm/drvsec-merge.sbatch" "$drvsec" "$list" "$n" "$work/out" json) || fail "sbatch of the merge job failed"
merge_again=${merge_again%%;*}
wait_jobs "$merge_again"
log=out/logs/remerge-$merge_again.out
[ "$(cat out/merged.exit)" = 3 ] || fail "merge without shard $gone exited $(cat out/merged.exit), not 3"
grep -q "shard $gone/$n is missing" "$log" || fail "the merge did not say that shard $gone/$n is missing"
for key in "${lost[@]}"; do
  grep -qxF "drvsec: missing: $key (shard $gone/$n)" "$log" || fail "the merge did not name the missing package $key"
done
named=$(grep -o "shard $gone/$n is missing" out/merged.json | wc -l)
((named >= ${#lost[@]})) || fail "merged.json names $named of the ${#lost[@]} packages of shard $gone"
say "without shard $gone: exit 3, ${#lost[@]} missing packages named"

# --- re-running that shard alone writes its output only
others=()
for ((k = 1; k <= n; k++)); do ((k == gone)) || others+=(out/shard-$k.jsonl); done
before=$(stamp "${others[@]}")
submit --tasks $gone
[ "$(stamp "${others[@]}")" = "$before" ] || fail "re-running shard $gone touched other shards' output"
check_merged "shard $gone re-run"
say "shard $gone re-run alone: the other shards untouched, merged reports equal the single scan again"
