#!/usr/bin/env python3
"""Where a wasm module's code bytes go, by function and by crate, from its `name` section.

Usage: python3 bench/wasm-sizes.py MODULE.wasm [TOP] [--callers SUBSTRING]
(build unstripped first: scripts/bench size does it). A small stand-in for `twiggy top`,
which is not installable here without compiling it."""
import re
import sys
from collections import Counter


def leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def sections(data):
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, pos = leb(data, pos + 1)
        yield sid, data[pos:pos + size]
        pos += size


def crate_of(name):
    """The crate a (mangled) symbol belongs to: the first path segment, or for
    `<Type as Trait>::f` the type's crate."""
    if name.startswith("_R"):
        m = re.search(r"C[sh][0-9a-zA-Z]*_(\d+)([A-Za-z_][A-Za-z0-9_]*)", name)
        if m:
            return m.group(2)[: int(m.group(1))]
        m = re.search(r"C(\d+)([A-Za-z_][A-Za-z0-9_]*)", name)
        return m.group(2)[: int(m.group(1))] if m else "?"
    if name.startswith("_ZN"):
        m = re.match(r"_ZN(\d+)", name)
        segment = name[m.end(): m.end() + int(m.group(1))]
        segment = segment.replace("$LT$", "<").replace("$RF$", "&").replace("$u20$", " ")
        segment = re.sub(r"^_?[<&\s]*(mut |dyn |const )*[<&\s]*", "", segment)
        return re.split(r"\.\.|<|>|\s|\$", segment)[0] or "?"
    return re.split(r"::|\[|<| |\.", name.lstrip("_<&"))[0] or "?"


def main():
    data = open(sys.argv[1], "rb").read()
    args = [a for a in sys.argv[2:] if not a.startswith("--")]
    top = int(args[0]) if args and args[0].isdigit() else 30
    callers_of = sys.argv[sys.argv.index("--callers") + 1] if "--callers" in sys.argv else None
    imported = 0
    bodies = []
    code = []
    names = {}
    data_bytes = 0
    for sid, body in sections(data):
        if sid == 2:  # imports: functions among them take the first indices
            count, pos = leb(body, 0)
            for _ in range(count):
                for _ in range(2):
                    n, pos = leb(body, pos)
                    pos += n
                kind = body[pos]
                pos += 1
                if kind == 0:
                    _, pos = leb(body, pos)
                    imported += 1
                elif kind == 1:
                    pos += 1
                    flags, pos = leb(body, pos)
                    _, pos = leb(body, pos)
                    if flags & 1:
                        _, pos = leb(body, pos)
                elif kind == 2:
                    flags, pos = leb(body, pos)
                    _, pos = leb(body, pos)
                    if flags & 1:
                        _, pos = leb(body, pos)
                elif kind == 3:
                    pos += 2
                elif kind == 4:
                    pos += 1
                    _, pos = leb(body, pos)
        elif sid == 10:
            count, pos = leb(body, 0)
            for _ in range(count):
                size, pos = leb(body, pos)
                bodies.append(size)
                code.append(body[pos:pos + size])
                pos += size
        elif sid == 11:
            data_bytes += len(body)
        elif sid == 0:
            n, pos = leb(body, 0)
            if body[pos:pos + n] != b"name":
                continue
            pos += n
            while pos < len(body):
                sub = body[pos]
                size, pos = leb(body, pos + 1)
                end = pos + size
                if sub == 1:
                    count, p = leb(body, pos)
                    for _ in range(count):
                        idx, p = leb(body, p)
                        n, p = leb(body, p)
                        names[idx] = body[p:p + n].decode("utf-8", "replace")
                        p += n
                pos = end
    total = sum(bodies)
    print(f"module {len(data)} bytes; code {total}; data segments {data_bytes}; functions {len(bodies)}")
    per_fn = []
    by_crate = Counter()
    for i, size in enumerate(bodies):
        name = names.get(imported + i, f"func[{imported + i}]")
        per_fn.append((size, name))
        by_crate[crate_of(name)] += size
    print("\nby crate (code bytes):")
    for crate, size in by_crate.most_common(top):
        print(f"{size:9d} {100 * size / total:5.1f}%  {crate}")
    if callers_of:
        # `call` is opcode 0x10 followed by the callee's index (LEB128). Scanning bytes finds
        # every real call and, rarely, an immediate that looks like one: good enough to look.
        targets = {i for i, n in names.items() if callers_of in n}
        print(f"\ncallers of {len(targets)} functions matching {callers_of!r}:")
        for i, body in enumerate(code):
            hits = set()
            for at in range(len(body) - 1):
                if body[at] == 0x10:
                    callee, _ = leb(body, at + 1)
                    if callee in targets:
                        hits.add(callee)
            if hits:
                print(f"  {names.get(imported + i, imported + i)[:150]}")
        return
    print("\nlargest functions:")
    for size, name in sorted(per_fn, reverse=True)[:top]:
        print(f"{size:9d}  {name[:140]}")


main()
