#!/usr/bin/env python3
"""Prints the sizes of .text, .rodata, .data and .bss of 32/64-bit little-endian ELF files,
one line per file: `<path> text=<n> rodata=<n> data=<n> bss=<n>`. No tools needed
(llvm-size / arm-none-eabi-size give the same numbers)."""

import struct
import sys

WANTED = (".text", ".rodata", ".data", ".bss")


def sections(path):
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF":
        raise SystemExit(f"{path}: not an ELF file")
    is64 = elf[4] == 2
    if is64:
        shoff, = struct.unpack_from("<Q", elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    else:
        shoff, = struct.unpack_from("<I", elf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x2E)

    def header(i):
        base = shoff + i * shentsize
        if is64:
            name, _typ, _flags, _addr, off, size = struct.unpack_from("<IIQQQQ", elf, base)
        else:
            name, _typ, _flags, _addr, off, size = struct.unpack_from("<IIIIII", elf, base)
        return name, off, size

    _, str_off, _ = header(shstrndx)
    out = {k: 0 for k in WANTED}
    for i in range(shnum):
        name_off, _, size = header(i)
        end = elf.index(b"\0", str_off + name_off)
        name = elf[str_off + name_off:end].decode()
        for k in WANTED:
            if name == k or name.startswith(k + "."):
                out[k] += size
    return out


for p in sys.argv[1:]:
    s = sections(p)
    print(p, " ".join(f"{k[1:]}={v}" for k, v in s.items()))
