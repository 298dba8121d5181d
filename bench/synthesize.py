#!/usr/bin/env python3
"""Synthetic corpus for the benchmarks: N distinct drivers made from the files of a list.

  bench/synthesize.py N DIR SOURCES.LIST

Writes DIR/driver_000000.sys ... (round robin over the sources) and lists them in DIR.list. Each copy
gets its counter written into the DOS stub's message (bytes 0x60..0x67), so every file has its own
digests while its PE headers, sections and signature stay those of its source; a file that is not a
PE image gets the counter appended.
"""
import pathlib
import sys

n, out, sources = int(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]).read_text().splitlines()
out.mkdir(parents=True, exist_ok=True)
data = [pathlib.Path(s).read_bytes() for s in sources]
with open(str(out) + ".list", "w") as listing:
    for i in range(n):
        b = bytearray(data[i % len(data)])
        if len(b) >= 0x80 and b[:2] == b"MZ":
            b[0x60:0x68] = i.to_bytes(8, "little")  # inside the DOS stub's message: the PE is unchanged
        else:
            b += i.to_bytes(8, "little")
        p = out / f"driver_{i:06d}.sys"
        p.write_bytes(b)
        listing.write(f"{p}\n")
