#!/usr/bin/python3
"""Cuts a small, committed slice out of the real ssd_mobilenetv1 tfjs weights of
@vladmandic/face-api (MIT) and writes the values tfjs would decode from it, as an
independent golden reference (numpy, float64 arithmetic then float32, exactly as
tfjs-core's decodeWeights does in JavaScript).

Needs the package fetched by scripts/fetch-models.sh (build/models/face-api).
Run from the repository root:  /usr/bin/python3 golden/models/make_slice.py
"""
import json
import os
import sys

import numpy as np

SRC = "build/models/face-api/model"
OUT = "golden/models/ssd_mobilenetv1_slice"
LAST = "MobilenetV1/Conv2d_2_pointwise/convolution_bn_offset"  # slice = weights up to here
ANCHORS = 64  # first rows of the unquantized float32 Output/extra_dim tensor


def main():
    man = json.load(open(os.path.join(SRC, "ssd_mobilenetv1_model-weights_manifest.json")))
    blob = open(os.path.join(SRC, "ssd_mobilenetv1_model.bin"), "rb").read()
    weights = man[0]["weights"]
    out_w, out_bin, expected = [], bytearray(), {}
    off = 0
    offsets = {}
    for w in weights:
        n = int(np.prod(w["shape"])) if w["shape"] else 1
        q = w.get("quantization")
        size = n * ({"uint8": 1, "uint16": 2, "float16": 2}[q["dtype"]] if q else 4)
        offsets[w["name"]] = (off, size, n)
        off += size
    names = [w["name"] for w in weights]
    keep = names[: names.index(LAST) + 1]
    for w in weights:
        if w["name"] not in keep:
            continue
        o, size, n = offsets[w["name"]]
        raw = blob[o : o + size]
        out_w.append(w)
        out_bin += raw
        q = w.get("quantization")
        if q and q["dtype"] == "uint8":
            codes = np.frombuffer(raw, dtype=np.uint8).astype(np.float64)
            v = codes * q["scale"] + q["min"]
            if w["dtype"] == "float32":
                expected[w["name"]] = v.astype(np.float32).reshape(w["shape"])
            else:
                expected[w["name"]] = np.floor(v + 0.5).astype(np.int32).reshape(w["shape"])
        elif not q and w["dtype"] == "float32":
            expected[w["name"]] = np.frombuffer(raw, dtype="<f4").reshape(w["shape"])
        else:
            sys.exit("unexpected weight kind " + w["name"])
    # A slice of the unquantized float32 anchors tensor.
    o, size, n = offsets["Output/extra_dim"]
    anchors = np.frombuffer(blob[o : o + 4 * ANCHORS * 4], dtype="<f4")
    out_w.append({"name": "Output/extra_dim_slice", "shape": [1, ANCHORS, 4], "dtype": "float32"})
    out_bin += anchors.tobytes()
    expected["Output/extra_dim_slice"] = anchors.reshape(1, ANCHORS, 4)

    os.makedirs(OUT, exist_ok=True)
    json.dump([{"paths": ["slice.bin"], "weights": out_w}],
              open(os.path.join(OUT, "slice-weights_manifest.json"), "w"), indent=1)
    open(os.path.join(OUT, "slice.bin"), "wb").write(bytes(out_bin))
    # Member order = manifest order; '/' is kept in member names.
    np.savez_compressed(os.path.join(OUT, "expected.npz"), **expected)
    print(len(out_w), "weights,", len(out_bin), "bytes")


if __name__ == "__main__":
    main()
