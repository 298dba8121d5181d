#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for tests (Debian 12, as root).
#
#   scripts/slurm/cluster.sh start DIR    # prints `export SLURM_CONF=...`; also written to DIR/env
#   scripts/slurm/cluster.sh stop DIR
#   scripts/slurm/cluster.sh status DIR
#
# Everything lives under DIR: its own munge key and munged (socket, pid, log, seed), slurm.conf,
# state, spool, logs and pid files, so it neither needs nor disturbs a system munged or Slurm.
# The daemons bind to 127.0.0.1 only (NodeAddr, SlurmctldHost address, NoInAddrAny) on free ports;
# nothing is contacted beyond loopback. The only network access is apt-get, and only when one of
# the Debian packages is missing.
#
# Progress and errors go to stderr; stdout carries only the export line, so
# `eval "$(scripts/slurm/cluster.sh start DIR)"` works.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../lib/debian.sh"

packages=(slurmctld slurmd slurm-client munge)
start_timeout=${CLUSTER_START_TIMEOUT:-60}   # seconds until the node must be idle
stop_timeout=${CLUSTER_STOP_TIMEOUT:-15}     # seconds for the daemons to exit after SIGTERM

say() { echo "cluster: $*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
}

# The packaged services are not used (they would want /etc/slurm/slurm.conf); in a container,
# policy-rc.d keeps Debian from starting them on install, and elsewhere they do no harm.
install_missing() { install_missing_debs cluster "${packages[@]}"; }

# A TCP port nothing listens on, below the ephemeral range (so no outgoing connection takes it
# meanwhile), and not one of the ports given as arguments.
free_port() {
  local used port _
  local _sl local_addr _rem st _rest
  used=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | while read -r _sl local_addr _rem st _rest; do
    [ "$st" = 0A ] && [[ $local_addr == *:* ]] && echo $((16#${local_addr##*:}))
  done | sort -un || true)
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    grep -qx "$port" <<<"$used" && continue
    [[ " $* " == *" $port "* ]] && continue
    echo "$port"
    return 0
  done
  die "no free TCP port found in 20000-31999"
}

# True while PID runs (a zombie, not yet reaped by an init that may never reap it, does not).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# The pid in FILE if that process is alive and is NAME (a reused pid is not ours).
live_pid() {
  local file=$1 name=$2 pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && alive "$pid" || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  echo "$pid"
}

show_logs() {
  local f
  for f in "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/munge/munged.log"; do
    [ -s "$f" ] || continue
    echo "---- tail of $f" >&2
    tail -n 25 "$f" >&2
  done
}

fail_start() {
  say "error: $*"
  show_logs
  say "stopping what was started"
  stop_daemons || true
  exit 1
}

# Sends SIGTERM to each NAME:PIDFILE given, then waits (all together) up to stop_timeout seconds
# for them to exit; what is left gets SIGKILL.
stop_daemons_named() {
  local spec name file pid rc=0 deadline=$((SECONDS + stop_timeout))
  local -A pids=()
  for spec in "$@"; do
    name=${spec%%:*} file=${spec#*:}
    if pid=$(live_pid "$file" "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids[$pid]=$name
    fi
    rm -f "$file"
  done
  while ((${#pids[@]})); do
    for pid in "${!pids[@]}"; do
      if ! alive "$pid"; then
        say "stopped ${pids[$pid]} (pid $pid)"
        unset "pids[$pid]"
      fi
    done
    ((${#pids[@]})) || break
    if ((SECONDS >= deadline)); then
      for pid in "${!pids[@]}"; do
        say "${pids[$pid]} (pid $pid) still running after ${stop_timeout}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      done
      sleep 0.5
      for pid in "${!pids[@]}"; do
        alive "$pid" && { say "error: ${pids[$pid]} (pid $pid) did not exit"; rc=1; }
      done
      break
    fi
    sleep 0.1
  done
  return "$rc"
}

# slurmstepd processes (and what they run) of this cluster: slurmd hands them its environment,
# which carries SLURM_CONF=DIR/slurm.conf.
cluster_steps() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] || continue
    { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$dir/slurm.conf" && echo "${p#/proc/}"
  done
  return 0
}

# The pids of PID's descendants, then PID.
process_tree() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do process_tree "$child"; done
  echo "$1"
}

stop_daemons() {
  local rc=0 jobs steps pid
  # Running jobs first: their slurmstepd would outlive slurmd.
  if live_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null && [ -f "$dir/slurm.conf" ]; then
    export SLURM_CONF="$dir/slurm.conf"
    if jobs=$(timeout 10 squeue -h -o %i 2>/dev/null) && [ -n "$jobs" ]; then
      timeout 10 scancel --quiet $jobs >/dev/null 2>&1 || true
      # KillWait (5 s) is when slurmstepd escalates to SIGKILL; give it a little more.
      local deadline=$((SECONDS + 10))
      while ((SECONDS < deadline)) && [ -n "$(timeout 5 squeue -h -t running,completing -o %i 2>/dev/null)" ]; do
        sleep 0.2
      done
    fi
  fi
  stop_daemons_named "slurmd:$dir/run/slurmd.pid" "slurmctld:$dir/run/slurmctld.pid" || rc=1
  steps=$(cluster_steps)
  if [ -n "$steps" ]; then
    say "killing job steps left by slurmd: $(echo $steps)"
    for pid in $steps; do kill -KILL $(process_tree "$pid") 2>/dev/null || true; done
    sleep 0.2
    [ -z "$(cluster_steps)" ] || { say "error: slurmstepd still running: $(echo $(cluster_steps))"; rc=1; }
  fi
  # munged last: slurmctld and slurmd authenticate their last messages with it.
  stop_daemons_named "munged:$dir/munge/munged.pid" || rc=1
  return "$rc"
}

write_conf() {
  local host=$1 ctld_port=$2 slurmd_port=$3 cpus mem_mb
  cpus=$(nproc)
  mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 / 2) }' /proc/meminfo)
  ((mem_mb > 1024)) && mem_mb=1024
  ((mem_mb >= 64)) || mem_mb=64
  cat >"$dir/slurm.conf" <<EOF
# One-node test cluster written by scripts/slurm/cluster.sh; everything under $dir.
ClusterName=drvsec-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket.2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  local t0 host ctld_port slurmd_port state waited
  t0=$(date +%s.%N)
  [ "$(id -u)" -eq 0 ] || die "must run as root (SlurmUser=root, daemons own their files)"
  if live_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null || live_pid "$dir/run/slurmd.pid" slurmd >/dev/null \
    || live_pid "$dir/munge/munged.pid" munged >/dev/null; then
    die "a cluster is already running in $dir (stop it first: $0 stop $dir)"
  fi
  install_missing
  local b
  for b in munged mungekey slurmctld slurmd sinfo; do
    command -v "$b" >/dev/null || die "$b not found after installing ${packages[*]}"
  done

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  # munged refuses key, socket and log paths that others may write to.
  chmod 0700 "$dir"
  # Unix socket paths (munged's, slurmd's under its spool) hold at most 107 bytes.
  ((${#dir} <= 60)) || die "DIR $dir is too long for the daemons' Unix sockets (at most 60 characters; use mktemp -d)"
  rm -rf "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  mkdir -p -m 0700 "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  rm -f "$dir/munge/munge.socket.2" "$dir/munge/munge.socket.2.lock" "$dir/env"

  if [ ! -s "$dir/munge/munge.key" ]; then
    mungekey -c -k "$dir/munge/munge.key" || die "mungekey -c failed"
  fi
  chmod 0600 "$dir/munge/munge.key"
  timeout 30 munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket.2" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" || fail_start "munged did not start"
  waited=0
  until [ -S "$dir/munge/munge.socket.2" ] && live_pid "$dir/munge/munged.pid" munged >/dev/null; do
    ((waited < 100)) || fail_start "munged did not create its socket within 10 s"
    sleep 0.1
    waited=$((waited + 1))
  done
  echo probe | munge --socket="$dir/munge/munge.socket.2" | unmunge --socket="$dir/munge/munge.socket.2" >/dev/null \
    || fail_start "munge credential round trip failed"

  host=$(hostname -s)
  ctld_port=$(free_port)
  slurmd_port=$(free_port "$ctld_port")
  write_conf "$host" "$ctld_port" "$slurmd_port"
  export SLURM_CONF="$dir/slurm.conf"

  # Both daemonize: the command returns once the daemon has forked off (bounded all the same).
  timeout 30 slurmctld -f "$SLURM_CONF" || fail_start "slurmctld did not start (exit $?)"
  timeout 30 slurmd -f "$SLURM_CONF" || fail_start "slurmd did not start (exit $?)"

  local deadline=$((SECONDS + start_timeout))
  while :; do
    state=$(timeout 10 sinfo -h -N -n "$host" -o '%T' 2>/dev/null | head -n 1 || true)
    [ "$state" = idle ] && break
    live_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null || { sleep 0.5; live_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null; } \
      || fail_start "slurmctld exited"
    live_pid "$dir/run/slurmd.pid" slurmd >/dev/null || { sleep 0.5; live_pid "$dir/run/slurmd.pid" slurmd >/dev/null; } \
      || fail_start "slurmd exited"
    ((SECONDS < deadline)) || fail_start "node $host not idle within ${start_timeout}s (state: ${state:-none})"
    sleep 0.2
  done

  printf 'export SLURM_CONF=%q\n' "$SLURM_CONF" >"$dir/env"
  say "node $host idle (ports $ctld_port/$slurmd_port) after $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
  cat "$dir/env"
}

status() {
  local name file pid rc=0
  for name in munged slurmctld slurmd; do
    case $name in
      munged) file=$dir/munge/munged.pid ;;
      *) file=$dir/run/$name.pid ;;
    esac
    if pid=$(live_pid "$file" "$name"); then echo "$name running (pid $pid)"; else echo "$name not running"; rc=1; fi
  done
  if live_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null && [ -f "$dir/slurm.conf" ]; then
    SLURM_CONF="$dir/slurm.conf" timeout 10 sinfo -N 2>&1 || true
  fi
  return "$rc"
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case $cmd in
  start) start ;;
  stop)
    [ -d "$dir" ] || die "no such directory: $dir"
    dir=$(cd "$dir" && pwd -P)
    stop_daemons || { show_logs; die "some daemons of $dir did not stop"; }
    ;;
  status)
    [ -d "$dir" ] || die "no such directory: $dir"
    dir=$(cd "$dir" && pwd -P)
    status
    ;;
  *) usage ;;
esac
