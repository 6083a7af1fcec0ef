#!/usr/bin/env python3
"""Predicted versus measured accuracy per uniform G from a full-test-curve.sh run directory, as a Markdown table.

Usage: experiments/curve/collect.py RUN [--json]

Reads RUN/predicted.json (`thermo schedule curve --predict-only --json`) and RUN/g<G>/merged.json (`thermo eval`
merged over its shards). Measured standard error: sqrt(p(1 - p) / n) over the n test images; the difference is
predicted minus measured, "within" compares it with ±0.5 points (the analysis goal) and with two combined standard
errors. Missing G (not yet merged) are listed and the exit status is 1.
"""
import json, math, os, sys

def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip()); return 0 if len(argv) > 1 else 2
    run = argv[1]
    pred_path = os.path.join(run, "predicted.json")
    if not os.path.isfile(pred_path):
        print(f"collect: {pred_path} is missing (the prediction job has not finished)", file=sys.stderr); return 1
    pred = json.load(open(pred_path))
    rows, missing = [], []
    for point in pred["points"]:
        g = point["samples"]
        merged = os.path.join(run, f"g{g}", "merged.json")
        if not os.path.isfile(merged):
            missing.append(g); continue
        m = json.load(open(merged))
        if m.get("count") != pred["examples"]:
            print(f"collect: G = {g} measured {m.get('count')} examples, the prediction {pred['examples']}", file=sys.stderr); return 1
        n = m["count"]; p = m["correct"] / n; se = math.sqrt(p * (1 - p) / n)
        diff = point["predicted"] - p; combined = math.hypot(point["predicted_se"], se)
        rows.append(dict(samples=g, spin_updates=point["spin_updates"], predicted=point["predicted"], predicted_se=point["predicted_se"],
                         measured=p, measured_se=se, diff=diff, within_half_point=abs(diff) <= 0.005, within_two_se=abs(diff) <= 2 * combined))
    if "--json" in argv:
        print(json.dumps(dict(model=pred["model"], examples=pred["examples"], rows=rows, missing=missing), indent=1))
    else:
        print(f"{pred['model']}, {pred['examples']} test examples")
        print("| G per block | spin updates | predicted | measured | diff | within ±0.5 | within 2 SE |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['samples']} | {r['spin_updates']:,} | {100 * r['predicted']:.2f} ± {100 * r['predicted_se']:.2f} | "
                  f"{100 * r['measured']:.2f} ± {100 * r['measured_se']:.2f} | {100 * r['diff']:+.2f} | "
                  f"{'yes' if r['within_half_point'] else 'no'} | {'yes' if r['within_two_se'] else 'no'} |")
        print(f"within ±0.5 points: {sum(r['within_half_point'] for r in rows)} of {len(rows)} G; "
              f"within two combined standard errors: {sum(r['within_two_se'] for r in rows)} of {len(rows)}")
    if missing:
        print(f"collect: not merged yet: G = {', '.join(map(str, missing))}", file=sys.stderr); return 1
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
