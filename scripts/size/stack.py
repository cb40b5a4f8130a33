#!/usr/bin/env python3
"""Worst-case stack of functions in a Cortex-M ELF, from its disassembly.

    stack.py ELF [PREFIX]      (default prefix: stack_)

Frame of a function = 4 bytes per register in `push` + 8 per register in `vpush` +
every `sub sp, #imm`. Worst case = frame + the largest worst case among the functions
it calls (`bl`, `b.w`/`b` to another function). Recursion and indirect calls (`blx rN`)
are reported, not followed. Prints a Markdown table for functions named PREFIX*.
Needs llvm-objdump (Debian package llvm) or arm-none-eabi-objdump.
"""

import re
import shutil
import subprocess
import sys

elf = sys.argv[1]
prefix = sys.argv[2] if len(sys.argv) > 2 else "stack_"
objdump = shutil.which("llvm-objdump") or shutil.which("arm-none-eabi-objdump")
if not objdump:
    sys.exit("stack.py: needs llvm-objdump (apt-get install llvm) or arm-none-eabi-objdump")
text = subprocess.run([objdump, "-d", "--no-show-raw-insn", "-C", elf], capture_output=True, text=True, check=True).stdout

import struct

with open(elf, "rb") as fh:
    image = fh.read()
shoff, = struct.unpack_from("<I", image, 0x20)
shentsize, shnum = struct.unpack_from("<HH", image, 0x2E)
segments = []  # (addr, offset, size) of allocated sections
for i in range(shnum):
    _n, typ, flags, addr, off, size = struct.unpack_from("<IIIIII", image, shoff + i * shentsize)
    if flags & 2 and typ != 8:  # SHF_ALLOC, not NOBITS
        segments.append((addr, off, size))


def word_at(addr):
    for a, o, n in segments:
        if a <= addr < a + n - 3:
            return struct.unpack_from("<I", image, o + addr - a)[0]
    return None


func_re = re.compile(r"^([0-9a-f]+) <(.+)>:$")
call_re = re.compile(r"\b(bl|b\.w|b)\s+(?:0x)?[0-9a-f]+ <([^>+]+)>")
frames, calls, indirect = {}, {}, set()
addresses = {}  # function start address -> name
literal = {}  # register -> address loaded from a literal pool (in the current function)
pending_blx = []  # (function, literal word)
cur = None
for line in text.splitlines():
    m = func_re.match(line.strip())
    if m and m.group(2).startswith("$"):
        continue  # ARM mapping symbols ($t code, $d data) inside a function
    if m:
        cur = m.group(2)
        addresses[int(m.group(1), 16)] = cur
        literal = {}
        frames.setdefault(cur, 0)
        calls.setdefault(cur, set())
        continue
    if cur is None or ":" not in line:
        continue
    ins = line.split(":", 1)[1].strip()
    op = ins.split(None, 1)[0] if ins else ""
    args = ins.split(None, 1)[1] if len(ins.split(None, 1)) > 1 else ""
    if op in ("push", "push.w", "stmdb") and (op != "stmdb" or args.startswith("sp!")):
        regs = re.search(r"\{(.*)\}", args)
        if regs:
            n = 0
            for r in regs.group(1).split(","):
                r = r.strip()
                if "-" in r:
                    a, b = r.split("-")
                    n += int(b.strip()[1:]) - int(a.strip()[1:]) + 1
                elif r:
                    n += 1
            frames[cur] += 4 * n
    elif op in ("vpush", "vpush.64"):
        regs = re.search(r"\{(.*)\}", args)
        if regs:
            n = 0
            for r in regs.group(1).split(","):
                r = r.strip()
                if "-" in r:
                    a, b = r.split("-")
                    n += int(b.strip()[1:]) - int(a.strip()[1:]) + 1
                elif r:
                    n += 1
            frames[cur] += 8 * n
    elif op in ("sub", "sub.w", "subw") and re.match(r"sp,\s*(sp,\s*)?#", args):
        frames[cur] += int(re.search(r"#(0x[0-9a-f]+|\d+)", args).group(1), 0)
    elif op in ("ldr", "ldr.w") and "[pc" in args:
        lm = re.match(r"(r\d+|lr|ip),.*@ 0x([0-9a-f]+)", args)
        if lm:
            literal[lm.group(1)] = word_at(int(lm.group(2), 16))
    elif op == "blx" and not args.startswith("0x"):
        target = literal.get(args.strip())
        if target is None:
            indirect.add(cur)
        else:
            pending_blx.append((cur, target & ~1))
    m = call_re.search(ins)
    if m and m.group(2) != cur and not m.group(2).startswith("$"):
        calls[cur].add(m.group(2))

for f, target in pending_blx:
    if target in addresses:
        calls[f].add(addresses[target])
    else:
        indirect.add(f)

memo, notes = {}, set()


def worst(f, path=()):
    if f in path:
        notes.add(f"recursion through {f}")
        return 0
    if f in memo:
        return memo[f]
    if f in indirect:
        notes.add(f"indirect call in {f}")
    w = frames.get(f, 0) + max((worst(c, path + (f,)) for c in calls.get(f, ())), default=0)
    memo[f] = w
    return w


entry_re = re.compile(r"(?:^|::)" + re.escape(prefix) + r"(\w+?)(?:::h[0-9a-f]{16})?$")
rows = sorted((entry_re.search(f).group(1), f) for f in frames if entry_re.search(f))
print("| entry point | own frame (bytes) | worst case incl. callees (bytes) |")
print("|---|---:|---:|")
for name, f in rows:
    print(f"| `{name}` | {frames[f]} | {worst(f)} |")
for n in sorted(notes):
    print(f"\nnote: {n}")
