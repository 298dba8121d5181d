#!/usr/bin/env bash
# IOCTL recovery measurement on the ioctlance corpus (or DIR), one core:
#   bench/ioctl_recovery.sh [DIR] [--verbose]
# Prints the share of WDM drivers whose DEVICE_CONTROL routine was found, IOCTL codes recovered
# and median/p95 time per driver. Build first (scripts/build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/../shared/corpus/ioctlance}
[ -d "$dir" ] || dir=/work/shared/corpus/ioctlance
shift || true
exec taskset -c 0 "${BUILD_DIR:-$root/build}/bench/drvsec_bench_ioctl_recovery" "$dir" "$@"
