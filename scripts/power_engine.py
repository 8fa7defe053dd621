#!/usr/bin/env python3
"""Dynamic and leakage power of a mapped netlist from per-net activity (stdlib only).

  power_engine.py NETLIST.v TOP ACT.json OUT.json CLOCK_MHZ[,CLOCK_MHZ...] LIB.lib [LIB.lib...]

Why not OpenSTA's report_power: the Debian OpenSTA (2.0.17) drops per-pin
activities (set_power_activity -pins calls an undefined get_pins_error; its
worker set_power_pin_activity is overridden by the activity propagation), so it
can only report vectorless power. This engine applies the same Liberty power
model to the activities measured in gate-level simulation:

  switching  sum over nets   0.5 * C_net * Vdd^2 * a_net * f
             C_net = sum of the Liberty capacitances of the input pins it drives
             (+ C_OUT on top-level outputs); no wire capacitance before layout
  internal   sum over cell output pins  E(C_net, t_in) * a_net * f, E = the
             average of rise_power/fall_power over the pin's internal_power
             groups, bilinear in (output load, input transition), t_in fixed
             at T_IN; plus, per input pin with its own (passive) internal
             power (e.g. flip-flop clocks), E_pin * a_pin * f
  leakage    sum of cell_leakage_power
a = transitions per clock cycle from ACT.json (scripts/power_activity.py).
Energy per cycle = (switching + internal) / f + leakage / f.
"""
import json
import re
import sys

VDD = 1.8
T_IN = 0.2       # ns, input transition used for the internal-power tables
C_OUT = 0.02     # pF on each top-level output (as make synth's STA)

netlist, top, actf, outf, clocks = sys.argv[1:6]
libs = sys.argv[6:]
clocks = [float(c) for c in clocks.split(",")]


# ---------------------------------------------------------------- Liberty ----
def lib_groups(text):
    """Tiny Liberty parser: returns nested (kind, name, attrs, children)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S).replace("\\\n", " ")
    toks = re.findall(r'"[^"]*"|[{}();:,]|[^\s{}();:,"]+', text)
    pos = 0

    def group():
        nonlocal pos
        attrs, kids = {}, []
        while pos < len(toks):
            t = toks[pos]
            if t == "}":
                pos += 1
                return attrs, kids
            name = t; pos += 1
            if toks[pos] == ":":
                pos += 1
                val = toks[pos]; pos += 1
                while toks[pos] != ";":
                    pos += 1
                pos += 1
                attrs[name] = val.strip('"')
            elif toks[pos] == "(":
                pos += 1
                args = []
                while toks[pos] != ")":
                    if toks[pos] != ",":
                        args.append(toks[pos].strip('"'))
                    pos += 1
                pos += 1
                if pos < len(toks) and toks[pos] == "{":
                    pos += 1
                    a, k = group()
                    kids.append((name, args[0] if args else "", a, k, args))
                else:
                    if pos < len(toks) and toks[pos] == ";":
                        pos += 1
                    attrs.setdefault(name, []).append(args)
            else:
                pos += 1
        return attrs, kids
    return group()


def floats(s):
    return [float(x) for x in s.replace(",", " ").split()]


def table(kids, attrs_kind):
    """rise_power / fall_power groups -> (idx1, idx2, values) list."""
    out = []
    for kind, name, a, k, args in kids:
        if kind in attrs_kind:
            vals = a.get("values")
            if vals is None:
                continue
            rows = [floats(r) for r in vals[0]]
            i1 = floats(a["index_1"][0][0]) if "index_1" in a else [0.0]
            i2 = floats(a["index_2"][0][0]) if "index_2" in a else None
            out.append((i1, i2, rows))
    return out


def interp1(xs, x):
    if len(xs) == 1:
        return 0, 0, 0.0
    i = 0
    while i < len(xs) - 2 and x > xs[i + 1]:
        i += 1
    return i, i + 1, (x - xs[i]) / (xs[i + 1] - xs[i])


def lookup(tab, load, slew, templ):
    """Bilinear interpolation (and linear extrapolation) of a 1-D or 2-D table."""
    i1, i2, rows = tab
    v1 = load if templ.get("variable_1", "total_output_net_capacitance").startswith("total_output") else slew
    v2 = slew if v1 is load else load
    if i2 is None or len(rows) == 1 and len(rows[0]) == len(i1):
        flat = rows[0] if len(rows) == 1 else [r[0] for r in rows]
        a, b, t = interp1(i1, v1)
        return flat[a] + (flat[b] - flat[a]) * t
    a, b, t = interp1(i1, v1)
    c, d, u = interp1(i2, v2)
    r0 = rows[a][c] + (rows[a][d] - rows[a][c]) * u
    r1 = rows[b][c] + (rows[b][d] - rows[b][c]) * u
    return r0 + (r1 - r0) * t


cells = {}
for path in libs:
    attrs, kids = lib_groups(open(path).read())
    lib = kids[0]
    templates = {name: a for kind, name, a, k, args in lib[3] if kind.endswith("template")}
    for kind, cname, a, k, args in lib[3]:
        if kind != "cell":
            continue
        cell = {"leak_nw": float(a.get("cell_leakage_power", 0.0)), "pins": {}}
        pins = []
        for pk, pname, pa, pkids, pargs in k:
            if pk == "pin":
                pins.append((pname, pa, pkids))
            elif pk == "bus":
                pins.append((pname, pa, pkids))
                for sk, sname, sa, skids, sargs in pkids:
                    if sk == "pin":
                        pins.append((sname, {**pa, **sa}, skids))
        for pname, pa, pkids in pins:
            pin = {"dir": pa.get("direction", ""), "cap": float(pa.get("capacitance", 0.0)), "groups": []}
            for gk, gname, ga, gkids, gargs in pkids:
                if gk != "internal_power":
                    continue
                tabs = []
                for tk, tname, ta, tk2, targs in gkids:
                    if tk in ("rise_power", "fall_power"):
                        tabs.append((table([(tk, tname, ta, tk2, targs)], (tk,))[0], templates.get(tname, {})))
                if tabs:
                    pin["groups"].append({"related": ga.get("related_pin", ""), "tabs": tabs})
            cell["pins"][pname] = pin
        cells[cname] = cell


# ---------------------------------------------------------------- netlist ----
src = open(netlist).read()
m = re.search(r"\bmodule\s+\\?" + re.escape(top) + r"\b(.*?)\bendmodule", src, re.S)
if not m:
    sys.exit(f"power_engine: module {top} not in {netlist}")
body = m.group(1)


def name_of(ref):
    ref = ref.strip()
    mm = re.fullmatch(r"\\(\S+)\s*(\[\d+\])?", ref)
    if mm:
        return mm.group(1) + (mm.group(2) or "")
    mm = re.fullmatch(r"([A-Za-z_][\w$]*)\s*(\[\d+\])?", ref)
    if mm:
        return mm.group(1) + (mm.group(2) or "")
    return None  # constant, concatenation, part-select


widths = {}
for kind, rng, names in re.findall(r"^\s*(wire|input|output)\s*(\[\d+:\d+\])?\s*([^;]+);", body, re.M):
    for n in names.split(","):
        n = n.strip().lstrip("\\").strip()
        widths[n] = rng
outputs = set()
for rng, names in re.findall(r"^\s*output\s*(\[\d+:\d+\])?\s*([^;]+);", body, re.M):
    for n in names.split(","):
        n = n.strip().lstrip("\\").strip()
        if rng:
            hi, lo = map(int, rng.strip("[]").split(":"))
            for b in range(min(hi, lo), max(hi, lo) + 1):
                outputs.add(f"{n}[{b}]")
        else:
            outputs.add(n)

parent = {}


def find(x):
    while parent.get(x, x) != x:
        parent[x] = parent.get(parent[x], parent[x])
        x = parent[x]
    return x


def bits(ref):
    """Expand a simple reference to bit names (whole vectors included)."""
    n = name_of(ref)
    if n is None:
        return []
    if "[" not in n and widths.get(n):
        hi, lo = map(int, widths[n].strip("[]").split(":"))
        return [f"{n}[{b}]" for b in range(max(hi, lo), min(hi, lo) - 1, -1)]
    return [n]


for lhs, rhs in re.findall(r"^\s*assign\s+(.+?)\s*=\s*(.+?)\s*;", body, re.M):
    a, b = bits(lhs), bits(rhs)
    if a and len(a) == len(b):
        for x, y in zip(a, b):
            parent[find(x)] = find(y)

insts = []
for cell, inst, conns in re.findall(r"^\s*(\\?[\w$]+)\s+(\\?\S+)\s*\((.*?)\);", body, re.M | re.S):
    if cell in ("module", "assign", "wire", "input", "output"):
        continue
    pins = {}
    for pin, ref in re.findall(r"\.(\w+)\s*\(([^()]*)\)", conns):
        refs = [r for r in re.split(r",(?![^{]*\})", ref.strip().strip("{}")) if r.strip()]
        bl = []
        for r in refs:
            bl += bits(r)
        pins[pin] = bl
    insts.append((cell.lstrip("\\"), inst, pins))

act = json.load(open(actf))["nets"]
def activity(n):
    """Transitions per cycle of a net bit (any of its aliases in the VCD)."""
    a = act.get(n)
    if a is not None:
        return a["activity"]
    r = find(n)
    a = act.get(r)
    return a["activity"] if a is not None else None

groups_act = {}
for n, v in act.items():
    groups_act.setdefault(find(n), v["activity"])

# Load capacitance per electrical net.
load = {}
unknown = set()
for cell, inst, pins in insts:
    c = cells.get(cell)
    if c is None:
        unknown.add(cell)
        continue
    for pin, bl in pins.items():
        p = c["pins"].get(pin)
        if p is None or p["dir"] != "input":
            continue
        for i, b in enumerate(bl):
            pp = c["pins"].get(f"{pin}[{len(bl) - 1 - i}]", p)
            load[find(b)] = load.get(find(b), 0.0) + pp["cap"]
for o in outputs:
    load[find(o)] = load.get(find(o), 0.0) + C_OUT

out_roots = {find(o) for o in outputs}
out_sw = {}
missing = 0
e_sw = 0.0    # pJ per cycle
e_int = 0.0
leak_nw = 0.0
by_cell = {}
driven = set()
for cell, inst, pins in insts:
    c = cells.get(cell)
    if c is None:
        continue
    leak_nw += c["leak_nw"]
    e_cell = 0.0
    for pin, bl in pins.items():
        p = c["pins"].get(pin)
        if p is None:
            continue
        for i, b in enumerate(bl):
            r = find(b)
            a = activity(b)
            if a is None:
                a = groups_act.get(r)
            if a is None:
                if p["dir"] == "output":
                    missing += 1
                continue
            cap = load.get(r, 0.0)
            if p["dir"] == "output":
                driven.add(r)
                e = 0.5 * cap * VDD * VDD * a          # pF * V^2 = pJ
                e_sw += e
                e_cell += e
                if b in outputs or r in out_roots:
                    out_sw[b] = {"cap_pf": cap, "activity": a, "switching_pj_per_cycle": e}
            if p["groups"]:
                vals = [lookup(tab, cap, T_IN, templ) for g in p["groups"] for tab, templ in g["tabs"]]
                e = (sum(vals) / len(vals)) * a if p["dir"] == "output" or not any(g["related"] for g in p["groups"]) else 0.0
                e_int += e
                e_cell += e
    by_cell[cell] = by_cell.get(cell, 0.0) + e_cell
# Nets driven by top-level inputs switch their load too (the driver is outside).
for n in list(load):
    if n not in driven:
        a = groups_act.get(n)
        if a:
            e_sw += 0.5 * load[n] * VDD * VDD * a

res = {"vdd": VDD, "t_in_ns": T_IN, "c_out_pf": C_OUT,
       "cycles": json.load(open(actf))["cycles"],
       "switching_pj_per_cycle": e_sw, "internal_pj_per_cycle": e_int,
       "leakage_w": leak_nw * 1e-9, "instances": len(insts),
       "unknown_cells": sorted(unknown), "outputs_without_activity": missing,
       "outputs": out_sw,
       "energy_by_cell_pj_per_cycle": dict(sorted(by_cell.items(), key=lambda kv: -kv[1])[:12]),
       "at": {}}
for f in clocks:
    dyn_w = (e_sw + e_int) * 1e-12 * f * 1e6
    res["at"][f"{f:g}"] = {"clock_mhz": f, "switching_w": e_sw * 1e-12 * f * 1e6,
                           "internal_w": e_int * 1e-12 * f * 1e6, "leakage_w": leak_nw * 1e-9,
                           "total_w": dyn_w + leak_nw * 1e-9,
                           "energy_per_cycle_pj": e_sw + e_int + leak_nw * 1e-9 / (f * 1e6) * 1e12}
json.dump(res, open(outf, "w"), indent=1)
print(f"power_engine: {len(insts)} instances, {e_sw:.4f} pJ/cycle switching, {e_int:.4f} pJ/cycle internal, "
      f"{leak_nw:.1f} nW leakage; unknown cells {sorted(unknown)}; outputs without activity {missing}")
