#!/usr/bin/env bash
# Ablation of the Ising-block training objective (docs/method.md, "Ablation: which ingredient matters").
# Each variant is the quickstart architecture with one change to "objective"; trained one epoch on MNIST
# (seed 1) and evaluated on the first 2,000 test images by mean field and by Gibbs sampling, G = 4, 16, 64.
# Usage: experiments/ablation/run.sh [OUTDIR]   (about 5 minutes per variant on an idle 2-core machine)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-runs/ablation}"
thermo="$here/../../thermo"
"$thermo" --help >/dev/null   # build once
export THERMO_NO_BUILD=1
mkdir -p "$out"
for v in baseline iter1 novariance plain nonoise nomag nomag-novariance loose-plain; do
  [[ -f "$out/$v/model.safetensors" ]] || "$thermo" train --model "$here/$v.json" --dataset mnist --epochs 1 --lr 0.003 \
      --out "$out/$v" --seed 1 --quiet --json > "$out/$v.train.json"
  "$thermo" eval --model "$out/$v/model.safetensors" --mode meanfield --limit 2000 --json > "$out/$v.mf.json"
  for g in 4 16 64; do
    "$thermo" eval --model "$out/$v/model.safetensors" --mode gibbs --samples "$g" --limit 2000 --json > "$out/$v.g$g.json"
  done
done
printf '%-18s %8s %8s %8s %8s\n' variant meanfield G=4 G=16 G=64
for v in baseline iter1 novariance plain nonoise nomag nomag-novariance loose-plain; do
  acc() { python3 -c "import json,sys; print(f\"{100*json.load(open(sys.argv[1]))['accuracy']:.2f}\")" "$1"; }
  printf '%-18s %8s %8s %8s %8s\n' "$v" "$(acc "$out/$v.mf.json")" "$(acc "$out/$v.g4.json")" "$(acc "$out/$v.g16.json")" "$(acc "$out/$v.g64.json")"
done
