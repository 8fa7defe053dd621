#!/usr/bin/env python3
"""Turns scripts/synth.sh rows into ppa.json and ppa.md (stdlib only).

Rows on stdin: row|status|cells|area_um2|crit_ns|fmax_mhz|lut|ff|carry|bram|dsp|params|lutram|wall_s|srams|cpu_s|module|variant
(row = module, or module@reduced for a reduced-parameter run; see synth.sh).
  ppa_report.py REPORTS CLOCK_NS [RUN_WALL_S JOBS]
Existing entries in ppa.json for modules not in this run are kept, so
`scripts/synth.sh build/reports MODULE` updates one module.
"""
import json
import os
import sys

reports, period = sys.argv[1], float(sys.argv[2])
run_wall = int(sys.argv[3]) if len(sys.argv) > 3 else None
run_jobs = int(sys.argv[4]) if len(sys.argv) > 4 else None
SRAM_BITS, SRAM_AREA = 1024 * 32, 327680.0  # scripts/synth-sram.lib
path = os.path.join(reports, "ppa.json")
data = {}
if os.path.exists(path):
    try:
        data = json.load(open(path)).get("modules", {})
    except (ValueError, AttributeError):
        data = {}

def num(s, kind=float):
    try:
        return kind(s)
    except (TypeError, ValueError):
        return None

for line in sys.stdin:
    f = line.rstrip("\n").split("|")
    if len(f) < 2 or not f[0]:
        continue
    f += [""] * (18 - len(f))
    m, status = f[0], f[1]
    data[m] = {
        "status": status,
        "cells": num(f[2], int), "area_um2": num(f[3]),
        "critical_path_ns": num(f[4]), "fmax_mhz": num(f[5]),
        "lut6": num(f[6], int), "ff": num(f[7], int), "carry4": num(f[8], int),
        "bram": num(f[9]), "dsp": num(f[10], int), "lutram": num(f[12], int),
        "synth_params": f[11], "synth_wall_s": num(f[13], int),
        "sram_macros": num(f[14], int), "synth_cpu_s": num(f[15], int),
        "variant": f[17] or "shipped",
    }
    if data[m]["sram_macros"]:
        data[m]["sram_bits"] = data[m]["sram_macros"] * SRAM_BITS
        data[m]["sram_area_um2"] = data[m]["sram_macros"] * SRAM_AREA

out = {"tool": {"yosys": "0.23", "liberty": "OSU 0.18um (qflow-tech-osu018)",
                "sta": "OpenSTA", "clock_ns": period, "fpga": "synth_xilinx (7-series)"},
       "sram_model": {"macro": "1024x32 1W1R", "um2_per_bit": 10.0, "clk_to_q_ns": 2.5,
                      "source": "model, docs/silicon.md"},
       "modules": dict(sorted(data.items()))}
if os.path.exists(path):
    try:
        old_run = json.load(open(path)).get("run")
    except (ValueError, AttributeError):
        old_run = None
else:
    old_run = None
out["run"] = {"wall_s": run_wall, "jobs": run_jobs} if run_wall is not None else old_run
json.dump(out, open(path, "w"), indent=2)

with open(os.path.join(reports, "ppa.md"), "w") as md:
    md.write("# squish PPA (make synth)\n\n")
    md.write(f"Yosys 0.23 to OSU 0.18 um cells; OpenSTA at a {period:g} ns clock; "
             "synth_xilinx (7-series) for LUT/FF counts. `lut6` counts all LUT1..LUT6 cells; LUT-RAM primitives (RAM32M etc.) are counted apart. "
             "Area includes the SRAM macros (1024x32, 10 um^2/bit model, docs/silicon.md). "
             "Rows named module@reduced use the parameters in `params`; all others are the shipped defaults.\n\n")
    if out.get("run"):
        md.write(f"Last run: {out['run']['wall_s']} s wall with JOBS={out['run']['jobs']}.\n\n")
    md.write("| module | cells | SRAM macros | area (um^2) | crit. path (ns) | Fmax (MHz) | LUT | LUT-RAM | FF | CARRY4 | BRAM36 | DSP | synth wall (s) | synth CPU (s) | params |\n")
    md.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
    for m, e in out["modules"].items():
        def g(k):
            v = e.get(k)
            return "" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
        if e["status"] == "skipped":
            md.write(f"| {m} | skipped (measured inside its parent) | | | | | | | | | | | | | |\n")
        elif e["status"] != "ok":
            md.write(f"| {m} | {e['status'].upper()} | | | | | | | | | | | {g('synth_wall_s')} | | {e.get('synth_params','')} |\n")
        else:
            md.write(f"| {m} | {g('cells')} | {g('sram_macros')} | {g('area_um2')} | {g('critical_path_ns')} | {g('fmax_mhz')} | "
                     f"{g('lut6')} | {g('lutram')} | {g('ff')} | {g('carry4')} | {g('bram')} | {g('dsp')} | {g('synth_wall_s')} | {g('synth_cpu_s')} | {e.get('synth_params','')} |\n")
print(f"synth: wrote {path} and ppa.md ({len(out['modules'])} modules)")
