#!/usr/bin/env bash
# Configures and builds drvsec into build/ (or $BUILD_DIR), fixtures and samples included.
# Extra arguments go to cmake's configure step, e.g. -DDRVSEC_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja "$@" >/dev/null
ninja -C "$build" ${NINJA_JOBS:+-j "$NINJA_JOBS"}
