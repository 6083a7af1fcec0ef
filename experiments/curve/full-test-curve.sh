#!/usr/bin/env bash
# Predicted versus measured accuracy on a whole test set, for every uniform G in 1, 2, 4, …, 1024 (docs/results.md,
# "Predicted versus measured on the full test sets"), run as Slurm jobs:
#   - one job array per G: `thermo eval --mode gibbs --samples G` in SHARDS shards, merged by `thermo merge`
#     (thermo slurm submit; byte-identical to one process);
#   - one job array for the prediction: `thermo schedule curve --predict-only` on all test examples in PREDICT_SHARDS
#     shards (default 4; about 20 core-minutes each on MNIST), merged the same way into RUN/predict/merged.json.
# Idempotent and resumable: a G whose merged.json exists is skipped, one whose shards failed is resumed alone
# (`thermo slurm resume`), and rerunning the script after the prediction's merge writes RUN/predicted.json.
#
# Usage: experiments/curve/full-test-curve.sh MODEL RUN [SHARDS]
#   MODEL   a checkpoint or a compiled network (e.g. models/mnist)
#   RUN     run directory (RUN/g<G>/ per G, RUN/predicted.json)
#   SHARDS  array tasks per G (default 2)
# Environment: THERMO (how to start thermo; default ./thermo), SLURM_CONF (scripts/local-slurm start prints it),
#   G_VALUES (default "1 2 4 8 16 32 64 128 256 512 1024"), EXAMPLES (default: all: 10000), PREDICT_SHARDS (default 4).
# Then: rerun this script (it writes RUN/predicted.json once the prediction has merged), and
#   experiments/curve/collect.py RUN   (the table, once every G is merged)
set -euo pipefail
model="${1:?usage: full-test-curve.sh MODEL RUN [SHARDS]}"; run="${2:?usage: full-test-curve.sh MODEL RUN [SHARDS]}"; shards="${3:-2}"
thermo="${THERMO:-./thermo}"; examples="${EXAMPLES:-10000}"
read -r -a gs <<< "${G_VALUES:-1 2 4 8 16 32 64 128 256 512 1024}"
[[ -e "$model" ]] || { echo "full-test-curve: model '$model' not found" >&2; exit 2; }
command -v sbatch >/dev/null || { echo "full-test-curve: sbatch not found (apt-get install slurm-wlm munge; scripts/local-slurm start DIR)" >&2; exit 2; }
mkdir -p "$run"
run="$(cd "$run" && pwd)"; model="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
limit=(); [[ "$examples" == 10000 ]] || limit=(--limit "$examples")

for g in "${gs[@]}"; do
  dir="$run/g$g"
  if [[ -f "$dir/merged.json" ]]; then echo "G = $g: merged"; continue; fi
  if [[ -f "$dir/slurm.json" ]]; then
    # Submitted before: resume only the failed shards (a no-op when everything is still queued or running).
    $thermo slurm resume "$dir" || true
  else
    $thermo slurm submit --run "$dir" --shards "$shards" -- eval --model "$model" --mode gibbs --samples "$g" "${limit[@]}"
  fi
done

# The prediction: `schedule curve --predict-only` in PREDICT_SHARDS shards of whole pilot batches (thermo slurm submit;
# the merge equals one process bit for bit), then RUN/predicted.json = the merged curve without its per-example columns.
pdir="$run/predict"
if [[ ! -f "$run/predicted.json" ]]; then
  if [[ -f "$pdir/merged.json" ]]; then
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d.pop("per_example", None); json.dump(d, open(sys.argv[2], "w"), indent=1)' \
      "$pdir/merged.json" "$run/predicted.json"
    echo "prediction: merged into $run/predicted.json"
  elif [[ -f "$pdir/slurm.json" ]]; then
    $thermo slurm resume "$pdir" || true
  else
    $thermo slurm submit --run "$pdir" --shards "${PREDICT_SHARDS:-4}" -- schedule curve --model "$model" --examples "$examples" \
      --uniform "$(IFS=,; echo "${gs[*]}")" --predict-only
  fi
fi
echo "follow: thermo slurm status $run/g<G>; squeue. When all are done: experiments/curve/collect.py $run"
