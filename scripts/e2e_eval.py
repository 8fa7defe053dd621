#!/usr/bin/python3
"""Scores the end-to-end runs of scripts/bench-e2e.sh.

    e2e_eval.py WORK_DIR OUT_DIR SETTING...

Detector (BlazeFace-front, 200 LFW crops pasted on a 128x128 canvas, rows 0-99
faces, 100-199 non-faces; score >= 0.75, greedy NMS IoU > 0.3):
  faces_found      face crops with at least one kept box
  false_positives  non-face crops with at least one kept box
  mean_iou         mean IoU of the top box against the float model's top box,
                   over the crops where both kept a box
  agreement        fraction of the 200 crops where int8 and float agree on
                   "a face is present"
Classifier (emotion, the 100 LFW faces):
  agreement        top-1 agreement with the float model
  mean_kl          mean KL(float || int8) of the 7-class distributions (int8
                   probabilities floored at 1e-6)
Both: cycles (golden datapath-model cycles per inference), weight_bytes (weight
payload bytes read per inference), model_bytes (.sqz file), effective MACs/cycle
(dense-equivalent MACs / cycles, depthwise included).
Writes OUT_DIR/<name>.json ({model: {setting: {...}}}), <name>.md and, when
matplotlib is there, <name>.png (accuracy against model size); <name> is
$E2E_NAME (default e2e). The float references are read from $E2E_FLOAT_DIR
(default WORK_DIR); $E2E_ENGINE (golden|rtl) names the int8 engine in the table.
"""
import json
import os
import sys

import numpy as np

work, out, settings = sys.argv[1], sys.argv[2], sys.argv[3:]
fwork = os.environ.get("E2E_FLOAT_DIR", work)
name = os.environ.get("E2E_NAME", "e2e")
engine = os.environ.get("E2E_ENGINE", "golden")
names = {"a": "8-bit per-channel dense", "b": "50% unstructured + 4-bit + bitmap/rANS",
         "c": "2:4 + 4-bit (N:M format)", "d": "mixed precision, 4-bit budget (relative objective)"}


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def det_scores(boxes):
    found = sum(1 for b in boxes[:100] if b)
    fp = sum(1 for b in boxes[100:] if b)
    return found, fp


def totals(doc):
    t = doc["total"]
    n = doc["images"]
    return {"cycles": t["cycles"] / n, "effective_macs_per_cycle": t["effective_macs_per_cycle"],
            "weight_bytes": t["weight_bytes"] / n, "macs": t["macs"] / n,
            "macs_performed": t["macs_performed"] / n, "bit_exact": t.get("bit_exact")}


res = {"blazeface-front": {}, "emotion": {}}
fdet = json.load(open(os.path.join(fwork, "blazeface.float.json")))
ff, ffp = det_scores(fdet["boxes"])
res["blazeface-front"]["float"] = {"faces_found": ff, "false_positives": ffp}
femo = np.load(os.path.join(fwork, "emotion.float.npz"))
fkey = femo.files[0]
fp_ = femo[fkey].astype(np.float64)
for s in settings:
    d = json.load(open(os.path.join(work, f"blazeface.{s}.json")))
    found, fpos = det_scores(d["boxes"])
    ious = [iou(a[0], b[0]) for a, b in zip(d["boxes"], fdet["boxes"]) if a and b]
    agree = sum(1 for a, b in zip(d["boxes"], fdet["boxes"]) if bool(a) == bool(b)) / len(d["boxes"])
    r = totals(d)
    r.update({"faces_found": found, "false_positives": fpos, "mean_iou": float(np.mean(ious)) if ious else 0.0,
              "agreement": agree, "model_bytes": os.path.getsize(os.path.join(work, f"blazeface.{s}.sqz"))})
    tm = os.path.join(work, f"time.{s}.json")
    if os.path.exists(tm):
        r["wall_seconds_per_inference"] = json.load(open(tm))["blazeface"] / len(d["boxes"])
    res["blazeface-front"][s] = r
    e = json.load(open(os.path.join(work, f"emotion.{s}.json")))
    q = np.load(os.path.join(work, f"emotion.{s}.npz"))[fkey].astype(np.float64)
    top1 = float(np.mean(np.argmax(q, 1) == np.argmax(fp_, 1)))
    kl = float(np.mean(np.sum(fp_ * (np.log(np.maximum(fp_, 1e-12)) - np.log(np.maximum(q, 1e-6))), 1)))
    r = totals(e)
    r.update({"agreement": top1, "mean_kl": kl, "model_bytes": os.path.getsize(os.path.join(work, f"emotion.{s}.sqz"))})
    res["emotion"][s] = r

json.dump(res, open(os.path.join(out, name + ".json"), "w"), indent=2)


def exact(r):
    """RTL runs: every layer of every image compared with the golden engine."""
    if r.get("bit_exact") is None:
        return ""
    return "; every layer RTL == golden" if r["bit_exact"] else "; **RTL != golden**"


md = [f"## End to end ({engine} int8 engine vs float, real models and data)\n",
      f"BlazeFace-front float: {ff}/100 faces found, {ffp}/100 false positives at score 0.75.\n",
      "| model | setting | model bytes | weight bytes/inf | cycles/inf | eff. MACs/cycle | result |",
      "|---|---|---|---|---|---|---|"]
for s in settings:
    b = res["blazeface-front"][s]
    md.append(f"| blazeface-front | {s}: {names.get(s, s)} | {b['model_bytes']} | {b['weight_bytes']:.0f} | {b['cycles']:.0f} | "
              f"{b['effective_macs_per_cycle']:.2f} | {b['faces_found']}/100 found, {b['false_positives']} FP, IoU {b['mean_iou']:.3f}{exact(b)} |")
for s in settings:
    e = res["emotion"][s]
    md.append(f"| emotion | {s}: {names.get(s, s)} | {e['model_bytes']} | {e['weight_bytes']:.0f} | {e['cycles']:.0f} | "
              f"{e['effective_macs_per_cycle']:.2f} | top-1 {100 * e['agreement']:.1f} %, KL {e['mean_kl']:.4f}{exact(e)} |")
open(os.path.join(out, name + ".md"), "w").write("\n".join(md) + "\n")
print("\n".join(md))
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for k, (m, key, lab) in enumerate([("blazeface-front", "agreement", "detector: face/no-face agreement with float"),
                                        ("emotion", "agreement", "classifier: top-1 agreement with float")]):
        xs = [res[m][s]["model_bytes"] / 1024 for s in settings]
        ys = [100 * res[m][s][key] for s in settings]
        ax[k].plot(xs, ys, "o")
        for s, x, y in zip(settings, xs, ys):
            ax[k].annotate(s, (x, y))
        ax[k].set_xlabel(".sqz model size (KiB)")
        ax[k].set_ylabel("%")
        ax[k].set_title(lab, fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, name + ".png"), dpi=100)
except ImportError:
    print("e2e_eval: matplotlib missing, no plot")
