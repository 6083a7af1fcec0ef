#!/usr/bin/env bash
# The surrogate-Gibbs gap of a trained CIFAR-10 model, split by mean-field feedback passes:
#   experiments/cifar/gap/gap.sh runs/cifar10/model.safetensors runs/cifar-gap
# Evaluates the same weights under surrogates with 1, 2, 3, 6 and 12 passes (with and without variance
# propagation) on the full test set, then Gibbs sampling at G = 64. About 15 minutes on 2 cores.
set -euo pipefail
model=${1:?checkpoint}; out=${2:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
THERMO=${THERMO:-dotnet run --project "$here/../../../src/Thermo.Cli" -c Release --}
mkdir -p "$out"
percent() { python3 -c "import json,sys; print(round(100*json.load(open(sys.argv[1]))['accuracy'],2))" "$1"; }
for v in "1 false" "1 true" "2 false" "2 true" "3 true" "6 true" "12 true"; do
  set -- $v
  variant="$out/it$1-$2.safetensors"
  python3 "$here/objective_variant.py" "$model" "$variant" "$1" "$2" >/dev/null
  $THERMO eval --model "$variant" --dataset cifar10 --mode meanfield --json > "$out/it$1-$2.mf.json"
  echo "iterations $1, variance $2: $(percent "$out/it$1-$2.mf.json") %"
done
$THERMO eval --model "$model" --dataset cifar10 --mode gibbs --samples 64 --json > "$out/gibbs-g64.json"
echo "Gibbs G=64: $(percent "$out/gibbs-g64.json") %"
