#!/usr/bin/env python3
"""Repairs the SPEF that qrouter 1.4 writes, so that OpenSTA reads it (stdlib only).

  layout_spef.py IN.spef OUT.spef [NETLIST.v]

qrouter's SPEF (a) declares *C_UNIT 1 FF but writes capacitances in pF (its pin
loads equal the Liberty pin capacitances in pF), (b) names internal nodes
"<net>_<k>" instead of "*<net>:<k>", and (c) starts each net's resistor tree at
the bare net name instead of its driver pin. Without the repair OpenSTA drops
every internal node (and so the wire resistance) and reads the remaining
capacitances 1000 times too small. (d) With NETLIST, a name-map entry
"base[k]" that the netlist spells "base_k_" (qflow flattens internal buses) is
renamed. Prints the number of nets rewritten.
"""
import re
import sys

src, dst = sys.argv[1], sys.argv[2]
idents = set()
if len(sys.argv) > 3:
    idents = set(re.findall(r"[A-Za-z_][\w$]*", open(sys.argv[3]).read()))
out, nets = [], 0
in_map = False
net, driver, section = None, None, None
node = re.compile(r"^(\d+)_(\d+)$")
for line in open(src):
    t = line.split()
    if line.startswith("*NAME_MAP"):
        in_map = True
    elif in_map and t and not t[0].startswith("*"):
        in_map = False
    if in_map and len(t) == 2 and t[0].startswith("*") and idents:
        m = re.fullmatch(r"([A-Za-z_][\w$]*)\[(\w+)\]", t[1])
        if m and t[1] not in idents:
            for cand in (f"{m.group(1)}_{m.group(2)}_", f"{m.group(1)}_{m.group(2)}"):
                if cand in idents:
                    line = f"{t[0]} {cand}\n"
                    break
    if line.startswith("*C_UNIT"):
        line = "*C_UNIT 1 PF\n"
    elif t and t[0] == "*D_NET":
        net, driver, section = t[1], None, None
        nets += 1
    elif t and t[0] in ("*CONN", "*CAP", "*RES"):
        section = t[0]
    elif t and t[0] == "*END":
        net, section = None, None
    elif net and section == "*CONN" and len(t) >= 3 and t[0] in ("*P", "*I") and t[2] == "O":
        driver = t[1]
    elif net and section in ("*CAP", "*RES") and len(t) >= 3:
        def fix(tok):
            m = node.match(tok)
            if m:
                return f"*{m.group(1)}:{m.group(2)}"
            if tok == net and driver:
                return driver
            return tok
        k = 3 if section == "*RES" else 2
        line = " ".join([t[0]] + [fix(x) for x in t[1:k]] + t[k:]) + "\n"
    out.append(line)
open(dst, "w").write("".join(out))
print(f"layout_spef: {nets} nets")
