#!/usr/bin/python3
"""Effective MACs/cycle versus density per sparse format (bench_datapath).

usage: plot_datapath.py CURVE.csv OUT.png LANES
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    path, out, lanes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    series = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            series.setdefault(row["format"], []).append(
                (float(row["actual_density"]), float(row["macs_per_cycle"])))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, pts in sorted(series.items()):
        pts.sort()
        ax.plot([100 * d for d, _ in pts], [m for _, m in pts], marker="o", label=name)
    xs = [d / 2.0 for d in range(18, 202)]
    ax.plot(xs, [0.85 * lanes / (x / 100) for x in xs], "k--", lw=1, label="target 0.85 P / density")
    ax.plot(xs, [lanes / (x / 100) for x in xs], "k:", lw=1, label="ideal P / density")
    ax.set_xlabel("weight density (%)")
    ax.set_ylabel("effective dense-equivalent MACs / cycle")
    ax.set_yscale("log")
    ax.set_title(f"squish datapath, P = {lanes} lanes, INT8 weights, GEMV")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


if __name__ == "__main__":
    main()
