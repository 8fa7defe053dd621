#!/usr/bin/python3
"""Golden affine quantization vectors computed with numpy, independently of the
C++ code, following ONNX QuantizeLinear / TFLite semantics:
  scale (symmetric)  = float32(max|x| / qmax)            (float64 division)
  scale (asymmetric) = float32((rmax - rmin) / (qmax - qmin)), rmin <= 0 <= rmax
  zero point         = clip(R(float32(qmin) - float32(rmin / scale)))
  q                  = clip(R(float32(x / scale)) + zp, qmin, qmax)
  dequant            = float32((q - zp) * scale)
R = half-to-even (np.rint) or half-away-from-zero.
Per-channel vectors use axis 1 of a [16, 6] tensor (6 channels).
Run from the repository root: /usr/bin/python3 golden/quant/make_quant_golden.py
"""
import numpy as np

rng = np.random.default_rng(2026)
x = (rng.standard_normal((16, 6)) * 0.1).astype(np.float32)
# Exact ties: make column 0 multiples of half a step of a known symmetric scale.
x[:, 0] = (np.arange(16) - 8 + 0.5).astype(np.float32) * np.float32(0.125)
x[0, 3] = 0.0


def R(t, mode):
    if mode == "even":
        return np.rint(t)
    a = np.floor(np.abs(t.astype(np.float64)) + 0.5)
    return np.sign(t) * a


def quant(x, bits, signed, narrow, sym, mode, axis):
    if signed:
        qmax = 2 ** (bits - 1) - 1
        qmin = -qmax if narrow else -(2 ** (bits - 1))
    else:
        qmin, qmax = 0, 2**bits - 1
    cols = [x[:, c] for c in range(x.shape[1])] if axis == 1 else [x.ravel()]
    scales, zps = [], []
    for v in cols:
        lo = min(np.float32(v.min()), np.float32(0))
        hi = max(np.float32(v.max()), np.float32(0))
        if sym:
            m = max(-lo, hi) if signed else hi
            s = np.float32(np.float64(m) / qmax) if m > 0 else np.float32(1)
            z = 0
        else:
            rng_ = np.float64(hi) - np.float64(lo)
            s = np.float32(rng_ / (qmax - qmin)) if rng_ > 0 else np.float32(1)
            z = int(np.clip(R(np.float32(qmin) - np.float32(lo / s), mode), qmin, qmax))
        scales.append(s)
        zps.append(z)
    q = np.zeros(x.shape, dtype=np.int32)
    d = np.zeros(x.shape, dtype=np.float32)
    for c in range(x.shape[1]):
        k = c if axis == 1 else 0
        t = (x[:, c] / scales[k]).astype(np.float32)
        q[:, c] = np.clip(R(t, mode) + zps[k], qmin, qmax)
        d[:, c] = ((q[:, c] - zps[k]).astype(np.float64) * np.float64(scales[k])).astype(np.float32)
    return q, np.array(scales, np.float32), np.array(zps, np.int32), d


configs = {
    "int8_sym_even": (8, True, False, True, "even", -1),
    "int8_narrow_away": (8, True, True, True, "away", -1),
    "int4_sym_even": (4, True, False, True, "even", -1),
    "int4_sym_away_pc": (4, True, False, True, "away", 1),
    "int2_sym_even": (2, True, False, True, "even", -1),
    "uint8_asym_even": (8, False, False, False, "even", -1),
    "uint4_asym_away_pc": (4, False, False, False, "away", 1),
    "int3_asym_even_pc": (3, True, False, False, "even", 1),
}
out = {"x": x}
for name, cfg in configs.items():
    q, s, z, d = quant(x, *cfg)
    out[name + "_q"] = q
    out[name + "_scale"] = s
    out[name + "_zp"] = z
    out[name + "_deq"] = d
np.savez("golden/quant/affine.npz", **out)
print("wrote golden/quant/affine.npz with", len(configs), "configurations")
