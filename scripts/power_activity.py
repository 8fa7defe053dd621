#!/usr/bin/env python3
"""Per-net switching activity from a gate-level VCD, for OpenSTA (stdlib only).

  power_activity.py VCD SCOPE T_START T_END PERIOD OUT.tcl [OUT.json]   (times in ns)

Reads the value changes of every variable directly in SCOPE (a dotted path such
as tb.dut; the netlist is flat, so that is every net of the design), counts
0<->1 transitions inside the window [T_START, T_END) (VCD time units) and the
time each bit spends at 1. Writes OUT.tcl: one `squish_activity NAME ACT DUTY`
line per net bit, ACT = transitions per clock PERIOD (OpenSTA's
set_power_activity unit), DUTY = fraction of the window at 1. Transitions to or
from x/z are not counted. OUT.json holds the same per-net figures.
"""
import json
import sys

vcd, scope, t0, t1, period, out_tcl = sys.argv[1:7]
out_json = sys.argv[7] if len(sys.argv) > 7 else None
t0, t1, period = float(t0), float(t1), float(period)
want = scope.split(".")

ids = {}          # vcd id -> list of (name, width, lsb, step)
path = []
stats = {}        # (name, bit) -> [toggles, high_time, last_value, last_time]
with open(vcd) as f:
    for line in f:
        t = line.split()
        if not t:
            continue
        if t[0] == "$scope":
            path.append(t[2])
        elif t[0] == "$upscope":
            path.pop()
        elif t[0] == "$var" and path == want:
            width, code, name = int(t[2]), t[3], t[4]
            rng = t[5] if len(t) > 6 and t[5].startswith("[") else None
            if name.startswith("\\"):
                name = name[1:]
            msb = lsb = None
            if rng:
                a = rng.strip("[]").split(":")
                msb = int(a[0]); lsb = int(a[1]) if len(a) > 1 else msb
            ids.setdefault(code, []).append((name, width, msb, lsb))
        elif t[0] == "$timescale":
            ts = " ".join(t[1:])
            while "$end" not in ts:
                ts += " " + next(f).strip()
            ts = ts.replace("$end", "").strip().replace(" ", "")
            num = "".join(ch for ch in ts if ch.isdigit())
            unit = ts[len(num):]
            tick_ns = int(num) * {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "ps": 1e-3, "fs": 1e-6}[unit]
            t0, t1, period = round(t0 / tick_ns), round(t1 / tick_ns), period / tick_ns
        elif t[0] == "$enddefinitions":
            break
    now = 0
    def update(code, bits):
        for name, width, msb, lsb in ids.get(code, ()):
            bits_w = bits.rjust(width, bits[0] if bits[0] in "xz" else "0")[-width:]
            for i, ch in enumerate(bits_w):  # i = 0 is the MSB
                if msb is None:
                    key = name
                else:
                    b = msb - i if msb >= lsb else msb + i
                    key = f"{name}[{b}]"
                s = stats.get(key)
                if s is None:
                    stats[key] = [0, 0, ch, now]
                    continue
                if ch == s[2]:
                    continue
                lo, hi = max(s[3], t0), min(now, t1)
                if s[2] == "1" and hi > lo:
                    s[1] += hi - lo
                if t0 <= now < t1 and {s[2], ch} == {"0", "1"}:
                    s[0] += 1
                s[2], s[3] = ch, now
    for line in f:
        if not line or line[0] in "$\n":
            continue
        c = line[0]
        if c == "#":
            now = int(line[1:])
        elif c in "01xzXZ":
            update(line[1:].strip(), c.lower())
        elif c in "bB":
            v, code = line[1:].split()
            update(code, v.lower())
for key, s in stats.items():  # close the high time at the window's end
    lo, hi = max(s[3], t0), t1
    if s[2] == "1" and hi > lo:
        s[1] += hi - lo

cycles = (t1 - t0) / period
res = {}
with open(out_tcl, "w") as o:
    for key in sorted(stats):
        tog, high = stats[key][0], stats[key][1]
        act, duty = tog / cycles, high / (t1 - t0)
        res[key] = {"toggles": tog, "activity": act, "duty": duty}
        o.write(f"squish_activity {{{key}}} {act:.6g} {duty:.6g}\n")
if out_json:
    json.dump({"cycles": cycles, "nets": res}, open(out_json, "w"), indent=1)
print(f"power_activity: {len(res)} net bits over {cycles:g} periods, "
      f"{sum(r['toggles'] for r in res.values())} transitions")
