#!/usr/bin/env python3
"""Fanout buffering of a mapped Yosys netlist (scripts/synth-module.sh).

    synth_fanout.py IN.json OUT.json TOP [--max-fanout F] [--buf CELL]
                    [--ideal clk_i,rst_ni] [--report FILE]

IN.json is `write_json` of the design after dfflibmap + abc (standard cells
and, for hierarchical rows, the design's own submodules). Every net of every
module whose number of loads exceeds F gets a balanced tree of buffer cells
(default BUFX4, input A, output Y) so that no driver - a gate, a flip-flop's Q,
an input port - sees more than F loads. A load is a cell input pin (1), the
module's output port (1, it stays on the original net) or a submodule
instance's input pin, weighted by the load that port bit has inside the child
after the child was buffered (modules are done children first), so that a bit
fanned out to many instances of a bank is buffered for the pins it really
drives. A net driven by a child's output port also counts the child's own
load on that driver. Nets still above F afterwards (none expected) are listed
in the report under "over_limit".

ABC's own `buffer`/`upsize` only see the combinational logic of one ABC run:
a flip-flop output or a module input is a primary input of fixed drive there,
so its fanout was never buffered (docs/silicon.md, "Timing closure").

Not buffered:
  * ideal nets: the top's clock and asynchronous reset ports (--ideal) and
    every submodule port bit connected to them, through the hierarchy. They
    are left to clock-tree / reset-tree synthesis after placement; synthesis
    STA treats the clock as ideal and the reset as a false path.
  * constants.

Only buffers are inserted and only load pins are reconnected (each load keeps
the same logical driver, through an even number of inversions: zero), so the
netlist is logically the same; scripts/synth-fanout-check.sh checks that with
Yosys equiv_* on small rows. Writes OUT.json without the library black boxes
(read it back after read_liberty -lib).
"""
import argparse
import json
import math
import sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("top")
    ap.add_argument("--max-fanout", type=int, default=16)
    ap.add_argument("--buf", default="BUFX4")
    ap.add_argument("--buf-in", default="A")
    ap.add_argument("--buf-out", default="Y")
    ap.add_argument("--ideal", default="clk_i,rst_ni")
    ap.add_argument("--report", default=None)
    a = ap.parse_args()
    F = a.max_fanout
    if F < 2:
        sys.exit("synth_fanout: --max-fanout must be >= 2")

    with open(a.inp) as fh:
        design = json.load(fh)
    mods = design["modules"]

    def is_blackbox(m):
        at = mods[m].get("attributes", {})
        return str(at.get("blackbox", "0")).strip("0") != "" or not mods[m].get("cells") and not mods[m].get("netnames")

    # --- ideal nets, top-down through the hierarchy ---------------------------
    ideal = defaultdict(set)      # module -> set of ideal bit ids
    ideal_name = defaultdict(dict)  # module -> bit -> top port name
    top = mods[a.top]
    for p in a.ideal.split(","):
        p = p.strip()
        if p and p in top["ports"]:
            for b in top["ports"][p]["bits"]:
                if isinstance(b, int):
                    ideal[a.top].add(b); ideal_name[a.top][b] = p
    order, seen = [a.top], {a.top}
    i = 0
    while i < len(order):          # breadth-first: a parent before its children
        m = order[i]; i += 1
        for c in mods[m]["cells"].values():
            t = c["type"]
            if t in mods and not is_blackbox(t):
                for pin, bits in c["connections"].items():
                    pb = mods[t]["ports"].get(pin, {}).get("bits", [])
                    for b, sb in zip(bits, pb):
                        if b in ideal[m] and isinstance(sb, int):
                            ideal[t].add(sb); ideal_name[t][sb] = ideal_name[m][b]
                if t not in seen:
                    seen.add(t); order.append(t)

    # --- buffer each module, children before parents --------------------------
    # A load is weighted by the pins it stands for: 1 for a library cell, and
    # for a submodule instance's input pin the (already buffered) load that the
    # port bit presents inside the child - so a parent driving one bit into
    # eight banks sees the pins inside the banks, not eight. Likewise a net
    # driven by a child's output port starts with the child's internal load on
    # that driver. (Without the weights, nms_unit's plus_one_q drove 16 pins in
    # each of 8 banks plus 16 in each bank's IoU unit: 3.4 pF, 5.8 ns.)
    post, done = [], set()

    def dfs(m):
        done.add(m)
        for c in mods[m]["cells"].values():
            t = c["type"]
            if t in mods and not is_blackbox(t) and t not in done:
                dfs(t)
        post.append(m)
    dfs(a.top)
    in_weight = {}     # module -> (port, index) -> pin weight seen from outside
    out_internal = {}  # module -> (port, index) -> internal load on that driver

    stats = {"nets": 0, "buffers": 0, "max_fanout_before": 0, "max_fanout_after": 0,
             "levels_max": 0, "ideal_loads": {}}
    per_module = {}
    for m in post:
        mod = mods[m]
        loads = defaultdict(list)   # bit -> [(cellname, pin, index, weight)]
        driver_extra = {}           # bit -> load inside the child driving it
        maxbit = 0
        for pname, p in mod["ports"].items():
            for b in p["bits"]:
                if isinstance(b, int):
                    maxbit = max(maxbit, b)
        for cname, c in mod["cells"].items():
            dirs = c.get("port_directions", {})
            t = c["type"]
            child = t in in_weight
            for pin, bits in c["connections"].items():
                d = dirs.get(pin)
                if d is None:
                    sys.exit(f"synth_fanout: {m}/{cname} ({t}): no direction for pin {pin}")
                for k, b in enumerate(bits):
                    if isinstance(b, int):
                        maxbit = max(maxbit, b)
                        if d == "input":
                            w = in_weight[t].get((pin, k), 1) if child else 1
                            loads[b].append((cname, pin, k, w))
                        elif d == "output":
                            if child:
                                driver_extra[b] = out_internal[t].get((pin, k), 0)
                        else:
                            sys.exit(f"synth_fanout: inout pin {m}/{cname}.{pin} not supported")
        for nn in mod.get("netnames", {}).values():
            for b in nn["bits"]:
                if isinstance(b, int):
                    maxbit = max(maxbit, b)
        outport = defaultdict(int)
        for p in mod["ports"].values():
            if p["direction"] == "output":
                for b in p["bits"]:
                    if isinstance(b, int):
                        outport[b] += 1
        # what the ideal nets drive (per module definition): the reset should
        # reach only asynchronous set/reset pins (else its false path in STA
        # would hide a synchronous use)
        for b in ideal[m]:
            kinds = stats["ideal_loads"].setdefault(ideal_name[m][b], {})
            for cname, pin, _, _ in loads.get(b, []):
                k = f"{mod['cells'][cname]['type']}.{pin}"
                kinds[k] = kinds.get(k, 0) + 1

        nb = 0; nnets = 0
        next_bit = [maxbit + 1]
        cells = mod["cells"]; netnames = mod.setdefault("netnames", {})

        def new_buf(src_bit):
            nonlocal nb
            y = next_bit[0]; next_bit[0] += 1
            name = f"fanout_buf_{nb}"     # public: stable through write_verilog
            nb += 1
            cells[name] = {"hide_name": 0, "type": a.buf, "parameters": {}, "attributes": {},
                           "port_directions": {a.buf_in: "input", a.buf_out: "output"},
                           "connections": {a.buf_in: [src_bit], a.buf_out: [y]}}
            netnames[f"fanout_net_{nb - 1}"] = {"hide_name": 0, "bits": [y], "attributes": {}}
            return name, y

        root = {}   # bit -> weighted load on its driver after buffering
        for b in set(loads) | set(outport):
            ld = loads.get(b, [])
            fixed = outport.get(b, 0) + driver_extra.get(b, 0)
            wsum = sum(x[3] for x in ld)
            n = wsum + fixed
            if b in ideal[m]:
                root[b] = 1
                continue
            stats["max_fanout_before"] = max(stats["max_fanout_before"], n)
            if n <= F:
                root[b] = n
                stats["max_fanout_after"] = max(stats["max_fanout_after"], n)
                continue
            nnets += 1
            # Balanced tree, built leaves-first: pack the current loads into
            # ceil(weight/F) groups of near-equal weight (at most F), one buffer
            # per group; the buffers (weight 1 each) become the next level's
            # loads, until the root driver sees at most F with its fixed load
            # (output ports, the child's own load when a child drives the net).
            level = list(ld)
            levels = 0
            room = max(F - fixed, 2)
            while sum(x[3] for x in level) > room:
                tot = sum(x[3] for x in level)
                target = tot / math.ceil(tot / F)
                groups, cur, cw = [], [], 0
                for x in level:
                    if cur and (cw + x[3] > F or cw >= target):
                        groups.append(cur); cur, cw = [], 0
                    cur.append(x); cw += x[3]
                if cur:
                    groups.append(cur)
                if len(groups) >= tot:   # no progress (cannot happen: tot > room >= 2)
                    break
                nxt = []
                for grp in groups:
                    name, y = new_buf(b)
                    for cname, pin, k, _ in grp:
                        cells[cname]["connections"][pin][k] = y
                    nxt.append((name, a.buf_in, 0, 1))
                level = nxt
                levels += 1
            root[b] = sum(x[3] for x in level) + fixed
            stats["levels_max"] = max(stats["levels_max"], levels)
            stats["max_fanout_after"] = max(stats["max_fanout_after"], root[b])
        names = {}
        for nm, nn in mod.get("netnames", {}).items():
            for k, b in enumerate(nn["bits"]):
                if isinstance(b, int) and (b not in names or names[b].startswith("$")):
                    names[b] = nm if len(nn["bits"]) == 1 else f"{nm}[{k}]"
        for b, w in root.items():
            if w > F and b not in ideal[m]:
                stats.setdefault("over_limit", []).append(
                    [m, names.get(b, str(b)), w, outport.get(b, 0), driver_extra.get(b, 0)])
        iw, oi = {}, {}
        for pname, p in mod["ports"].items():
            for k, b in enumerate(p["bits"]):
                if not isinstance(b, int):
                    continue
                if p["direction"] == "input":
                    iw[(pname, k)] = root.get(b, 0)
                elif p["direction"] == "output":
                    oi[(pname, k)] = max(root.get(b, 0) - outport.get(b, 0), 0)
        in_weight[m], out_internal[m] = iw, oi
        per_module[m] = {"nets_buffered": nnets, "buffers": nb}
        stats["nets"] += nnets; stats["buffers"] += nb

    # instances of a module count once per module definition (hierarchical rows)
    stats["modules"] = per_module
    for m in list(mods):
        if is_blackbox(m):
            del mods[m]
    with open(a.out, "w") as fh:
        json.dump(design, fh)
    msg = (f"synth_fanout: {stats['nets']} nets buffered with {stats['buffers']} {a.buf} "
           f"(max fanout {stats['max_fanout_before']} -> {stats['max_fanout_after']}, "
           f"tree depth <= {stats['levels_max']}, F={F})")
    print(msg)
    for p, kinds in sorted(stats["ideal_loads"].items()):
        print(f"synth_fanout: ideal net {p} (not buffered) drives " +
              ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    if a.report:
        with open(a.report, "w") as fh:
            json.dump(stats, fh, indent=1)


if __name__ == "__main__":
    main()
