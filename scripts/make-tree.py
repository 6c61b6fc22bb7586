#!/usr/bin/env python3
"""Deterministic artifact trees for scripts/bench.

  make-tree.py SEED NFILES TOTAL_BYTES OUTDIR --shape src|deep|flat

Source-like sizes: 2 % empty files, 3 % blobs (log-normal, median 200 KiB),
the rest log-normal with median 4 KiB (sigma 1.3), capped at 8 MiB and
rescaled to TOTAL_BYTES ('flat': NFILES equal files of TOTAL_BYTES in all). 'deep' nests directories up to 24 levels, 'src'
up to 6, 'flat' puts every file in OUTDIR. Contents come from a seeded
64 MiB pool and every file starts with a unique header, so no two files
are equal. Same arguments, same tree.
"""
import argparse
import math
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("seed", type=int)
ap.add_argument("nfiles", type=int)
ap.add_argument("total", type=int)
ap.add_argument("out")
ap.add_argument("--shape", choices=["src", "deep", "flat"], default="src")
a = ap.parse_args()

rng = random.Random(a.seed)
POOL = rng.randbytes(64 << 20)
CAP = 8 << 20

sizes = []
for i in range(a.nfiles):
    r = rng.random()
    if a.shape == "flat":
        s = a.total // a.nfiles
    elif r < 0.02:
        s = 0
    elif r < 0.05:
        s = int(math.exp(rng.gauss(math.log(200 << 10), 1.0)))
    else:
        s = int(math.exp(rng.gauss(math.log(4 << 10), 1.3)))
    sizes.append(s if a.shape == "flat" else min(s, CAP))
if a.shape != "flat":
    scale = a.total / max(1, sum(sizes))
    sizes = [min(CAP, int(s * scale)) for s in sizes]

ndirs = max(1, a.nfiles // 30)
depth = {"src": 6, "deep": 24, "flat": 0}[a.shape]
dirs = [""]
for d in range(1, ndirs if depth else 1):
    parent = dirs[rng.randrange(len(dirs))]
    if parent.count("/") + 1 >= depth:
        parent = dirs[rng.randrange(max(1, len(dirs) // 4))]
    dirs.append(f"{parent}/d{d}" if parent else f"d{d}")
for d in dirs:
    os.makedirs(os.path.join(a.out, d), exist_ok=True)

for i, s in enumerate(sizes):
    d = dirs[rng.randrange(len(dirs))]
    path = os.path.join(a.out, d, f"f{i}.{rng.choice(['c', 'h', 'py', 'rs', 'txt', 'o', 'json', 'md'])}")
    header = f"file {i} of tree {a.seed}\n".encode()
    with open(path, "wb") as f:
        f.write(header[:s])
        left = s - min(s, len(header))
        while left > 0:
            off = rng.randrange(len(POOL) - 1)
            n = min(left, len(POOL) - off, 1 << 20)
            f.write(POOL[off:off + n])
            left -= n
