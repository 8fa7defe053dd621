#!/usr/bin/python3
"""Re-run the hostile inputs of issue 14 through the squish binary and print
what happens now, one Markdown table row per case: the command, its exit code,
the first line of stderr, and what was checked afterwards (input intact, no
output, no temporary file left, time, peak memory of the child).

    /usr/bin/python3 scripts/hostile-table.py [BUILD]      (default build)

Needs numpy (Debian python3-numpy). The same cases are asserted by the CTest
suite Hostile.* (sw/tests/cli/test_hostile.cpp); this script is the readable
report of them. The interrupted-write row is scripts/kill-test.sh (run apart:
it takes minutes)."""
import hashlib
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = sys.argv[1] if len(sys.argv) > 1 else "build"
squish = os.path.join(root, build, "bin", "squish")
if not os.access(squish, os.X_OK):
    sys.exit(f"hostile-table: {squish} missing (build the squish target)")
work = tempfile.mkdtemp(prefix="squish-hostile-")
os.chdir(work)
rows = []


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(case, args, keep=(), absent=(), want=None):
    """Run squish ARGS; check that every file in KEEP is unchanged and every
    path in ABSENT does not exist afterwards; WANT: the expected exit code."""
    before = {k: digest(k) for k in keep}
    t0 = time.monotonic()
    p = subprocess.run([squish] + args, capture_output=True, text=True, timeout=600)
    dt = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    err = (p.stderr.strip().splitlines() or [p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""])[0]
    checks = []
    for k in keep:
        checks.append(f"{k} intact" if os.path.exists(k) and digest(k) == before[k] else f"**{k} CHANGED**")
    for a in absent:
        checks.append(f"no {a}" if not os.path.exists(a) else f"**{a} written**")
    tmp = [f for f in os.listdir(".") if ".squish-tmp-" in f]
    if tmp:
        checks.append(f"**temporaries left: {tmp}**")
    ok = (want is None or p.returncode == want) and not any("**" in c for c in checks)
    rows.append((case, "squish " + " ".join(args), p.returncode, err.replace("|", "\\|")[:160],
                 "; ".join(checks) + f"; {dt:.1f} s", "ok" if ok else "**FAIL**"))
    for a in absent:
        if os.path.isdir(a):
            shutil.rmtree(a)
        elif os.path.exists(a):
            os.remove(a)
    return p


rng = np.random.default_rng(1)
np.save("W.npy", rng.standard_normal((16, 32)).astype(np.float32))
np.save("X.npy", rng.standard_normal((4, 10)).astype(np.float32))
np.save("x32.npy", rng.standard_normal((32,)).astype(np.float32))
os.symlink("W.npy", "link.npy")
slice_dir = os.path.join(root, "golden/models/ssd_mobilenetv1_slice")
shutil.copytree(slice_dir, "tfjs")

# 1. Output = input.
run("output = input", ["compress", "W.npy", "-o", "W.npy"], keep=["W.npy"], want=1)
run("output = input via a symlink", ["compress", "W.npy", "-o", "link.npy"], keep=["W.npy"], want=1)
run("-o names a tfjs shard", ["compress", "tfjs/slice-weights_manifest.json", "-o", "tfjs/slice.bin"],
    keep=["tfjs/slice.bin"], want=1)
run("-o names the tfjs manifest", ["compress", "tfjs/slice-weights_manifest.json", "-o",
                                   "tfjs/slice-weights_manifest.json"], keep=["tfjs/slice-weights_manifest.json"], want=1)
run("softmax X -o X", ["softmax", "X.npy", "-o", "X.npy"], keep=["X.npy"], want=1)
run("gemv -o W.npy", ["gemv", "--weights", "W.npy", "--input", "x32.npy", "--engine", "golden", "-o", "W.npy"],
    keep=["W.npy"], want=1)
subprocess.run([squish, "compress", "W.npy", "-o", "k.sqz", "--quiet"], check=True)
subprocess.run([squish, "decompress", "k.sqz", "-o", "k.npz"], check=True, capture_output=True)
run("decompress k.sqz -o k.sqz", ["decompress", "k.sqz", "-o", "k.sqz"], keep=["k.sqz"], want=1)

# 2. A small .sqz whose section claims 2^28 elements (valid CRCs).
def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def read_var(b, i):
    v = s = 0
    while True:
        v |= (b[i] & 0x7F) << s
        s += 7
        i += 1
        if not b[i - 1] & 0x80:
            return v, i


np.save("w1.npy", rng.standard_normal((1, 16)).astype(np.float32))
subprocess.run([squish, "compress", "w1.npy", "-o", "w1.sqz", "--quiet", "--bits", "4"], check=True)
b = open("w1.sqz", "rb").read()
i = 12                                              # magic (8 bytes), u16 major, u16 minor
flags, i = read_var(b, i)
n, i = read_var(b, i)
i += n                                              # source string
if flags & 1:
    i += 6 + 8                                      # default prune record
nsec, i = read_var(b, i)
sizes = []
for _ in range(nsec):
    s, i = read_var(b, i)
    sizes.append(s)
head_end = i + 4
sec = b[head_end:head_end + sizes[0]]
j = 0
n, j = read_var(sec, j)
j += n + 1                                          # name, dtype
rank, j = read_var(sec, j)
dims_start = j
for _ in range(rank):
    _, j = read_var(sec, j)
body = sec[:dims_start] + varint(16384) + varint(16384) + sec[j:-4]
sec2 = body + struct.pack("<I", zlib.crc32(body))
head = bytearray(b[:12]) + varint(flags)
k = 12
_, k = read_var(b, k)
ln, k2 = read_var(b, k)
head += b[k:k2 + ln]
k = k2 + ln
if flags & 1:
    head += b[k:k + 14]
head += varint(nsec) + varint(len(sec2)) + b"".join(varint(s) for s in sizes[1:])
head += struct.pack("<I", zlib.crc32(bytes(head)))
with open("bomb.sqz", "wb") as f:
    f.write(bytes(head) + sec2 + b[head_end + sizes[0]:])
run(f"{os.path.getsize('bomb.sqz')}-byte .sqz claiming 2^28 elements", ["decompress", "bomb.sqz", "-o", "bomb.npz"],
    absent=["bomb.npz"], want=2)
run("same, info", ["info", "bomb.sqz"], want=2)

# 3. A deflate bomb .npz: 256 Mi zero floats (1 GiB) in a ~1 MB member.
import zipfile
raw = np.lib.format.header_data_from_array_1_0(np.zeros(1, np.float32))
with zipfile.ZipFile("bomb.npz", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("z.npy", "w", force_zip64=True) as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (1 << 28,)})
        chunk = bytes(1 << 20)
        for _ in range(1024):
            f.write(chunk)
run(f"{os.path.getsize('bomb.npz') // 1024} KiB .npz deflate bomb (1 GiB inside)", ["compress", "bomb.npz", "-o", "o.sqz"],
    absent=["o.sqz"], want=2)

# 4. RTL NMS beyond its kept capacity: 8 192 distinct boxes.
with open("boxes.csv", "w") as f:
    f.write("x1,y1,x2,y2,score\n")
    for k in range(8192):
        x, y = (k % 128) * 10, (k // 128) * 10
        f.write(f"{x},{y},{x + 5},{y + 5},{0.5 + (k % 997) / 2000:.4f}\n")
run("nms --engine rtl, 8 192 disjoint boxes", ["nms", "boxes.csv", "--engine", "rtl", "--iou", "0.5"], want=2)

# 5. 300 k boxes on the golden model.
k = np.arange(300000)
xy = rng.uniform(0, 5000, (300000, 2))
wh = rng.uniform(2, 40, (300000, 2))
sc = rng.uniform(0, 1, 300000)
with open("big.csv", "w") as f:
    f.write("x1,y1,x2,y2,score\n")
    np.savetxt(f, np.column_stack([xy, xy + wh, sc]), fmt="%.3f", delimiter=",")
run("nms golden, 300 k boxes", ["nms", "big.csv", "--iou", "0.5"], want=0)

# 6. Non-finite values.
w = rng.standard_normal((16, 32)).astype(np.float32)
w[3, 5] = np.nan
np.save("Wnan.npy", w)
w = rng.standard_normal((16, 32)).astype(np.float32)
w[0, 7] = np.inf
np.save("Winf.npy", w)
run("NaN in .npy weights", ["compress", "Wnan.npy", "-o", "o.sqz"], absent=["o.sqz"], want=2)
run("Inf in .npy weights", ["compress", "Winf.npy", "-o", "o.sqz"], absent=["o.sqz"], want=2)
xn = rng.standard_normal((32,)).astype(np.float32)
xn[9] = np.nan
np.save("xnan.npy", xn)
run("NaN in a gemv input", ["gemv", "--weights", "W.npy", "--input", "xnan.npy", "--engine", "golden", "-o", "y.npy"],
    absent=["y.npy"], want=2)

# 7. CSV without a header.
with open("nohead.csv", "w") as f:
    f.write("0,0,10,10,0.9\n5,5,15,15,0.8\n")
run("nms CSV without a header", ["nms", "nohead.csv"], want=2)

# 8. Option ranges and empty inputs.
run("--bit-budget nan", ["compress", "W.npy", "--bit-budget", "nan", "-o", "o.sqz"], absent=["o.sqz"], want=1)
run("--iou -1", ["nms", "big.csv", "--iou", "-1"], want=1)
run("--iou 2", ["nms", "big.csv", "--iou", "2"], want=1)
run("--bits 4.0", ["compress", "W.npy", "--bits", "4.0", "-o", "o.sqz"], absent=["o.sqz"], want=1)
np.savez("empty.npz")
run("an empty .npz", ["compress", "empty.npz", "-o", "o.sqz"], absent=["o.sqz"], want=2)
os.makedirs("emptyman", exist_ok=True)
with open("emptyman/m-weights_manifest.json", "w") as f:
    f.write("[]")
run("a [] manifest", ["compress", "emptyman/m-weights_manifest.json", "-o", "o.sqz"], absent=["o.sqz"], want=2)
run("--lengths 1,,", ["softmax-eval", "--quick", "--lengths", "1,,"], want=1)

# 9. A folder as input.
os.makedirs("adir", exist_ok=True)
run("a folder as input", ["info", "adir"], want=2)
run("decompress -o out.txt", ["decompress", "k.sqz", "-o", "out.txt"], absent=["out.txt"], want=1)
run("--clip without --asymmetric", ["compress", "W.npy", "--clip", "-o", "o.sqz"], absent=["o.sqz"], want=1)
run("--unsigned without --asymmetric", ["compress", "W.npy", "--unsigned", "-o", "o.sqz"], absent=["o.sqz"], want=1)

print("| case | command | exit | stderr (first line) | checked after | verdict |")
print("|---|---|---:|---|---|---|")
for r in rows:
    print("| %s | `%s` | %d | %s | %s | %s |" % r)
bad = sum(1 for r in rows if r[5] != "ok")
print(f"\nhostile-table: {len(rows)} cases, {len(rows) - bad} as expected, {bad} not")
shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if bad else 0)
