#!/usr/bin/python3
"""Golden keep lists for squish::nms from torchvision.ops.nms.

Run with Debian's python3 and python3-torchvision (scripts/setup-deps.sh --golden):
    /usr/bin/python3 golden/nms/make_golden.py golden/nms
Writes <case>.txt files and cases.txt (the list). Each case file:
    iou <float32 bits, hex> n <n>
    x1 y1 x2 y2 <score float32 bits, hex>      (n lines, integer coordinates)
    keep k0 k1 ...                              (torchvision's keep order)
Boxes are integers below 2^12 so torchvision's float32 areas are exact; cases
where some pair's exact IoU lies within 1e-6 of the threshold are redrawn, so the
only rounding torchvision does (the float32 division) cannot flip a decision.
"""
import struct
import sys
from fractions import Fraction

import numpy as np
import torch
import torchvision


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def bits(x):
    return struct.unpack('<I', struct.pack('<f', x))[0]


def near_threshold(b, t):
    t = Fraction(t)
    n = len(b)
    x1, y1, x2, y2 = (b[:, k].astype(np.int64) for k in range(4))
    area = (x2 - x1) * (y2 - y1)
    for i in range(n):
        iw = np.minimum(x2[i], x2) - np.maximum(x1[i], x1)
        ih = np.minimum(y2[i], y2) - np.maximum(y1[i], y1)
        inter = np.where((iw > 0) & (ih > 0), iw * ih, 0)
        uni = area[i] + area - inter
        for j in range(i + 1, n):
            if uni[j] == 0:
                continue
            d = Fraction(int(inter[j]), int(uni[j])) - t
            if d != 0 and abs(d) <= Fraction(1, 10**6):
                return True
    return False


def random_case(rng, n, rng_pos, max_side, empty_ok):
    x1 = rng.integers(0, rng_pos, n)
    y1 = rng.integers(0, rng_pos, n)
    w = rng.integers(0 if empty_ok else 1, max_side + 1, n)
    h = rng.integers(0 if empty_ok else 1, max_side + 1, n)
    return np.stack([x1, y1, x1 + w, y1 + h], 1)


def clustered_case(rng, n, objects):
    boxes = []
    scores = []
    per = n // (2 * objects)
    for _ in range(objects):
        w, h = rng.integers(20, 200, 2)
        cx, cy = rng.integers(100, 3900, 2)
        conf = 0.4 + 0.6 * rng.random()
        for j in range(per):
            jx, jy, jw, jh = rng.uniform(-0.2, 0.2, 4)
            bw, bh = max(1, int(w * (1 + jw))), max(1, int(h * (1 + jh)))
            x1, y1 = int(cx + jx * w - bw / 2), int(cy + jy * h - bh / 2)
            boxes.append([max(0, x1), max(0, y1), max(0, x1) + bw, max(0, y1) + bh])
            scores.append(conf * 0.85 ** j)
    while len(boxes) < n:
        b = random_case(rng, 1, 3900, 150, False)[0]
        boxes.append(list(b))
        scores.append(0.3 * rng.random())
    perm = rng.permutation(n)
    return np.array(boxes)[perm], np.array(scores)[perm]


def main(out):
    rng = np.random.default_rng(20261126)
    cases = []

    def emit(name, b, s, t):
        b = np.asarray(b, dtype=np.int64)
        s = np.asarray([f32(float(v)) for v in s], dtype=np.float32)
        keep = torchvision.ops.nms(torch.tensor(b, dtype=torch.float32), torch.tensor(s), float(f32(t)))
        with open(f'{out}/{name}.txt', 'w') as f:
            f.write(f'iou {bits(f32(t)):08x} n {len(b)}\n')
            for (x1, y1, x2, y2), v in zip(b.tolist(), s.tolist()):
                f.write(f'{x1} {y1} {x2} {y2} {bits(v):08x}\n')
            f.write('keep ' + ' '.join(str(int(k)) for k in keep.tolist()) + '\n')
        cases.append(name)

    def draw(make, t):
        while True:
            b, s = make()
            if not near_threshold(np.asarray(b), f32(t)):
                return b, s

    for k, t in enumerate([0.3, 0.45, 0.5, 0.7]):
        n = 300
        b, s = draw(lambda: (random_case(rng, n, 1000, 200, False), rng.integers(1, 60, n) / 60.0), t)
        emit(f'random_{k}', b, s, t)
    for k, t in enumerate([0.45, 0.5, 0.65]):
        b, s = draw(lambda: clustered_case(rng, 400, 12), t)
        emit(f'clustered_{k}', b, s, t)
    emit('identical', np.tile([[10, 20, 110, 70]], (64, 1)), rng.integers(1, 8, 64) / 8.0, 0.5)
    b, s = draw(lambda: (random_case(rng, 200, 60, 10, True), rng.integers(1, 30, 200) / 30.0), 0.5)
    emit('zero_area', b, s, 0.5)
    n = 256
    emit('disjoint', [[i * 12, 0, i * 12 + 10, 10] for i in range(n)], rng.random(n), 0.5)
    emit('max_size', [[0, 0, 4095, 4095], [1, 1, 4095, 4095], [0, 0, 2048, 4095], [2047, 0, 4095, 4095]],
         [0.5, 0.5, 0.9, 0.9], 0.45)
    with open(f'{out}/cases.txt', 'w') as f:
        f.write('\n'.join(cases) + '\n')
    with open(f'{out}/PROVENANCE', 'w') as f:
        f.write('golden/nms: keep lists computed by torchvision.ops.nms\n'
                f'torchvision {torchvision.__version__}, torch {torch.__version__}, numpy {np.__version__}\n'
                'generator: golden/nms/make_golden.py (seed 20261126), run with Debian /usr/bin/python3\n'
                'torchvision is BSD-3-Clause; the vectors are synthetic and carry no third-party data.\n')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'golden/nms')
