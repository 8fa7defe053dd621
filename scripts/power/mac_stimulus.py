#!/usr/bin/env python3
"""Beats for tb_mac_pe_array.v from real weights (stdlib only).

  mac_stimulus.py WEIGHTS.u8 PREC BEATS SEED OUT.hex

Weights: the uint8 codes of a real tensor (golden/entropy: SSD-MobileNet v1
Conv2d_5_pointwise, tfjs affine uint8), centred on their median code and
re-quantized to the precision's signed range by an arithmetic shift
(INT8: code - median, clamped to [-128, 127]; INT4: >> 4; INT2: >> 6).
Activations: synthetic, seeded: ReLU of a rounded normal (sigma 40), clamped to
127, so about half of them are zero, as after a ReLU layer.
Every beat is dense (all slots of the precision present) and takes the next
Lanes x SubWords weights of the tensor in order.
Line format (hex, MSB first): {prec[1:0], present[63:0], weight[511:0], act[511:0]}.
"""
import random
import sys

path, prec, beats, seed, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
codes = list(open(path, "rb").read())
med = sorted(codes)[len(codes) // 2]
shift, lo, hi, n, pcode = {"int8": (0, -128, 127, 16, 0), "int4": (4, -8, 7, 32, 1),
                           "int2": (6, -2, 1, 64, 2)}[prec]
rng = random.Random(seed)
pos = 0
with open(out, "w") as f:
    for _ in range(beats):
        w = []
        for s in range(n):
            v = codes[pos % len(codes)] - med
            pos += 1
            w.append(max(lo, min(hi, v >> shift)))
        a = [max(0, min(127, round(rng.gauss(0, 40)))) for _ in range(n)]
        present = (1 << n) - 1
        wv = av = 0
        for s in range(64):
            ws = w[s] if s < n else 0
            as_ = a[s] if s < n else rng.randrange(0, 128)  # unused slots still carry data
            wv |= (ws & 0xff) << (8 * s)
            av |= (as_ & 0xff) << (8 * s)
        word = (pcode << (64 + 512 + 512)) | (present << 1024) | (wv << 512) | av
        f.write(f"{word:0274x}\n")
