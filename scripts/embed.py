#!/usr/bin/env python3
"""Turn files into a C array of {name, data, size, sha256} so the binary carries them.

usage: embed.py OUTPUT.c SYMBOL FILE...
Emits `const struct embedded_file SYMBOL[]` and `const size_t SYMBOL_count`, sorted by base name
(migrations rely on that order). Data is NUL-terminated for convenience; size excludes the NUL.
"""
import hashlib
import os
import sys


def c_bytes(data: bytes) -> str:
    out = []
    for i in range(0, len(data), 24):
        out.append(",".join(str(b) for b in data[i:i + 24]))
    return ",\n".join(out)


def main() -> None:
    output, symbol, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    paths = sorted(paths, key=os.path.basename)
    parts = ['#include "embedded.h"\n']
    entries = []
    for i, path in enumerate(paths):
        with open(path, "rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        body = c_bytes(data + bytes(1))
        parts.append(f"static const unsigned char {symbol}_{i}[] = {{\n{body}\n}};\n")
        entries.append(f'  {{"{os.path.basename(path)}", (const char *){symbol}_{i}, {len(data)}u, "{digest}"}}')
    parts.append(f"const struct embedded_file {symbol}[] = {{\n" + ",\n".join(entries) + "\n};\n")
    parts.append(f"const size_t {symbol}_count = {len(paths)};\n")
    with open(output, "w") as f:
        f.write("".join(parts))


if __name__ == "__main__":
    main()
