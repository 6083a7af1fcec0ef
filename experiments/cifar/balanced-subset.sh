#!/usr/bin/env bash
# Writes a class-balanced CIFAR-10 image folder: the first N test images of every class (default 100, i.e. the
# test shards 0, 10, …, 90 of 100) and one training image per class (the reader wants both splits). The test
# split of the JPEG archive is sorted by class, so `--examples`/`--limit` on it alone would measure the first
# classes only; commands that take a contiguous range (`thermo schedule compare`, `schedule curve`) use this folder
# as `--dataset DIR` instead.
# Usage: experiments/cifar/balanced-subset.sh OUTDIR [N] [ARCHIVE]
set -euo pipefail
out="${1:?usage: balanced-subset.sh OUTDIR [N] [ARCHIVE]}"; n="${2:-100}"
archive="${3:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/data/cifar10-jpeg.tar.gz}"
(( n >= 1 && n <= 1000 )) || { echo "N must be 1..1000" >&2; exit 2; }
mkdir -p "$out"
patterns=()
for ((i = 0; i < n; i++)); do patterns+=("test/*/$(printf %04d "$i").jpg"); done
tar xzf "$archive" -C "$out" --wildcards "${patterns[@]}" 'train/*/0000.jpg'
echo "$out: $(find "$out/test" -name '*.jpg' | wc -l) test images, $(find "$out/train" -name '*.jpg' | wc -l) training images"
