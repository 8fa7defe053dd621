#!/usr/bin/python3
"""Makes the real-data inputs of the network runner from Debian python3-skimage's data.

    /usr/bin/python3 scripts/make-inputs.py [OUT_DIR]      (default: build/data)

Source: skimage/data/lfw_subset.npy (200 grey 25x25 crops in [0, 1]; rows 0-99 are
faces, rows 100-199 non-faces) and skimage/data/astronaut.png. Resizing is
skimage.transform.resize, bilinear (order=1), anti_aliasing on when shrinking,
preserve_range. Written (float32, NHWC, .npy):

  blazeface_lfw.npy      200x128x128x3  each crop resized to 64x64, pasted at rows/cols
                                        32..95 of a 128x128 mid-grey canvas (0.5),
                                        replicated to RGB, then v*2-1 -> [-1, 1]
  blazeface_lfw_labels.npy  200 uint8   1 = face (rows 0-99), 0 = non-face
  emotion_faces.npy      100x64x64x1    the 100 faces resized to 64x64, (g-0.5)*2
  astronaut_128.npy      1x128x128x3    astronaut.png resized to 128x128, v*2-1
  blazeface_calib.npy    64x128x128x3   calibration: crops 1,3,5,...,127 (32 faces,
                                        32 non-faces), mirrored left-right and resized
                                        to 72x72 before pasting (not pixel-identical to
                                        any evaluation input, same people)
  emotion_calib.npy      50x64x64x1     calibration: faces 1,3,...,99 mirrored left-right
  blazeface_calib_other.npy 16x128x128x3  calibration disjoint from LFW: 16 crops of
                                        skimage's other photos (astronaut, chelsea,
                                        coffee, camera, ...), resized to 128x128
Deterministic: no randomness; the same skimage data gives the same bytes.
"""
import os
import sys

import numpy as np
import skimage
from skimage import data as skdata
from skimage.transform import resize

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "data")
os.makedirs(out, exist_ok=True)

lfw = np.load(os.path.join(os.path.dirname(skimage.__file__), "data", "lfw_subset.npy")).astype(np.float64)
assert lfw.shape == (200, 25, 25), lfw.shape


def rs(img, size):
    return resize(img, (size, size), order=1, mode="edge", anti_aliasing=img.shape[0] > size, preserve_range=True)


def blaze(crop, size=64):
    canvas = np.full((128, 128), 0.5)
    o = (128 - size) // 2
    canvas[o:o + size, o:o + size] = rs(crop, size)
    rgb = np.repeat(canvas[:, :, None], 3, axis=2)
    return (rgb * 2.0 - 1.0).astype(np.float32)


def emo(crop):
    return ((rs(crop, 64) - 0.5) * 2.0).astype(np.float32)[:, :, None]


def save(name, arr):
    np.save(os.path.join(out, name), arr)
    print(f"make-inputs: {name:28s} {str(arr.shape):22s} {arr.dtype} [{arr.min():.3f}, {arr.max():.3f}]")


save("blazeface_lfw.npy", np.stack([blaze(c) for c in lfw]))
save("blazeface_lfw_labels.npy", np.array([1] * 100 + [0] * 100, dtype=np.uint8))
save("emotion_faces.npy", np.stack([emo(c) for c in lfw[:100]]))
astro = skdata.astronaut().astype(np.float64) / 255.0
save("astronaut_128.npy", (resize(astro, (128, 128), order=1, anti_aliasing=True) * 2.0 - 1.0).astype(np.float32)[None])
save("blazeface_calib.npy", np.stack([blaze(lfw[i][:, ::-1], 72) for i in list(range(1, 64, 2)) + list(range(101, 164, 2))]))
save("emotion_calib.npy", np.stack([emo(lfw[i][:, ::-1]) for i in range(1, 100, 2)]))

others = []
for name in ["astronaut", "chelsea", "coffee", "camera", "rocket", "immunohistochemistry", "motorcycle_left", "hubble_deep_field"]:
    try:
        img = getattr(skdata, name)()
    except Exception:  # a picture missing from this skimage build
        continue
    img = img.astype(np.float64) / (255.0 if img.dtype == np.uint8 else max(1.0, float(img.max())))
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    img = img[:, :, :3]
    h, w = img.shape[:2]
    s = min(h, w)
    for (y, x) in [((h - s) // 2, (w - s) // 2), (0, 0)]:  # centre square, top-left half-size square
        sq = img[y:y + s, x:x + s] if (y, x) != (0, 0) else img[: s // 2, : s // 2]
        others.append((resize(sq, (128, 128), order=1, anti_aliasing=True) * 2.0 - 1.0).astype(np.float32))
save("blazeface_calib_other.npy", np.stack(others[:16]))
