#!/usr/bin/env python3
"""Collects scripts/power.sh case results (JSON lines on stdin) into
<reports>/bench/energy.json and energy.md (stdlib only). Keeps the cases of
earlier runs that this run did not redo.
  power_report.py REPORTS"""
import json
import os
import sys

reports = sys.argv[1]
path = os.path.join(reports, "bench", "energy.json")
old = {}
if os.path.exists(path):
    try:
        old = json.load(open(path)).get("cases", {})
    except ValueError:
        old = {}
for line in sys.stdin:
    line = line.strip()
    if line:
        r = json.loads(line)
        old[r["case"]] = r
out = {"node": "OSU 0.18 um (qflow-tech-osu018), 1.8 V, typical corner",
       "method": "Icarus gate-level simulation of the make synth netlist (zero delay: "
                 "glitches not counted) -> per-net activity -> Liberty power model (scripts/power_engine.py)",
       "cases": old}
e = out  # bench.json: energy.pj_per_mac.{int8,int4,int2} (bench.sh files this JSON under "energy")
thr = out["throughput"] = {}
for prec in ("int8", "int4", "int2"):
    c = old.get(f"mac_pe_array_{prec}")
    if c and c.get("ops_per_cycle", {}).get("mac"):
        f = c["at_fmax"]
        macs = c["ops_per_cycle"]["mac"]
        e.setdefault("pj_per_mac", {})[prec] = round(f["energy_per_cycle_pj"] / macs, 4)
        gmacs = macs * f["clock_mhz"] / 1e3
        thr.setdefault("mac_pe_array", {})[prec] = {
            "clock_mhz": f["clock_mhz"], "gmac_per_s": round(gmacs, 3),
            "power_mw": round(f["total_w"] * 1e3, 4),
            "tops_per_w": round(2 * gmacs * 1e9 / f["total_w"] / 1e12, 4)}
out["scope"] = {
    "pj_per_mac": "mac_pe_array only (16 Booth lanes + adder trees, combinational), dense beats of real "
                  "SSD-MobileNet weights; excludes the datapath's accumulators, buffers and requantization",
    "missing": {"pj_per_weight": "no gate-level decoder workloads yet",
                "pj_per_softmax_element": "no gate-level softmax workload yet",
                "pj_per_nms_box": "no gate-level NMS workload yet"}}
out["reference"] = ("Horowitz, ISSCC 2014, 45 nm: 8-bit multiply 0.2 pJ, 8-bit add 0.03 pJ; "
                    "energy scales roughly with C*V^2, about 16x from 45 nm / 0.9 V to 0.18 um / 1.8 V")
cal = old.get("calib_counter")
if cal:
    k = cal["at_100mhz"].get("calibration", {})
    out["calibration"] = k
json.dump(out, open(path, "w"), indent=2)
with open(os.path.join(reports, "bench", "energy.md"), "w") as md:
    md.write("# squish energy (make power)\n\n" + out["method"] + ". Node: " + out["node"] + ".\n\n")
    md.write("| case | clock (MHz) | internal (mW) | switching (mW) | leakage (uW) | total (mW) | pJ/cycle | ops/cycle |\n")
    md.write("|---|---:|---:|---:|---:|---:|---:|---|\n")
    for name, c in sorted(old.items()):
        for tag in ("at_fmax", "at_100mhz"):
            f = c.get(tag, {})
            if "total_w" not in f:
                continue
            md.write(f"| {name} | {f['clock_mhz']:.1f} | {f['internal_w']*1e3:.4f} | {f['switching_w']*1e3:.4f} | "
                     f"{f['leakage_w']*1e6:.4f} | {f['total_w']*1e3:.4f} | {f['energy_per_cycle_pj']:.3f} | "
                     f"{' '.join(f'{k}={v:g}' for k, v in c.get('ops_per_cycle', {}).items())} |\n")
    if e:
        md.write("\n`energy`: " + json.dumps(e) + "\n")
    if thr:
        md.write("\n`throughput`: " + json.dumps(thr) + "\n")
    md.write("\nScope: " + json.dumps(out["scope"]) + "\n\nReference: " + out["reference"] + "\n")
print(f"power: wrote {path}")
