#!/usr/bin/env bash
# Short-budget ablation of the CIFAR-10 block architecture (docs/method.md, "CIFAR-10: which block shape").
# Each variant trains 2 epochs (seed 1, AdamW 2e-3 with warm-up and cosine decay, pad-crop 4, flips) and is
# evaluated by the noise-free surrogate on the full test set, and by the surrogate and by Gibbs sampling (G = 64, burn-in 4, one
# chain) on 1,000 class-balanced test images: shards 0, 10, …, 90 of 100 (the test split is sorted by class).
# Usage: experiments/cifar/ablation/run.sh [OUTDIR] [VARIANT…]   (about 10 minutes per variant, idle 2 cores)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-runs/cifar-ablation}"; shift || true
variants=("$@"); [[ ${#variants[@]} -gt 0 ]] || variants=(base k2 k2-widehid k2-var)
thermo="${THERMO:-$here/../../../thermo}"
mkdir -p "$out"
for v in "${variants[@]}"; do
  t0=$(date +%s)
  [[ -f "$out/$v/model.safetensors" ]] || $thermo train --model "$here/$v.json" --dataset cifar10 --epochs 2 --lr 0.002 \
      --pad-crop 4 --flip true --seed 1 --out "$out/$v" --quiet --json > "$out/$v.train.json"
  t1=$(date +%s)
  $thermo eval --model "$out/$v/model.safetensors" --mode meanfield --json > "$out/$v.mf.json"
  for s in 0 10 20 30 40 50 60 70 80 90; do
    $thermo eval --model "$out/$v/model.safetensors" --mode meanfield --shard "$s/100" --json > "$out/$v.mf.s$s.json"
    $thermo eval --model "$out/$v/model.safetensors" --mode gibbs --samples 64 --shard "$s/100" --json > "$out/$v.g64.s$s.json"
  done
  echo "$v: train $((t1 - t0)) s, eval $(( $(date +%s) - t1 )) s" >> "$out/times.txt"
done
printf '%-12s %10s %10s %10s\n' variant 'mf (10k)' 'mf (1k)' 'G=64 (1k)'
for v in "${variants[@]}"; do
  python3 - "$out" "$v" <<'PY'
import json, sys, glob
out, v = sys.argv[1], sys.argv[2]
mf = json.load(open(f"{out}/{v}.mf.json"))["accuracy"]
def acc(kind):
    docs = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{v}.{kind}.s*.json"))]
    return 100 * sum(d["correct"] for d in docs) / sum(d["count"] for d in docs)
print(f"{v:<12} {100*mf:9.2f}% {acc('mf'):9.2f}% {acc('g64'):9.2f}%")
PY
done
