#!/usr/bin/env python3
"""Turns scripts/synth.sh rows into ppa.json and ppa.md (stdlib only).

Rows on stdin: module|status|cells|area_um2|crit_ns|fmax_mhz|lut|ff|carry|bram|dsp|params|lutram
Existing entries in ppa.json for modules not in this run are kept, so
`scripts/synth.sh build/reports MODULE` updates one module.
"""
import json
import os
import sys

reports, period = sys.argv[1], float(sys.argv[2])
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
    f += [""] * (13 - len(f))
    m, status = f[0], f[1]
    data[m] = {
        "status": status,
        "cells": num(f[2], int), "area_um2": num(f[3]),
        "critical_path_ns": num(f[4]), "fmax_mhz": num(f[5]),
        "lut6": num(f[6], int), "ff": num(f[7], int), "carry4": num(f[8], int),
        "bram": num(f[9], int), "dsp": num(f[10], int), "lutram": num(f[12], int),
        "synth_params": f[11],
    }

out = {"tool": {"yosys": "0.23", "liberty": "OSU 0.18um (qflow-tech-osu018)",
                "sta": "OpenSTA", "clock_ns": period, "fpga": "synth_xilinx (7-series)"},
       "modules": dict(sorted(data.items()))}
json.dump(out, open(path, "w"), indent=2)

with open(os.path.join(reports, "ppa.md"), "w") as md:
    md.write("# squish PPA (make synth)\n\n")
    md.write(f"Yosys 0.23 to OSU 0.18 um cells; OpenSTA at a {period:g} ns clock; "
             "synth_xilinx (7-series) for LUT/FF counts. `lut6` counts all LUT1..LUT6 cells; LUT-RAM primitives (RAM32M etc.) are counted apart.\n\n")
    md.write("| module | cells | area (um^2) | crit. path (ns) | Fmax (MHz) | LUT | LUT-RAM | FF | CARRY4 | BRAM | DSP | params |\n")
    md.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
    for m, e in out["modules"].items():
        def g(k):
            v = e.get(k)
            return "" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
        if e["status"] == "skipped":
            md.write(f"| {m} | skipped (measured inside its parent) | | | | | | | | | | |\n")
        elif e["status"] != "ok":
            md.write(f"| {m} | FAILED | | | | | | | | | | |\n")
        else:
            md.write(f"| {m} | {g('cells')} | {g('area_um2')} | {g('critical_path_ns')} | {g('fmax_mhz')} | "
                     f"{g('lut6')} | {g('lutram')} | {g('ff')} | {g('carry4')} | {g('bram')} | {g('dsp')} | {e.get('synth_params','')} |\n")
print(f"synth: wrote {path} and ppa.md ({len(out['modules'])} modules)")
