#!/usr/bin/env bash
# Builds one Windows kernel driver (.sys) from C sources on Linux.
#   build_driver.sh TOOLCHAIN OUTPUT ENTRY SOURCES... [--cflags FLAGS...] [--ldflags FLAGS...]
# SOURCES are C files or resource scripts (.rc, compiled with windres into a COFF object).
# TOOLCHAIN: mingw-x64 | mingw-x86 (gcc + GNU ld) or clang-x64 | clang-x86 (clang-14 + lld-link,
# MSVC-style linking: /guard:cf, /integritycheck, /merge, /section work there).
# A failed link can leave an empty file behind, so success means: exit 0 and a non-empty PE.
set -euo pipefail
toolchain=$1 out=$2 entry=$3
shift 3
sources=() cflags=() ldflags=() mode=src
for a in "$@"; do
  case "$a" in
    --cflags) mode=c ;;
    --ldflags) mode=l ;;
    *) case $mode in src) sources+=("$a") ;; c) cflags+=("$a") ;; l) ldflags+=("$a") ;; esac ;;
  esac
done
rm -f "$out"
# Replaces each .rc in sources with a COFF object compiled by the toolchain's windres ($tri).
rc_objects=()
compile_resources() {
  local s o kept=()
  for s in "${sources[@]}"; do
    if [[ "$s" == *.rc ]]; then
      o="$out.$(basename "$s").o"
      "$tri-windres" -O coff -i "$s" -o "$o"
      rc_objects+=("$o")
    else
      kept+=("$s")
    fi
  done
  sources=("${kept[@]}")
}
case "$toolchain" in
  mingw-x64 | mingw-x86)
    if [ "$toolchain" = mingw-x64 ]; then cc=x86_64-w64-mingw32-gcc tri=x86_64-w64-mingw32 sym=$entry
    else cc=i686-w64-mingw32-gcc tri=i686-w64-mingw32 sym="_${entry}@8"; fi
    compile_resources
    "$cc" -O2 -I"/usr/$tri/include/ddk" -Wno-multichar "${cflags[@]}" -shared -nostdlib -nostartfiles \
      -Wl,--subsystem,native -Wl,--entry,"$sym" -Wl,--nxcompat -Wl,--dynamicbase \
      -o "$out" "${sources[@]}" "${rc_objects[@]}" "${ldflags[@]}" -lntoskrnl -lhal  # libraries in ldflags follow the objects
    rm -f "${rc_objects[@]}"
    ;;
  clang-x64 | clang-x86)
    if [ "$toolchain" = clang-x64 ]; then tri=x86_64-w64-mingw32 target=x86_64-w64-windows-gnu machine=x64 sym=$entry
    else tri=i686-w64-mingw32 target=i686-w64-windows-gnu machine=x86 sym="${entry}@8" ldflags=(/safeseh:no "${ldflags[@]}"); fi
    compile_resources
    objs=("${rc_objects[@]}")
    for s in "${sources[@]}"; do
      o="$out.$(basename "$s").obj"
      clang-14 --target="$target" -O2 -I"/usr/$tri/include/ddk" -Wno-multichar "${cflags[@]}" -c "$s" -o "$o"
      objs+=("$o")
    done
    lld-link /nologo /driver /machine:"$machine" /subsystem:native /entry:"$sym" /nodefaultlib \
      "${ldflags[@]}" "${objs[@]}" "/usr/$tri/lib/libntoskrnl.a" "/usr/$tri/lib/libhal.a" /out:"$out"
    rm -f "${objs[@]}"
    ;;
  *) echo "build_driver.sh: unknown toolchain $toolchain" >&2; exit 2 ;;
esac
if [ ! -s "$out" ] || [ "$(head -c 2 "$out")" != "MZ" ]; then
  echo "build_driver.sh: $out was not produced (empty or not a PE)" >&2
  rm -f "$out"
  exit 1
fi
