#!/usr/bin/python3
"""Writes small .npy/.npz files with numpy itself, so the C++ readers are checked
against numpy's own writer (values are closed-form, recomputed by the tests):
  v(i) = ((i * 7) % 23) - 11  for element i in C order, cast to each dtype, and
  for the float dtypes divided by 4 (exact in float16 and float32).
Run from the repository root: /usr/bin/python3 golden/io/make_npy_golden.py
"""
import numpy as np

OUT = "golden/io/"


def values(shape, dtype):
    n = int(np.prod(shape)) if shape else 1
    v = ((np.arange(n) * 7) % 23) - 11
    if np.dtype(dtype).kind == "f":
        v = v / 4.0
    if np.dtype(dtype).kind == "u":
        v = v + 11
    return v.astype(dtype).reshape(shape)


for dt in ["float32", "float16", "int8", "uint8", "int16", "int32"]:
    np.save(OUT + f"v_{dt}_2x3x4.npy", values((2, 3, 4), dt))
np.save(OUT + "v_float32_scalar.npy", values((), "float32"))
np.save(OUT + "v_float32_5.npy", values((5,), "float32"))
np.save(OUT + "v_float32_0x3.npy", values((0, 3), "float32"))
np.save(OUT + "bad_fortran.npy", np.asfortranarray(values((3, 4), "float32")))
np.save(OUT + "bad_float64.npy", values((3,), "float64"))
np.save(OUT + "bad_bigendian.npy", values((3,), ">f4"))
arrs = {"a": values((2, 3, 4), "float32"), "b/c": values((7,), "int8"), "d": values((16, 9), "float16")}
np.savez(OUT + "stored.npz", **arrs)
np.savez_compressed(OUT + "deflated.npz", **arrs)
# A bigger deflated member: dynamic Huffman blocks, long matches.
rng = np.random.default_rng(7)
big = {"w": np.round(rng.standard_normal((32, 200)) * 8).astype(np.float32) / 8}
np.savez_compressed(OUT + "deflated_big.npz", **big)
np.save(OUT + "deflated_big_w.npy", big["w"])
